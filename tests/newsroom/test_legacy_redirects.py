"""Addresses of the site a newsroom moved in from keep working: a 301 to what stands there now."""

import pytest
from django.core.exceptions import ValidationError

from samizdat.newsroom import redirects
from samizdat.newsroom.models import LegacyRedirect

CYRILLIC = "/навіны/старая/"
ENCODED = "/%D0%BD%D0%B0%D0%B2%D1%96%D0%BD%D1%8B/%D1%81%D1%82%D0%B0%D1%80%D0%B0%D1%8F/"


@pytest.mark.parametrize(("address", "expected"), [
    ("/?p=123", "/?p=123"),
    ("?p=123", "/?p=123"),
    ("/?utm_source=x&p=123&fbclid=y", "/?p=123"),
    ("/?tag=x&cat=5", "/?cat=5&tag=x"),
    ("/?page_id=7#comments", "/?page_id=7"),
    ("https://old.example.org/?author=3", "/?author=3"),
    ("http://old.example.org", "/"),
    ("https://old.example.org/news/2024/5/3/595203/", "/news/2024/5/3/595203/"),
    (ENCODED, CYRILLIC),
    (CYRILLIC + "?utm_medium=social", CYRILLIC),
    ("/?tag=%D0%BD%D0%BE%D0%B2", "/?tag=нов"),
    ("/about", "/about"),
    ("  about-us/  ", "/about-us/"),
])
def test_normalize(address, expected):
    assert redirects.normalize(address) == expected


def test_add_is_idempotent_and_replaces_the_target(db, make_article, scaffold):
    article = make_article(slug="moved-in")
    first = redirects.add("/?p=5", article=article, source="wordpress")
    again = redirects.add("https://old.example.org/?p=5&utm_source=x", article=article,
                          source="wordpress")
    assert first.pk == again.pk and LegacyRedirect.objects.count() == 1
    section = scaffold["sections"]["en"][0]
    redirects.add("/?p=5", section=section, source="admin")
    row = LegacyRedirect.objects.get()
    assert (row.article_id, row.section_id, row.source) == (None, section.pk, "admin")
    assert redirects.resolve("/", "p=5") == section.get_absolute_url()


def test_resolve_follows_the_article_and_refuses_an_unpublished_one(db, make_article, editor):
    from samizdat.newsroom import services

    article = make_article(slug="followed")
    redirects.add("/2019/05/03/old-wp-slug/", article=article, source="wordpress")
    assert redirects.resolve("/2019/05/03/old-wp-slug/") == article.get_absolute_url()
    # Without its trailing slash, percent-encoded or not, with tracking keys: the same.
    assert redirects.resolve("/2019/05/03/old-wp-slug") == article.get_absolute_url()
    assert redirects.resolve("/2019/05/03/old-wp-slug/?utm_source=x") == \
        article.get_absolute_url()
    services.unpublish(article, editor)
    assert redirects.resolve("/2019/05/03/old-wp-slug/") is None
    assert redirects.resolve("/never/") is None


def test_cyrillic_addresses_are_one_address(db, scaffold):
    page = scaffold["editions"]["be"].pages.first()
    target = page.get_absolute_url()
    redirects.add(ENCODED, page=page, source="csv")
    assert LegacyRedirect.objects.get().old_path == CYRILLIC
    assert redirects.resolve(CYRILLIC) == target
    assert redirects.resolve(ENCODED) == target


def test_add_many_in_bulk_last_one_wins(db, make_article, scaffold):
    articles = [make_article(slug=f"bulk-{n}") for n in range(3)]
    items = [(f"/?p={n}", {"article": a, "source": "wordpress"}) for n, a in enumerate(articles)]
    items += [("/?p=0", {"article": articles[2].pk, "source": "wordpress"}),
              ("/category/politics/", {"section": scaffold["sections"]["en"][0]}),
              ("/old-feed/", {"target": "/en/rss.xml", "source": "csv"})]
    assert redirects.add_many(items) == 5
    assert redirects.resolve("/?p=0") == articles[2].get_absolute_url()
    assert LegacyRedirect.objects.get(old_path="/category/politics/").source == "other"
    # Again: updated in place, nothing doubled.
    assert redirects.add_many(items) == 5
    assert LegacyRedirect.objects.count() == 5


@pytest.mark.parametrize(("address", "fields"), [
    ("/", {"target": "/en/"}),
    ("/a/../../etc/", {"target": "/en/"}),
    ("/both/", {"target": "/en/", "section": 1}),
    ("/none/", {}),
    ("/loop/", {"target": "/loop/"}),
    ("/far/", {"target": "//evil.example/"}),
    ("/x/", {"target": "/en/", "source": "nonsense"}),
])
def test_add_many_is_all_or_nothing(db, address, fields):
    items = [("/fine/", {"target": "/en/"}), (address, fields)]
    with pytest.raises(ValidationError, match="Item 2"):
        redirects.add_many(items)
    assert not LegacyRedirect.objects.exists()
