"""Fragment caching: a page-cache miss reuses the parts of a page that did not change, and
every change a reader could see reaches the page at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samizdat.comments import services as comments
from samizdat.comments.models import Comment, Status
from samizdat.newsroom import services
from samizdat.newsroom.models import Byline, Section
from samizdat.site import pagecache


@pytest.fixture
def no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0  # every request is a page-cache miss


def fresh(client, settings, url) -> bytes:
    """The page rendered whole, without any cached fragment."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    settings.FRAGMENT_CACHE_SECONDS = 0
    try:
        return client.get(url).content
    finally:
        settings.FRAGMENT_CACHE_SECONDS = seconds


def assert_current(client, settings, url) -> bytes:
    served = client.get(url)
    assert served["X-Page-Cache"] == "MISS"
    assert served.content == fresh(client, settings, url)
    return served.content


def test_a_miss_after_a_publication_reads_only_the_article_row(
        client, make_article, settings, django_capture_on_commit_callbacks):
    article = make_article(headline="Standing story")
    url = article.get_absolute_url()
    first = client.get(url)
    assert first["X-Page-Cache"] == "MISS"
    with django_capture_on_commit_callbacks(execute=True):
        make_article(language="ru", headline="Something else happened")
    with CaptureQueriesContext(connection) as queries:
        kept = client.get(url)
    # Render on write: a page the publication did not touch is taken forward.
    assert kept["X-Page-Cache"] == "HIT" and not queries
    pagecache.bump()  # what a change of sections or settings does: every page goes stale
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again["X-Page-Cache"] == "MISS"
    assert again.content == first.content
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert again.content == fresh(client, settings, url)


def test_every_change_a_reader_sees_reaches_the_page(
        client, make_article, scaffold, editor, settings, no_page_cache,
        django_capture_on_commit_callbacks):
    section = scaffold["sections"]["en"][0]
    older = make_article(headline="Older story in the section", tag_ids=[])
    article = make_article(headline="The story", lead="Its lead.")
    url = article.get_absolute_url()
    assert b"Older story in the section" in assert_current(client, settings, url)

    with django_capture_on_commit_callbacks(execute=True):  # an edit by the newsroom
        article.headline = "The story, corrected"
        article.save()
        services.save_article(article, editor)
    assert b"The story, corrected" in assert_current(client, settings, url)

    with django_capture_on_commit_callbacks(execute=True):  # a tag, then a byline
        article.tags.add(scaffold["tags"]["en"][1])
    assert f"#{scaffold['tags']['en'][1].name}".encode() in assert_current(client, settings, url)
    with django_capture_on_commit_callbacks(execute=True):
        Byline.objects.create(article=article, author=scaffold["authors"][1], position=5)
    assert scaffold["authors"][1].name.encode() in assert_current(client, settings, url)

    with django_capture_on_commit_callbacks(execute=True):  # a related article's headline
        older.headline = "Older story, renamed"
        older.save()
    assert b"Older story, renamed" in assert_current(client, settings, url)

    with django_capture_on_commit_callbacks(execute=True):  # a comment approved
        comment = comments.post(article, comments.Draft(name="Reader", body="First!"), "c1")
        comments.moderate(Comment.objects.filter(pk=comment.pk), Status.APPROVED, editor)
    assert b"First!" in assert_current(client, settings, url)

    with django_capture_on_commit_callbacks(execute=True):  # the section renamed
        section = Section.objects.get(pk=section.pk)
        section.name = "Renamed section"
        section.save()
    assert b"Renamed section" in assert_current(client, settings, url)

    with django_capture_on_commit_callbacks(execute=True):  # a translation published
        translation = make_article(language="ru", headline="Перевод")
        translation.translation_key = article.translation_key
        translation.save()
    page = assert_current(client, settings, url)
    assert translation.get_absolute_url().encode() in page

    with django_capture_on_commit_callbacks(execute=True):  # the related one moves away
        older.section = scaffold["sections"]["en"][1]
        older.save()
    assert b"Older story, renamed" not in assert_current(client, settings, url)

    with django_capture_on_commit_callbacks(execute=True):  # and the article itself goes
        services.unpublish(article, editor)
    assert client.get(url).status_code == 404


