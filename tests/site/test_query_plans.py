"""The plans PostgreSQL chooses for the reader pages' hot queries (issue 24).

A reader list must walk an index newest first and stop at its page, at any archive size:
a plan that sorts a whole edition, scans the article table or hashes it into a join costs
milliseconds on a test database and seconds at 1,000,000 articles. The SQL is taken from
the pages themselves (page and fragment caches off), so these tests follow the views; the
database holds a few thousand demo articles with planner statistics, enough that the
planner would choose a bad plan here if it chose one at scale.
"""

import io
import json

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from samizdat.newsroom import demo
from samizdat.newsroom.models import Article, Author, Byline, Edition, Section, Tag

pytestmark = [pytest.mark.engine("postgresql"), pytest.mark.django_db]

ARTICLES = 4500
ARTICLE_TABLE = "newsroom_article"


# ANALYZE writes a table's row and page counts into pg_class in place, which a rollback
# leaves; they are put back, so that later tests see the tables as never analysed.
SIZES = "SELECT oid, reltuples, relpages, relallvisible FROM pg_class WHERE relkind IN ('r', 'i')"


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, tmp_path_factory):
    """A demo archive with statistics, once for the module, rolled back after it."""
    tmp = tmp_path_factory.mktemp("plans")
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(SIZES)
            sizes = cursor.fetchall()
        with (transaction.atomic(),
              override_settings(VAR_DIR=tmp / "var", MEDIA_ROOT=tmp / "var" / "media")):
            demo.generate(ARTICLES, stream=io.StringIO())  # ends with ANALYZE (newsroom.bulk)
            yield Edition.objects.get(language="en")
            transaction.set_rollback(True)
        with connection.cursor() as cursor:
            cursor.executemany("UPDATE pg_class SET reltuples = %s, relpages = %s, "
                               "relallvisible = %s WHERE oid = %s",
                               [(tuples, pages, visible, oid)
                                for oid, tuples, pages, visible in sizes])


@pytest.fixture
def pages(settings, archive):
    settings.PAGE_CACHE_SECONDS = 0  # every request is a page-cache miss
    settings.FRAGMENT_CACHE_SECONDS = 0  # and renders every part of the page
    settings.SEARCH_RATE_LIMIT = 10**6
    cache.clear()
    return Client(REMOTE_ADDR="10.0.0.7")


