"""A real `samizdat worker` process killed while Telegram holds its sendMessage: the one window
docs/telegram.md admits. The next worker waits for the dead one's claim to go stale, sends
again and says in the admin that a second copy may be in the channel; nothing else doubles.

The workers run on a SQLite site of their own (the test database is not shared with other
processes), so this runs once, in the SQLite run of the suite.
"""

import os
import signal
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import translation

from .botapi import TOKEN, BotAPI

CHANNEL = "@samizdat_en"
PUBLISH = """
import json, random
import django
django.setup()
from samizdat.newsroom import demo, services
scaffold = demo.create_scaffolding(random.Random(1))
editor = demo.create_staff("correct horse battery staple")["editor"]
article = services.create_article(
    editor, edition=scaffold["editions"]["en"], section=scaffold["sections"]["en"][0],
    headline="Killed mid-send", slug="killed-mid-send", lead="A lead.",
    author_ids=[scaffold["authors"][0].pk])
services.publish(article, editor)
print(json.dumps(article.pk))
"""


@pytest.mark.engine("sqlite")
def test_a_worker_killed_during_the_send(tmp_path):
    with BotAPI() as bot:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update({
            "SAMIZDAT_VAR_DIR": str(tmp_path / "site"), "SAMIZDAT_LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "samizdat.settings",
            "SAMIZDAT_TELEGRAM_API_URL": bot.url, "SAMIZDAT_TELEGRAM_BOT_TOKEN": TOKEN,
            "SAMIZDAT_TELEGRAM_CHANNEL_EN": CHANNEL,
            # A dead worker's task comes back after 3 s, its claim is stale after 4 s.
            "SAMIZDAT_TASK_HEARTBEAT_SECONDS": "1", "SAMIZDAT_TASK_LEASE_SECONDS": "3",
            "SAMIZDAT_TASK_SWEEP_SECONDS": "1", "SAMIZDAT_TELEGRAM_TIMEOUT": "1",
        })
        samizdat = [sys.executable, "-m", "samizdat"]
        subprocess.run([*samizdat, "migrate", "-v0"], env=env, check=True)
        subprocess.run([sys.executable, "-c", PUBLISH], env=env, check=True,
                       capture_output=True)
        worker = [*samizdat, "worker", "--no-startup-delay", "--interval", "0.2"]

        released = bot.hold("sendMessage")
        first = subprocess.Popen(worker, env=env, stderr=subprocess.DEVNULL)
        assert len(bot.wait_for(1)) == 1  # the request is with Telegram ...
        first.send_signal(signal.SIGKILL)  # ... and its worker dies before the answer
        first.wait(30)
        released.set()  # Telegram posts it all the same

        second = subprocess.Popen(worker, env=env, stderr=subprocess.DEVNULL)
        try:
            calls = bot.wait_for(2, timeout=60)
            assert [c.method for c in calls] == ["sendMessage", "sendMessage"]
        finally:
            second.send_signal(signal.SIGTERM)  # finishes the task it runs, then stops
            second.wait(60)
        # A later worker finds nothing left to do.
        subprocess.run([*worker, "--batch"], env=env, check=True, stderr=subprocess.DEVNULL)

        assert len(bot.calls) == 2
        with sqlite3.connect(tmp_path / "site" / "samizdat.sqlite3") as db:
            state, note, message_id, claim = db.execute(
                "SELECT state, note, message_id, claim FROM telegram_post").fetchone()
        assert state == "posted" and claim == ""
        with translation.override(settings.LANGUAGE_CODE):  # the worker's language
            assert note == translation.gettext(
                "An earlier attempt stopped while sending (its worker ended) and this post "
                "was sent again: check the channel for a second copy.")
        # Two messages in the channel: the window that remains, recorded, not hidden.
        assert sorted(bot.in_channel(CHANNEL)) == [message_id - 1, message_id]
