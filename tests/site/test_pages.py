"""Reader pages: content, fixed query counts, byte budgets, caching and bad input."""

import gzip
import random
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from samizdat.newsroom import demo, services
from samizdat.newsroom.models import Article, Author, Section, Tag
from tests.conftest import sign_in

CSS = Path(__file__).resolve().parents[2] / "src/samizdat/site/static/site/site.css"


@pytest.fixture
def archive(db):
    demo.create_staff("correct horse battery staple")
    demo.generate(300, seed=3)
    return Article.objects.published().filter(edition__language="en").select_related("edition")


def _urls():
    article = (Article.objects.published().filter(edition__language="en", tags__isnull=False)
               .select_related("edition").order_by("-published_at").first())
    section = Section.objects.filter(edition__language="en", primary_articles__status="published"
                                     ).first()
    tag = Tag.objects.filter(edition__language="en").first()
    day = article.pub_date
    return {
        "home": "/en/",
        "latest": "/en/news/",
        "section": section.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "author": Author.objects.first().get_absolute_url("en"),
        "year": f"/en/news/{day:%Y}/",
        "month": f"/en/news/{day:%Y/%m}/",
        "day": f"/en/news/{day:%Y/%m/%d}/",
        "article": article.get_absolute_url(),
        "page": "/en/about/",
        "support": "/en/support/",
    }


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_query_counts_are_fixed_whatever_the_archive_size(client, archive, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    urls = _urls()
    before = {name: _count(client, url) for name, url in urls.items()}
    limits = {"home": 20, "article": 16}
    for name, count in before.items():
        assert count <= limits.get(name, 10), (name, count)
    demo.generate(300, seed=4)
    after = {name: _count(client, url) for name, url in urls.items()}
    assert after == before


def test_article_page_content(client, make_article, scaffold):
    tag = scaffold["tags"]["en"][0]
    article = make_article(headline="Bridge reopens", lead="The lead.", is_photo_report=True,
                           tag_ids=[tag.pk], update_note="")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Bridge reopens" in html and "(Photo)" in html
    assert scaffold["sections"]["en"][0].name in html
    assert scaffold["authors"][0].name in html
    assert f"#{tag.name}" in html
    for target in ("t.me/share", "facebook.com/sharer", "x.com/intent", "vk.com/share",
                   "wa.me", "mailto:"):
        assert target in html
    assert "Write your comment" in html and "Follow us" in html
    assert "Support the website" in html
    scripts = re.findall(r"<script[^>]*>", html)
    # Data, the comment form's own progressive enhancement and the most-read beacon, all
    # from this site; no other code.
    assert scripts == ['<script type="application/ld+json">',
                       '<script src="/static/comments/comments.js" defer>',
                       f'<script src="/static/site/read.js" data-url="/read/{article.pk}/" '
                       'defer>'], scripts
    assert "style=" not in html and "@font-face" not in CSS.read_text()


@pytest.mark.parametrize("language, expected", [
    ("en", r"\d{1,2} [A-Z][a-z]+ \d{4}, [A-Z][a-z]+day, \d\d:\d\d"),
    ("ru", r"\d{1,2} [а-я]+ \d{4}, [а-я]+, \d\d:\d\d"),
    ("be", r"\d{1,2} [а-яўі]+ \d{4}, [а-яўі]+, \d\d:\d\d"),
])
def test_localised_date(client, make_article, language, expected):
    article = make_article(language=language)
    html = client.get(article.get_absolute_url()).content.decode()
    assert re.search(expected, html), html[:2000]


def test_language_switcher_leads_to_translation(client, make_article):
    en = make_article(language="en", headline="In English")
    ru = make_article(language="ru", headline="По-русски")
    Article.objects.filter(pk=ru.pk).update(translation_key=en.translation_key)
    html = client.get(en.get_absolute_url()).content.decode()
    with translation.override("ru"):
        assert f'href="{Article.objects.get(pk=ru.pk).get_absolute_url()}"' in html


def test_article_page_weight_within_budget(client, archive):
    article = archive.order_by("-published_at").first()
    html = client.get(article.get_absolute_url()).content
    total = len(gzip.compress(html)) + len(gzip.compress(CSS.read_bytes()))
    assert total <= 30 * 1024


@pytest.mark.parametrize("url", ["/en/news/9999/", "/en/news/9999/12/", "/en/news/9999/12/31/"])
def test_the_last_dates_python_knows_are_empty_archives(client, make_article, url):
    make_article()
    # Their periods end past 9999-12-31: the month and day ones answered 500 before.
    response = client.get(url)
    assert response.status_code == 200
    assert b'<li class="item' not in response.content


@pytest.mark.parametrize("url", [
    "/en/news/2024/13/45/", "/en/news/2024/02/30/x/", "/en/news/2024/02/30/",
    "/en/news/0000/", "/en/news/2024/00/", "/en/news/older/abc/",
    "/en/news/older/99999999999999999999-1/", "/en/news/older/1-99999999999999999999/",
"/en/section/no-such/", "/en/tag/no-such/", "/en/author/nobody/",
    "/en/no-such-page/", "/en/news/2024/05/03/no-such-slug/", "/xx/news/",
    "/en/section/x/older/1-1/",
    "/a/999999999/", "/en/news/2024/05/03/%D0%B6/",
])
def test_bad_input_gets_a_localised_404(client, make_article, url):
    make_article()  # an edition with sections, an author and an article: nothing they name
    response = client.get(url, follow=True)
    assert response.status_code == 404
    assert b'<html lang="' in response.content
    # The edition's own 404 page: its menus and a way home, not a bare error.
    assert b'class="sections"' in response.content and b'class="masthead"' in response.content


def test_cache_hit_etag_and_no_cookies(client, make_article, django_assert_num_queries):
    article = make_article()
    url = article.get_absolute_url()
    first = client.get(url)
    assert first["X-Page-Cache"] == "MISS"
    assert "public" in first["Cache-Control"]
    assert not first.cookies and "Cookie" not in first.get("Vary", "")
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second["X-Page-Cache"] == "HIT" and second.content == first.content
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_cached_pages_are_served_gzipped_to_those_who_accept_it(client, make_article):
    url = make_article().get_absolute_url()
    plain = client.get(url)
    for state in ("HIT", "HIT"):
        packed = client.get(url, HTTP_ACCEPT_ENCODING="br, gzip, deflate")
        assert packed["X-Page-Cache"] == state
        assert packed["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.content) == plain.content
        assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) / 2
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]
    # Each representation has its own validator.
    assert packed["ETag"] != plain["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=packed["ETag"],
                      HTTP_ACCEPT_ENCODING="gzip").status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 200