def explained(client, url, params=None) -> list[tuple[str, dict]]:
    """Each query the page ran that reads the articles or the search index, with its plan,
    planned under the settings the code gave it (search sets some just before its query)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    plans, settings_sql = [], None
    for query in ctx.captured_queries:
        sql = query["sql"]
        if sql.startswith("SELECT set_config("):
            settings_sql = sql
            continue
        given, settings_sql = settings_sql, None
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        if ARTICLE_TABLE not in sql and "search_document" not in sql:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            if given:
                cursor.execute(given)
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            transaction.set_rollback(True)  # and the settings with it
        plans.append((sql, (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]))
    return plans


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def describe(plan: dict, depth: int = 0) -> str:
    line = "  " * depth + plan["Node Type"] + "".join(
        f" {key}={plan[key]}" for key in ("Relation Name", "Index Name", "Scan Direction",
                                          "Plan Rows") if key in plan)
    return "\n".join([line, *(describe(c, depth + 1) for c in plan.get("Plans", ()))])


def assert_no_whole_table_plans(plans, edition_rows: int) -> None:
    """No query of the page reads the article table (or the search index) whole, hashes a
    large part of it into a join, or sorts a large part of an edition: a join or a sort is
    fine over the few rows an index found (five related articles by id, a tag's articles),
    not over a share of the edition that grows with the archive."""
    few = edition_rows / 4
    for sql, plan in plans:
        shown = f"{sql}\n{describe(plan)}"
        for node in nodes(plan):
            kind = node["Node Type"]
            assert not (kind == "Seq Scan" and node.get("Relation Name") in (
                ARTICLE_TABLE, "search_document")), shown
            if kind in ("Hash Join", "Merge Join"):
                assert all(n["Plan Rows"] < few for n in nodes(node)
                           if n.get("Relation Name") == ARTICLE_TABLE), shown
            if kind in ("Sort", "Incremental Sort"):
                assert node["Plans"][0]["Plan Rows"] < few, shown


def list_query(plans, marker: str = 'ORDER BY "newsroom_article"."published_at" DESC'):
    """The page's article list: the query ordered newest first with a LIMIT."""
    found = [(sql, plan) for sql, plan in plans if marker in sql and "LIMIT" in sql]
    assert found, "\n\n".join(sql for sql, _ in plans)
    return found


# The indexes a reader list walks backwards by (published_at, id): the edition's, the
# section's, or the whole site's (with the edition as a filter; the planner takes it when
# the edition is a large share of the site, as it is in the demo).
FEEDS = ("article_edition_feed", "article_section_feed", "article_site_feed")


def assert_index_walk(sql: str, plan: dict, indexes: tuple[str, ...] = FEEDS) -> None:
    """A Limit over an index walk of the articles: a feed index read backwards in date
    order, with no sort; or, for a list bounded by dates (breaking news of the last two
    days, a day of the archive), a range of a feed index, whose few rows may be sorted
    (assert_no_whole_table_plans bounds that sort)."""
    shown = f"{sql}\n{describe(plan)}"
    assert plan["Node Type"] == "Limit", shown
    scans = [n for n in nodes(plan) if n.get("Relation Name") == ARTICLE_TABLE]
    assert len(scans) == 1, shown
    scan = scans[0]
    if '"published_at" >=' in sql:
        used = scan.get("Index Name") or next(
            (n.get("Index Name") for n in nodes(scan) if n["Node Type"] == "Bitmap Index Scan"),
            None)
        assert scan["Node Type"] in ("Index Scan", "Bitmap Heap Scan") and used in indexes, shown
    else:
        assert (scan["Node Type"], scan.get("Scan Direction")) == ("Index Scan", "Backward"), shown
        assert scan["Index Name"] in indexes, shown
        assert not any(n["Node Type"] in ("Sort", "Incremental Sort") for n in nodes(plan)), shown


def edition_rows(edition) -> int:
    return Article.objects.filter(edition=edition).count()


def test_home_page_walks_the_edition_feed(pages, archive):
    plans = explained(pages, archive.get_absolute_url())
    assert_no_whole_table_plans(plans, edition_rows(archive))
    lists = list_query(plans)
    assert len(lists) >= 4  # latest, breaking, lead, photo reports, section blocks
    for sql, plan in lists:
        assert_index_walk(sql, plan)


def test_latest_and_day_archive_walk_the_edition_feed(pages, archive):
    newest = Article.objects.published().filter(edition=archive).first()
    for url in ("/en/news/", f"/en/news/{newest.pub_date:%Y/%m/%d}/"):
        plans = explained(pages, url)
        assert_no_whole_table_plans(plans, edition_rows(archive))
        for sql, plan in list_query(plans):
            assert_index_walk(sql, plan)


def test_section_page_walks_the_section_feed(pages, archive):
    section = (Section.objects.filter(edition=archive, primary_articles__isnull=False)
               .order_by("pk").first())
    plans = explained(pages, section.get_absolute_url())
    assert_no_whole_table_plans(plans, edition_rows(archive))
    for sql, plan in list_query(plans):
        assert_index_walk(sql, plan, ("article_section_feed",))


def assert_bounded_list(sql: str, plan: dict) -> None:
    """A list of a tag's or an author's articles: a walk of a feed index probing the tag
    (or byline) of each article, or the tag's own rows fetched by id and sorted, which the
    planner may prefer while they are few (assert_no_whole_table_plans bounds that sort)."""
    shown = f"{sql}\n{describe(plan)}"
    assert plan["Node Type"] == "Limit", shown
    scans = {n["Node Type"]: n.get("Index Name") for n in nodes(plan)
             if n.get("Relation Name") == ARTICLE_TABLE}
    assert scans in ({"Index Scan": name} for name in (*FEEDS, "newsroom_article_pkey")), shown


def test_tag_page_is_bounded(pages, archive):
    tag = Tag.objects.filter(edition=archive, articles__isnull=False).order_by("pk").first()
    plans = explained(pages, tag.get_absolute_url())
    assert_no_whole_table_plans(plans, edition_rows(archive))
    for sql, plan in list_query(plans):
        assert_bounded_list(sql, plan)


def test_author_page_is_bounded(pages, archive):
    author = Author.objects.get(pk=Byline.objects.filter(
        article__edition=archive).order_by("author_id").values("author_id")[:1])
    plans = explained(pages, author.get_absolute_url("en"))
    assert_no_whole_table_plans(plans, edition_rows(archive))
    for sql, plan in list_query(plans):
        assert_bounded_list(sql, plan)


def test_article_page_is_one_index_lookup(pages, archive):
    article = Article.objects.published().filter(edition=archive).order_by("pk")[100]
    plans = explained(pages, article.get_absolute_url())
    assert_no_whole_table_plans(plans, edition_rows(archive))
    lookup = [(sql, plan) for sql, plan in plans if '"slug" = ' in sql]
    assert lookup
    for _sql, plan in lookup:
        scans = [n for n in nodes(plan) if n.get("Relation Name") == ARTICLE_TABLE]
        assert [n["Node Type"] for n in scans] == ["Index Scan"], describe(plan)
        assert "slug" in scans[0]["Index Cond"], describe(plan)  # one row found by its address


def test_search_walks_the_date_index_for_a_common_word(pages, archive):
    plans = explained(pages, "/en/search/", {"q": "teachers"})
    assert_no_whole_table_plans(plans, edition_rows(archive))
    walks = [(sql, plan) for sql, plan in plans if "row_number()" in sql]
    assert walks and not any("MATERIALIZED" in sql for sql, _ in plans)
    for sql, plan in walks:
        shown = f"{sql}\n{describe(plan)}"
        assert plan["Node Type"] == "Limit", shown
        scans = {(n["Node Type"], n.get("Index Name")) for n in nodes(plan)
                 if n.get("Relation Name") == "search_document"}
        # The walk, and the edition's oldest date (one index entry).
        assert scans == {("Index Scan", "search_document_feed"),
                         ("Index Only Scan", "search_document_feed")}, shown
        assert not any(n["Node Type"] in ("Sort", "Incremental Sort", "Bitmap Heap Scan")
                       for n in nodes(plan)), shown


def test_search_asks_the_text_index_for_a_rare_word(pages, archive, monkeypatch):
    """After a short walk found nothing: the rows left are many and the matches few, as at
    scale (the first walk reads a small part of a large edition)."""
    from samizdat.search.engines import PostgresEngine

    monkeypatch.setattr(PostgresEngine, "WALK_ROWS", 100)
    plans = explained(pages, "/en/search/", {"q": "tramway"})
    assert_no_whole_table_plans(plans, edition_rows(archive))
    lookups = [(sql, plan) for sql, plan in plans if "MATERIALIZED" in sql]
    assert lookups  # after one walk of the newest rows found nothing
    for sql, plan in lookups:
        assert any(n["Node Type"] == "Bitmap Index Scan" and
                   n["Index Name"] == "search_document_text" for n in nodes(plan)), (
            f"{sql}\n{describe(plan)}")


def test_a_sort_of_an_edition_would_be_caught(pages, archive):
    """The archive is large enough that without its feed indexes the planner reads and
    sorts a whole edition for the home page, and the checks above see it."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX article_edition_feed, article_site_feed")
        plans = explained(pages, archive.get_absolute_url())
        transaction.set_rollback(True)
    with pytest.raises(AssertionError):
        assert_no_whole_table_plans(plans, edition_rows(archive))
    with pytest.raises(AssertionError):
        for sql, plan in list_query(plans):
            assert_index_walk(sql, plan)
