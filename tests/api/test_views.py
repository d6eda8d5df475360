"""The API's endpoints: only published content, cursors, filters, errors and query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samizdat.newsroom import services
from samizdat.newsroom.models import Article, Author, Tag


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, (url, params, response.content)
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def walk(client, url, limit, **params):
    """Every item of a paginated list, following `next` to the end."""
    items, cursor, pages = [], None, 0
    while True:
        page = get(client, url, limit=limit, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            return items, pages
        assert pages < 100


@pytest.fixture
def every_status(make_article, editor):
    """One article in each state of the workflow; only the first is public."""
    published = make_article(headline="Out in the open")
    draft = make_article(status="draft", headline="Draft")
    review = make_article(status="review", headline="In review")
    scheduled = make_article(status="draft", headline="Scheduled")
    services.schedule(scheduled, editor, timezone.now() + datetime.timedelta(days=1))
    withdrawn = make_article(headline="Withdrawn")
    services.unpublish(withdrawn, editor)
    return published, [draft, review, scheduled, withdrawn]


def test_only_published_articles_are_listed_and_shown(client, every_status):
    published, hidden = every_status
    assert [a["id"] for a in get(client, "/api/v1/articles")["items"]] == [published.pk]
    detail = get(client, f"/api/v1/articles/{published.pk}")
    assert detail["headline"] == "Out in the open" and detail["body"] == published.body
    for article in hidden:
        error = get(client, f"/api/v1/articles/{article.pk}", status=404)
        assert error["detail"] and article.headline not in error["detail"]
    get(client, f"/api/v1/articles/{max(a.pk for a in hidden) + 1000}", status=404)


def test_an_article_item_carries_what_partners_show(client, make_article, scaffold, settings):
    settings.SITE_URL = "https://news.example.org"
    tags = scaffold["tags"]["en"][:2]
    first, second = scaffold["authors"][3], scaffold["authors"][1]
    article = make_article(headline="Bridge reopens", lead="The lead.", is_photo_report=True,
                           tag_ids=[t.pk for t in tags], author_ids=[first.pk, second.pk])
    item = get(client, "/api/v1/articles")["items"][0]
    section = scaffold["sections"]["en"][0]
    published_at = datetime.datetime.fromisoformat(item.pop("published_at"))
    assert abs(published_at - article.published_at) < datetime.timedelta(milliseconds=1)
    assert item == {
        "id": article.pk, "edition": "en", "headline": "Bridge reopens", "lead": "The lead.",
        "url": f"https://news.example.org{article.get_absolute_url()}",
        "updated_at": None,
        "section": {"slug": section.slug, "name": section.name},
        "tags": sorted(({"slug": t.slug, "name": t.name} for t in tags),
                       key=lambda t: t["name"]),
        "authors": [{"slug": first.slug, "name": first.name},
                    {"slug": second.slug, "name": second.name}],
        "is_photo_report": True, "has_video": False,
    }
    detail = get(client, f"/api/v1/articles/{article.pk}")
    detail.pop("published_at")
    assert detail == {**item, "body": article.body}


def test_the_cursor_walks_each_published_article_once(client, make_article):
    english = [make_article() for _ in range(23)]
    make_article("ru")
    make_article(status="draft")
    # Ties on the publication time are broken by id, also across a page boundary.
    same = timezone.now() - datetime.timedelta(hours=1)
    Article.objects.filter(pk__in=[a.pk for a in english[5:12]]).update(published_at=same)
    expected = list(Article.objects.published().filter(edition__language="en")
                    .order_by("-published_at", "-id").values_list("id", flat=True))
    items, pages = walk(client, "/api/v1/articles", limit=4, edition="en")
    assert [a["id"] for a in items] == expected and len(expected) == 23
    assert pages == 6
    everything, _ = walk(client, "/api/v1/articles", limit=50)
    assert len(everything) == 24


def test_filters(client, make_article, scaffold, editor):
    en, ru = scaffold["editions"]["en"], scaffold["editions"]["ru"]
    tag = Tag.objects.create(edition=en, name="Strike", slug="strike")
    ru_tag = Tag.objects.create(edition=ru, name="Забастовка", slug="strike")
    author = scaffold["authors"][5]
    tagged = make_article(tag_ids=[tag.pk])
    ru_tagged = make_article("ru", tag_ids=[ru_tag.pk])
    signed = make_article(author_ids=[author.pk])
    elsewhere = make_article()
    Article.objects.filter(pk=elsewhere.pk).update(section=scaffold["sections"]["en"][1])
    make_article(status="draft", tag_ids=[tag.pk], author_ids=[author.pk])

    def ids(**params):
        return {a["id"] for a in get(client, "/api/v1/articles", **params)["items"]}

    assert ids(edition="ru") == {ru_tagged.pk}
    assert ids(tag="strike", edition="en") == {tagged.pk}
    assert ids(tag="strike") == {tagged.pk, ru_tagged.pk}
    assert ids(author=author.slug) == {signed.pk}
    assert ids(author=author.slug, edition="ru") == set()
    assert ids(section="belarus", edition="en") == {tagged.pk, signed.pk}
    assert ids(section="belarus") == {tagged.pk, signed.pk, ru_tagged.pk}
    assert elsewhere.pk in ids(edition="en")


@pytest.mark.parametrize(("params", "status"), [
    ({"edition": "xx"}, 404),
    ({"section": "no-such-section"}, 404),
    ({"section": "politika", "edition": "en"}, 404),  # a slug of another edition
    ({"tag": "no-such-tag"}, 404),
    ({"author": "nobody"}, 404),
    ({"cursor": "abc"}, 422),
    ({"cursor": "0-0"}, 422),
    ({"cursor": "1" * 30 + "-1"}, 422),
    ({"cursor": "-5"}, 422),
    ({"limit": "0"}, 422),
    ({"limit": "51"}, 422),
    ({"limit": "many"}, 422),
    ({"edition": "EN\x00"}, 422),
    ({"section": "a\x00b"}, 422),
])
def test_bad_parameters_get_a_json_4xx(client, scaffold, params, status):
    error = get(client, "/api/v1/articles", status=status, **params)
    assert isinstance(error["detail"], str) and error["detail"]
    if status == 422:
        assert error["errors"] and error["errors"][0]["loc"][-1] in params


@pytest.mark.parametrize("path", ["0", "-1", "abc", "9" * 25, "1.5"])
def test_bad_article_numbers_get_a_json_4xx(client, scaffold, path):
    response = client.get(f"/api/v1/articles/{path}")
    assert response.status_code in (404, 422)
    assert response.json()["detail"]


def test_a_cursor_past_the_end_gives_an_empty_page(client, make_article):
    make_article()
    assert get(client, "/api/v1/articles", cursor="1-1") == {"items": [], "next": None}


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        get(client, url)
    return len(queries)


def test_query_counts_do_not_grow_with_the_page(client, make_article, scaffold, editor):
    tags = [t.pk for t in scaffold["tags"]["en"][:3]]
    authors = [a.pk for a in scaffold["authors"][:2]]
    urls = ["/api/v1/articles?limit=50", "/api/v1/articles?edition=en&limit=50",
            f"/api/v1/articles?edition=en&tag={scaffold['tags']['en'][0].slug}&section=belarus"
            f"&author={scaffold['authors'][0].slug}&limit=50",
            "/api/v1/tags?limit=50", "/api/v1/authors?limit=50", "/api/v1/sections",
            "/api/v1/editions"]
    for _ in range(5):
        make_article(tag_ids=tags, author_ids=authors)
    article = Article.objects.published().first()
    before = {url: _count(client, url) for url in urls}
    before_detail = _count(client, f"/api/v1/articles/{article.pk}")
    for n in range(35):
        extra = Tag.objects.create(edition=scaffold["editions"]["en"], name=f"T{n}", slug=f"t{n}")
        byline = Author.objects.create(name=f"A{n}", slug=f"a{n}")
        make_article(tag_ids=[*tags, extra.pk], author_ids=[*authors, byline.pk])
    assert get(client, "/api/v1/articles?limit=50")["items"][39]
    after = {url: _count(client, url) for url in urls}
    assert after == before
    assert before[urls[0]] <= 3 and before[urls[2]] <= 7
    assert _count(client, f"/api/v1/articles/{article.pk}") == before_detail <= 3


def test_editions_and_sections(client, scaffold, settings):
    settings.SITE_URL = "https://news.example.org"
    editions = get(client, "/api/v1/editions")
    assert [e["language"] for e in editions] == ["be", "ru", "en"]
    assert editions[2]["url"] == "https://news.example.org/en/"
    assert editions[2]["site_name"] == scaffold["editions"]["en"].site_name
    sections = get(client, "/api/v1/sections", edition="en")
    assert [s["slug"] for s in sections] == [s.slug for s in scaffold["sections"]["en"]]
    first = scaffold["sections"]["en"][0]
    assert sections[0]["url"] == f"https://news.example.org{first.get_absolute_url()}"
    assert {s["edition"] for s in get(client, "/api/v1/sections")} == {"be", "ru", "en"}


def test_tags_and_authors_are_those_of_published_articles(client, make_article, scaffold):
    en = scaffold["editions"]["en"]
    used = [Tag.objects.create(edition=en, name=f"Used {n}", slug=f"used-{n}") for n in range(7)]
    unused = Tag.objects.create(edition=en, name="Embargoed", slug="embargoed")
    ru_tag = scaffold["tags"]["ru"][0]
    hidden_author = Author.objects.create(name="Not yet public", slug="not-yet-public")
    make_article(tag_ids=[t.pk for t in used], author_ids=[scaffold["authors"][0].pk])
    make_article("ru", tag_ids=[ru_tag.pk], author_ids=[scaffold["authors"][1].pk])
    make_article(status="draft", tag_ids=[unused.pk], author_ids=[hidden_author.pk])

    tags, pages = walk(client, "/api/v1/tags", limit=3, edition="en")
    assert [t["slug"] for t in tags] == [t.slug for t in used] and pages == 3
    assert tags[0]["edition"] == "en" and tags[0]["url"].endswith(used[0].get_absolute_url())
    everywhere, _ = walk(client, "/api/v1/tags", limit=50)
    assert {t["slug"] for t in everywhere} == {*(t.slug for t in used), ru_tag.slug}

    authors, _ = walk(client, "/api/v1/authors", limit=1)
    assert [a["slug"] for a in authors] == [a.slug for a in scaffold["authors"][:2]]
    assert get(client, "/api/v1/tags", edition="xx", status=404)["detail"]


def test_search(client, make_article, scaffold, settings):
    found = make_article(headline="Zebras crossing the border", body="<p>Zebras everywhere.</p>")
    make_article(status="draft", headline="Secret zebras")
    make_article("ru", headline="Зебры")
    result = get(client, "/api/v1/search", q="zebras", edition="en")
    assert [a["id"] for a in result["items"]] == [found.pk]
    hit = result["items"][0]
    assert "<mark>" in hit["headline_html"] and hit["score"] > 0 and result["total"] == 1
    assert hit["url"].endswith(found.get_absolute_url()) and hit["authors"]
    assert result["next"] is None
    assert get(client, "/api/v1/search", q="zebras\x00")["items"][0]["id"] == found.pk
    assert get(client, "/api/v1/search", q="zebras", author="nobody", status=404)["detail"]
    # The engine refuses what it cannot search: the reason comes back as a 400.
    assert get(client, "/api/v1/search", q="a", status=400)["detail"]
    # "belarus" is a section of every edition: which one is meant must be said.
    assert get(client, "/api/v1/search", q="zebras", section="belarus", status=400)["detail"]
    assert get(client, "/api/v1/search", q="zebras", section="belarus", edition="en",
               **{"from": "1900-01-01", "to": "2200-01-01"})["items"][0]["id"] == found.pk
    # Any date range was accepted, and 0001 to 9999 cost 20 searches (issue 22, finding 15).
    for wide in ({"from": "0001-01-01"}, {"to": "9999-12-30"}, {"from": "1899-12-31"}):
        assert "1900" in get(client, "/api/v1/search", q="zebras", status=400,
                             **wide)["detail"]
    assert get(client, "/api/v1/search", q="zebras", **{"from": "2001-01-01",
                                                         "to": "2001-12-31"})["items"] == []


def test_search_pages(client, make_article):
    for n in range(23):
        make_article(headline=f"Flood report {n}")
    first = get(client, "/api/v1/search", q="flood")
    assert len(first["items"]) == 20 and first["total"] == 23 and first["next"] == "2"
    second = get(client, "/api/v1/search", q="flood", cursor=first["next"])
    assert len(second["items"]) == 3 and second["next"] is None
    assert {a["id"] for a in first["items"]}.isdisjoint(a["id"] for a in second["items"])
