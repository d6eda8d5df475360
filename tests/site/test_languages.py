"""No English on the Belarusian and Russian editions' reader pages.

Each page's visible text, and the text a reader meets in attributes (labels, placeholders,
the description), is read for Latin words; the only ones allowed are names that stay the
same in every language (networks, currencies, Tor) and the English edition's own name.
"""

import html
import re

import pytest

from samizdat.comments import services as comments
from samizdat.newsroom.models import DonationMethod, Edition

NAMES = {
    "RSS", "Telegram", "YouTube", "Instagram", "Facebook", "X", "VK", "WhatsApp", "Tor",
    "Browser", "PayPal", "Bitcoin", "USDT", "TRC20", "EUR", "QR", "Ed25519", "mirrors.json",
    "BE", "RU", "EN",  # the language switcher's codes
}
ATTRIBUTES = re.compile(r'\b(?:aria-label|placeholder|title|alt|content)="([^"]*)"')
HIDDEN = re.compile(r"(?is)<(script|style|code)\b.*?</\1>")  # and wallet addresses
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\.[a-z]+)?")
MACHINE_READ = re.compile(r"^(?:https?://|/|\d{4}-\d\d-\d\dT|width=|summary|website|article$|noindex)")


def _english(page: str, allowed: set[str]) -> list[str]:
    head = re.search(r"(?is)<head>.*?</head>", page)
    head = head.group(0) if head else ""
    body = HIDDEN.sub(" ", page.replace(head, ""))
    said = [*re.findall(r"(?is)<title>(.*?)</title>", head), *ATTRIBUTES.findall(head),
            *ATTRIBUTES.findall(body), *re.sub(r"<[^>]+>", "\n", body).split("\n")]
    found = []
    for text in map(html.unescape, said):
        if MACHINE_READ.match(text):
            continue
        found += [w for w in LATIN.findall(text) if w not in allowed]
    return found


@pytest.fixture
def pages(client, make_article, scaffold, settings):
    settings.NEWSLETTER_SUBSCRIBER_KEY = "test-subscriber-key-0123456789-abcdefghij"

    def urls(language):
        tag = scaffold["tags"][language][0]
        article = make_article(language=language, tag_ids=[tag.pk], headline="Мост адкрылі",
                               lead="Пасля рамонту.", body="<p>Рух аднавіўся.</p>")
        comments.post(article, comments.Draft(name="Чытач", body="Дзякуй за тэкст."), "test")
        day = article.pub_date
        return [
            f"/{language}/", f"/{language}/news/", scaffold["sections"][language][0]
            .get_absolute_url(), tag.get_absolute_url(),
            scaffold["authors"][-1].get_absolute_url(language),
            f"/{language}/news/{day:%Y}/", f"/{language}/news/{day:%Y/%m}/",
            f"/{language}/news/{day:%Y/%m/%d}/", article.get_absolute_url(),
            f"/{language}/about/", f"/{language}/support/", f"/{language}/search/",
            f"/{language}/search/?q={article.headline.split()[0]}", f"/{language}/popular/",
            f"/{language}/mirrors/", f"/{language}/comments/{article.pk}/",
            f"/{language}/no-such-page/", f"/{language}/lite/",
            article.get_absolute_url().replace(f"/{language}/", f"/{language}/lite/", 1),
            f"/{language}/lite/support/",
        ]

    return urls


@pytest.mark.parametrize("language", ["be", "ru"])
def test_no_english_on_reader_pages(client, pages, language):
    allowed = NAMES | set(Edition.objects.get(language="en").site_name.split())
    # Bank details are written as the bank needs them.
    for details in DonationMethod.objects.values_list("details", flat=True):
        allowed |= set(LATIN.findall(details))
    found = {}
    for url in pages(language):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        english = _english(response.content.decode(), allowed)
        if english:
            found[url] = sorted(set(english))
    assert not found, "\n".join(f"{url}: {words}" for url, words in found.items())
