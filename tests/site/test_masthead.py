"""The masthead: the logo mark, a labelled search control, the newsroom's own call to action."""

import re

import pytest
from django.core.exceptions import ValidationError

from samizdat.newsroom.models import SiteSettings


def _masthead(html: str) -> str:
    return re.search(r'<header class="masthead">.*?</header>', html, re.S).group(0)


def test_logo_mark_and_search_control(client, make_article):
    make_article()
    masthead = _masthead(client.get("/en/").content.decode())
    # The default logo: the site name's initial in a mark, hidden from screen readers,
    # which read the name beside it.
    assert re.search(r'<span class="logo" aria-hidden="true">\w</span><span class="name">',
                     masthead)
    # A plain GET form; the icon button has a name screen readers read.
    assert 'method="get"' in masthead and '<input type="search" name="q"' in masthead
    assert re.search(r'<button type="submit"><svg [^>]*aria-hidden="true"[^>]*>.*?</svg>'
                     r'<span class="visually-hidden">Search</span></button>', masthead, re.S)


def test_the_newsrooms_call_to_action_sits_beside_support(client, make_article, scaffold,
                                                          django_capture_on_commit_callbacks):
    article = make_article()
    assert 'class="campaign"' not in client.get("/en/").content.decode()
    settings = SiteSettings.objects.get(edition=scaffold["editions"]["en"])
    settings.campaign_text, settings.campaign_url = "Write to prisoners", "/en/about/"
    with django_capture_on_commit_callbacks(execute=True):
        settings.save()
    for url in ("/en/", article.get_absolute_url()):
        masthead = _masthead(client.get(url).content.decode())
        assert '<a class="campaign" href="/en/about/">Write to prisoners</a>' in masthead
        assert 'class="support-link"' in masthead
    # Only this edition's masthead shows it.
    assert 'class="campaign"' not in client.get("/ru/").content.decode()


@pytest.mark.parametrize("address, good", [
    ("/en/about/", True), ("https://example.org/campaign", True),
    ("javascript:alert(1)", False), ("//elsewhere.example/", False), ("about", False),
    ("/\\elsewhere.example/", False), ("/en/a b", False),
])
def test_call_to_action_addresses(scaffold, address, good):
    settings = SiteSettings(edition=scaffold["editions"]["en"], campaign_text="Go",
                            campaign_url=address)
    if good:
        settings.full_clean(exclude=["edition"])
    else:
        with pytest.raises(ValidationError):
            settings.full_clean(exclude=["edition"])
