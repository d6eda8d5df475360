"""The Bot API stand-in, a movable clock and the worker, for the Telegram tests."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from .botapi import TOKEN, BotAPI

CHANNEL = "@samizdat_en"


@pytest.fixture
def bot(settings):
    with BotAPI() as api:
        settings.TELEGRAM_API_URL = api.url
        settings.TELEGRAM_BOT_TOKEN = TOKEN
        settings.TELEGRAM_CHANNELS = {"en": CHANNEL, "be": "", "ru": ""}
        settings.TELEGRAM_SECOND_LINK = ""
        settings.TELEGRAM_TIMEOUT = 5
        settings.LANGUAGE_CODE = "en"  # the language the admin's errors and notes are in
        yield api


class Clock:
    """timezone.now() moved forward on demand: retry times come without sleeping."""

    def __init__(self, monkeypatch):
        self.offset = datetime.timedelta()
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real() + self.offset)

    def forward(self, seconds: float) -> None:
        self.offset += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def run_worker():
    """`samizdat worker --batch`: runs every task that is due now, then returns."""

    def run():
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0)

    return run