def test_publishing_invalidates_cached_pages(client, make_article, editor,
                                             django_capture_on_commit_callbacks):
    article = make_article(headline="First story")
    assert b"First story" in client.get("/en/").content
    with django_capture_on_commit_callbacks(execute=True):
        second = make_article(headline="Second story")
    assert b"Second story" in client.get("/en/").content
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish(second, editor)
    home = client.get("/en/")
    assert home["X-Page-Cache"] == "MISS" and b"Second story" not in home.content
    assert client.get(second.get_absolute_url()).status_code == 404
    assert client.get(article.get_absolute_url()).status_code == 200


def test_renaming_a_section_or_settings_shows_at_once(client, make_article, scaffold,
                                                       django_capture_on_commit_callbacks):
    from samizdat.newsroom.models import SiteSettings

    article = make_article()
    client.get("/en/")
    client.get(article.get_absolute_url())
    # The menu and footer are kept in memory between requests: the change must reach them.
    section = scaffold["sections"]["en"][0]
    with django_capture_on_commit_callbacks(execute=True):
        section.name = "Renamed section"
        section.save()
    with django_capture_on_commit_callbacks(execute=True):
        SiteSettings.objects.filter(edition=section.edition).update(contact_email="x@y.org")
        SiteSettings.objects.get(edition=section.edition).save()
    for url in ("/en/", article.get_absolute_url()):
        page = client.get(url)
        assert page["X-Page-Cache"] == "MISS"
        assert b"Renamed section" in page.content and b"x@y.org" in page.content


def test_keyset_pages_walk_the_whole_listing(client, archive):
    seen, url = [], "/en/news/"
    while url:
        html = client.get(url).content.decode()
        item = r'<li class="item[^"]*">(?:<picture>.*?</picture>)?\s*<a href="([^"]+)"'
        seen += re.findall(item, html)
        older = re.search(r'rel="next" href="([^"]+)"', html)
        url = older.group(1) if older else None
    assert len(seen) == len(set(seen)) == archive.count()