def test_the_home_page_reads_again_only_the_section_blocks_a_change_touched(
        client, make_article, scaffold, editor, settings, no_page_cache,
        django_capture_on_commit_callbacks):
    second = scaffold["sections"]["en"][1]
    with django_capture_on_commit_callbacks(execute=True):
        make_article(headline="Story in the first section")
        moved = make_article(headline="Story that will move")
    assert b"Story that will move" in assert_current(client, settings, "/en/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/en/")
    kept = len(queries)

    with django_capture_on_commit_callbacks(execute=True):  # a publication in one section
        make_article(headline="News in the first section")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/en/").content
    assert len(queries) == kept + 1, [q["sql"] for q in queries]  # that section's block
    assert b"News in the first section" in page
    assert page == fresh(client, settings, "/en/")

    with django_capture_on_commit_callbacks(execute=True):  # moved: two blocks change
        moved.section = second
        moved.save()
    page = assert_current(client, settings, "/en/")
    block = page[page.index(f'id="s-{second.slug}"'.encode()):]
    assert b"Story that will move" in block[:block.index(b"</section>")]
    with django_capture_on_commit_callbacks(execute=True):  # a section renamed
        second.name = "Renamed section"
        second.save()
    assert b"Renamed section" in assert_current(client, settings, "/en/")
    lite = "/en/lite/"
    assert b"Renamed section" in assert_current(client, settings, lite)
    with django_capture_on_commit_callbacks(execute=True):  # unpublished
        services.unpublish(moved, editor)
    assert b"Story that will move" not in assert_current(client, settings, "/en/")
    assert b"Story that will move" not in assert_current(client, settings, lite)


def test_the_text_only_page_follows_its_comments(
        client, make_article, editor, settings, no_page_cache,
        django_capture_on_commit_callbacks):
    article = make_article()
    url = article.get_absolute_url().replace("/en/", "/en/lite/", 1)
    assert b"Comments (0)" in assert_current(client, settings, url)
    with django_capture_on_commit_callbacks(execute=True):
        comment = comments.post(article, comments.Draft(name="Reader", body="Hello"), "c1")
        comments.moderate(Comment.objects.filter(pk=comment.pk), Status.APPROVED, editor)
    assert b"Comments (1)" in assert_current(client, settings, url)


def test_a_preview_shares_no_fragment_with_readers(client, make_article, editor, settings):
    from django.urls import reverse

    from samizdat.site.preview import make_token
    from tests.conftest import sign_in

    published = make_article(headline="Public story")
    draft = make_article(status="draft", headline="Secret draft")
    draft.translation_key = published.translation_key
    draft.save()
    sign_in(client, editor)
    assert b"Secret draft" in client.get(reverse("site:preview", args=[make_token(draft)])).content
    client.logout()
    assert b"Secret draft" not in client.get("/en/news/").content
    assert b"Secret draft" not in client.get(published.get_absolute_url()).content


def test_a_made_up_query_string_is_served_from_the_page_cache(client, make_article):
    article = make_article(headline="Shared widely")
    url = article.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "MISS"
    for query in ("?utm_source=telegram", "?x=1", "?x=2&y=%00", "?page=99"):
        again = client.get(url + query)
        assert again["X-Page-Cache"] == "HIT", query
        assert b"Shared widely" in again.content
    home = client.get("/en/?fresh=1")
    assert home.status_code == 200 and home["X-Page-Cache"] == "MISS"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/?other=2")["X-Page-Cache"] == "HIT"
    assert len(queries) == 0


def test_fragments_keep_out_of_the_page_cache(client, make_article):
    """Six parts per article must not push whole pages out of a worker's local cache."""
    from django.core.cache import caches

    client.get(make_article().get_absolute_url())
    pages, parts = caches["default"]._cache, caches["fragments"]._cache
    assert pages and all(":page:" in key for key in pages), list(pages)
    assert len(parts) >= 5 and all(":fragment:" in key for key in parts)
