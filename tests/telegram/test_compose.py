"""Cutting to Telegram's limits as Telegram counts, and the client's errors without the token."""

import pytest

from samizdat.telegram.client import Bot, BotAPIError
from samizdat.telegram.compose import cut, length
from tests.net import free_port


def test_length_counts_utf16_units_like_telegram():
    assert length("Мінск") == 5
    assert length("🔥 news") == 7  # the emoji is two units


@pytest.mark.parametrize("text, budget, expected", [
    ("short enough", 50, "short enough"),
    ("Thousands walked to the square in the rain", 30, "Thousands walked to the…"),
    ("Тысячы людзей выйшлі на плошчу", 20, "Тысячы людзей…"),
    ("🔥🔥🔥🔥🔥🔥 fire", 8, "🔥🔥🔥…"),
    ("anything", 1, ""),
])
def test_cut_ends_at_a_word_within_the_budget(text, budget, expected):
    assert cut(text, budget) == expected
    assert length(cut(text, budget)) <= budget


def test_an_unreachable_api_is_a_passing_error_without_the_token():
    bot = Bot("123:very-secret", f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(BotAPIError) as caught:
        bot.call("sendMessage", {"chat_id": "@x", "text": "hi"})
    assert caught.value.code is None and not caught.value.permanent
    assert "very-secret" not in str(caught.value)


def test_answers_classify_as_telegram_means():
    assert BotAPIError("sendPhoto", 403, "Forbidden").permanent
    assert BotAPIError("sendPhoto", 401, "Unauthorized").permanent
    assert not BotAPIError("sendPhoto", 429, "Too Many Requests", retry_after=3).permanent
    assert not BotAPIError("sendPhoto", 502, "Bad Gateway").permanent