def _chain(client, url):
    """{older page address: the articles it lists} along a listing's "older" links."""
    pages = {}
    while url:
        html = client.get(url).content.decode()
        item = r'<li class="item[^"]*">(?:<picture>.*?</picture>)?\s*<a href="([^"]+)"'
        pages[url] = re.findall(item, html)
        older = re.search(r'rel="next" href="([^"]+)"', html)
        url = older.group(1) if older else None
    return pages


@pytest.mark.parametrize("stride", [1, 3, 7, 10, 64])
def test_anchored_pages_hold_about_the_page_size(stride):
    """Pages end at ids the anchor picks; a section whose ids come every 7th (articles
    written round the sections) must get pages of the same sizes as any other."""
    from types import SimpleNamespace

    from samizdat.site.pagination import _anchored_end

    rows = [SimpleNamespace(pk=5 + stride * i) for i in range(20_000)]
    sizes, at = [], 0
    while at < len(rows) - 41:
        sizes.append(_anchored_end(rows[at:at + 41], 20))
        at += sizes[-1]
    assert min(sizes) >= 10 and max(sizes) <= 40
    assert 16 < sum(sizes) / len(sizes) < 22
    assert sizes.count(40) / len(sizes) < 0.08  # pages cut for want of an anchor: rare


def test_older_pages_stay_put_when_an_article_is_published(client, archive, make_article,
                                                           django_capture_on_commit_callbacks):
    from samizdat.site.views import PAGE_SIZE

    before = _chain(client, "/en/news/")
    sizes = [len(items) for items in list(before.values())[1:-1]]
    assert min(sizes) >= PAGE_SIZE // 2 and max(sizes) <= 2 * PAGE_SIZE
    with django_capture_on_commit_callbacks(execute=True):
        make_article(headline="Fresh news")
    after = _chain(client, "/en/news/")
    # The first page and the one after it change; every page further back is the same page
    # at the same address (a baked copy rewrites two pages, caches stay valid).
    changed = [url for url in after if before.get(url) != after[url]]
    assert len(changed) <= 3 and len(after) > 3, changed
    assert sum(map(len, after.values())) == sum(map(len, before.values())) + 1


def test_drafts_are_invisible_and_preview_is_for_editors(client, make_article, editor):
    from samizdat.site.preview import make_token

    draft = make_article(status="draft", headline="Secret draft")
    preview = f"/en/preview/{make_token(draft)}/"
    assert client.get(preview).status_code == 302
    sign_in(client, editor)
    response = client.get(preview)
    assert b"Secret draft" in response.content
    assert "no-store" in response["Cache-Control"]
    assert client.get("/en/preview/tampered/").status_code == 404


def test_support_page_lists_methods_with_qr_codes(client, scaffold):
    random.seed(1)
    html = client.get("/en/support/").content.decode()
    assert "IBAN" in html and "bc1q" in html
    assert html.count("<svg") >= 2


def test_site_settings_from_the_admin_appear(client, scaffold):
    from samizdat.newsroom.models import Edition, SiteSettings, SocialAccount

    edition = scaffold["editions"]["en"]
    Edition.objects.filter(pk=edition.pk).update(site_name="Free Voice")
    SiteSettings.objects.filter(edition=edition).update(contact_email="desk@example.org",
                                                        contacts="PO Box 1, Vilnius")
    SocialAccount.objects.create(network="mastodon", label="Our Mastodon",
                                 url="https://social.example/@news")
    html = client.get("/en/").content.decode()
    for text in ("Free Voice", "desk@example.org", "PO Box 1, Vilnius", "Our Mastodon"):
        assert text in html


@pytest.mark.parametrize("language", ["be", "ru", "en"])
def test_article_addresses_are_what_the_urlconf_reverses(make_article, language):
    from django.urls import reverse

    article = make_article(language=language, slug="minsk-2024-protest_photos")
    day = article.pub_date
    with translation.override(language):
        expected = reverse("site:article", kwargs={
            "year": day.year, "month": f"{day.month:02d}", "day": f"{day.day:02d}",
            "slug": article.slug})
    assert article.get_absolute_url() == expected
    assert expected.startswith(f"/{language}/")
