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
    from django.utils.translation import override

    items = [("/fine/", {"target": "/en/"}), (address, fields)]
    with override("en"), pytest.raises(ValidationError, match="Item 2"):
        redirects.add_many(items)
    assert not LegacyRedirect.objects.exists()


# --- Served by the reader site --------------------------------------------------------------

def _legacy_queries(captured) -> int:
    return sum("newsroom_legacyredirect" in q["sql"] for q in captured.captured_queries)


@pytest.fixture
def moved_in(db, make_article, scaffold):
    article = make_article(slug="moved-in")
    page = scaffold["editions"]["be"].pages.first()
    redirects.add_many([
        ("/?p=595203", {"article": article, "source": "wordpress"}),
        ("/news/2024/5/3/595203/", {"article": article, "source": "csv"}),
        (ENCODED, {"page": page, "source": "wordpress"}),
        ("/en/about-the-old-site/", {"target": "/en/", "source": "admin"}),
        ("/?cat=5", {"section": scaffold["sections"]["en"][0], "source": "wordpress"}),
    ])
    return article, page


@pytest.mark.parametrize("address", [
    "/?p=595203", "/?utm_source=telegram&p=595203", "/news/2024/5/3/595203/",
    "/news/2024/5/3/595203",
])
def test_old_addresses_answer_301(client, moved_in, address):
    article, _page = moved_in
    response = client.get(address)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


@pytest.mark.parametrize("address", [CYRILLIC, ENCODED])
def test_cyrillic_old_address_encoded_or_not(client, moved_in, address):
    _article, page = moved_in
    response = client.get(address)
    assert response.status_code == 301 and response["Location"] == page.get_absolute_url()


def test_category_and_an_address_inside_an_edition(client, moved_in, scaffold):
    assert client.get("/?cat=5")["Location"] == scaffold["sections"]["en"][0].get_absolute_url()
    # Under a language prefix the page view answers 404 first; the redirect still wins.
    response = client.get("/en/about-the-old-site/")
    assert response.status_code == 301 and response["Location"] == "/en/"


def test_home_without_a_content_query_is_untouched(client, moved_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/?utm_source=x")
    assert response.status_code == 302 and response["Location"].startswith("/be/")
    assert _legacy_queries(captured) == 0
    assert client.get("/?p=999")["Location"].startswith("/be/")  # unknown: as before


def test_unpublished_target_is_a_404(client, moved_in, editor):
    from samizdat.newsroom import services

    article, _page = moved_in
    services.unpublish(article, editor)
    assert client.get("/news/2024/5/3/595203/").status_code == 404
    # /?p= of an unpublished article: nothing leads anywhere, "/" goes home as always.
    assert client.get("/?p=595203").status_code == 302


def test_one_query_on_a_404_and_none_on_a_page(client, moved_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article, _page = moved_in
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/en/no-such-page/").status_code == 404
    assert _legacy_queries(captured) == 1
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/news/2024/5/3/595203/").status_code == 301
    assert len(captured) == 1  # the redirect, its article and edition: one query
    with CaptureQueriesContext(connection) as captured:
        assert client.get(article.get_absolute_url()).status_code == 200
        assert client.get("/en/").status_code == 200
    assert _legacy_queries(captured) == 0


def test_a_new_redirect_makes_cached_pages_stale(client, db, scaffold,
                                                 django_capture_on_commit_callbacks):
    from samizdat.site import pagecache

    before = pagecache.content_version()
    assert client.get("/en/gone-page/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for n in range(3):
            redirects.add(f"/en/gone-page-{n}/", target="/en/")
        redirects.add("/en/gone-page/", target="/en/")
    assert len(callbacks) == 1  # one announcement for the transaction, however many rows
    assert pagecache.content_version() != before
    assert client.get("/en/gone-page/").status_code == 301


# --- The admin: the table, and a CSV import ---------------------------------------------------

ADMIN = "/admin/newsroom/legacyredirect/"


@pytest.fixture
def signed_in_editor(client, editor):
    from tests.conftest import sign_in

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(client, editor)
    return client


def _upload(client, text, name="old.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(ADMIN + "import-csv/", {
        "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")})


def test_csv_import_stores_every_line_and_is_audited(signed_in_editor, make_article):
    from samizdat.newsroom.models import AuditEntry

    article = make_article(slug="from-csv")
    response = _upload(signed_in_editor, (
        "old address,new address\n"
        f"/?p=77,article:{article.pk}\n"
        f"{ENCODED},/en/\n"
        "\n"
        "https://old.example.org/news/2024/5/3/595203/,https://example.org/elsewhere/\n"))
    assert response.status_code == 302
    assert LegacyRedirect.objects.filter(source="csv").count() == 3
    assert redirects.resolve("/?p=77") == article.get_absolute_url()
    assert redirects.resolve(CYRILLIC) == "/en/"
    entry = AuditEntry.objects.get(action="import")
    assert entry.details == {"addresses": 3, "file": "old.csv"}
    assert entry.actor_name == "editor" or entry.actor is not None


@pytest.mark.parametrize(("bad", "message"), [
    ("/only-one-column/", "Line 3: give two columns"),
    ("/x/,article:99999999", "Line 3: there is no article 99999999"),
    ("/x/,article:twelve", "Line 3: “article:twelve” is not article:&lt;number&gt;"),
    ("/,/en/", "Line 3 (/): The home page itself"),
    ("/y/,ftp://example.org/", "Line 3 (/y/): The new address ftp://example.org/ must be"),
])
def test_csv_with_a_bad_line_changes_nothing(signed_in_editor, bad, message):
    from samizdat.newsroom.models import AuditEntry

    response = _upload(signed_in_editor, f"/fine/,/en/\n/also-fine/,/en/\n{bad}\n/z/,/en/\n")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LegacyRedirect.objects.exists()
    assert not AuditEntry.objects.filter(action="import").exists()


def test_the_table_in_the_admin(signed_in_editor, scaffold):
    from samizdat.newsroom.models import AuditEntry

    redirects.add_many([("/?p=1", {"target": "/en/", "source": "wordpress"}),
                        (CYRILLIC, {"target": "/be/", "source": "csv"})])
    listing = signed_in_editor.get(ADMIN, {"source__exact": "csv"})
    assert listing.status_code == 200 and CYRILLIC in listing.content.decode()
    assert "import-csv/" in listing.content.decode()
    found = signed_in_editor.get(ADMIN, {"q": ENCODED}).content.decode()
    assert CYRILLIC in found and "?p=1" not in found
    # Added by hand, pasted percent-encoded with tracking: stored as the reader site sees it.
    response = signed_in_editor.post(ADMIN + "add/", {
        "old_path": "/%D0%B0%D0%B1/?p=3&utm_source=x", "query": "", "target": "/en/",
        "source": "admin"})
    assert response.status_code == 302, response.content.decode()[:3000]
    row = LegacyRedirect.objects.get(source="admin")
    assert (row.old_path, row.query) == ("/аб/", "p=3")
    assert AuditEntry.objects.filter(action="create", object_id=str(row.pk)).exists()
    response = signed_in_editor.post(ADMIN + "add/", {
        "old_path": "/both/", "target": "/en/", "section": str(scaffold["sections"]["en"][0].pk),
        "source": "admin"})
    assert response.status_code == 200 and "exactly one new address" in response.content.decode()
