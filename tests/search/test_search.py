"""Search: both engines (this file runs on SQLite and again on PostgreSQL), the index kept in
step with the newsroom's actions, filters, ranking, snippets, limits and the page."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samizdat.newsroom import services
from samizdat.search import engines, text
from samizdat.search import query as search_query
from samizdat.search.engines import engine
from samizdat.search.query import search

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; pages choose their language from the address."""
    from django.utils.translation import override

    with override("en"):
        yield


def found(results):
    return [hit.article.pk for hit in results.hits]


def test_engine_matches_the_database():
    assert type(engine()).__name__ == (
        "PostgresEngine" if connection.vendor == "postgresql" else "SqliteEngine")


def test_word_forms_are_found_in_each_language(make_article, scaffold):
    ru = make_article("ru", headline="Суд в Минске", body="<p>Журналистов судили в Минске.</p>")
    be = make_article("be", headline="Суд у Мінску", body="<p>Журналістаў судзілі ў Мінску.</p>")
    en = make_article("en", headline="Protesters return", body="<p>Protests in Minsk.</p>")
    make_article("ru", headline="Погода", body="<p>Дождь.</p>")
    ru_ed, be_ed, en_ed = (scaffold["editions"][x] for x in ("ru", "be", "en"))
    assert found(search("минск журналисты", editions=[ru_ed])) == [ru.pk]
    assert found(search("Мінск журналісты", editions=[be_ed])) == [be.pk]
    assert found(search("protest", editions=[en_ed])) == [en.pk]
    assert found(search("PROTESTS", editions=[en_ed])) == [en.pk]
    # Editions are searched each with its own language; "all" finds all three.
    every = search("Minsk минск мінск", editions=list(scaffold["editions"].values()))
    assert every.hits == []  # all words must match, and no article has all three
    assert set(found(search("суд", editions=[ru_ed, be_ed]))) == {ru.pk, be.pk}


def test_phrases_and_all_words(make_article, scaffold):
    one = make_article(headline="Border closed", body="<p>The border with Poland closed.</p>")
    two = make_article(headline="Poland votes", body="<p>Closed border talks resume.</p>")
    en = [scaffold["editions"]["en"]]
    assert set(found(search("border poland", editions=en))) == {one.pk, two.pk}
    assert found(search('"poland closed"', editions=en)) == [one.pk]
    assert found(search('"closed border"', editions=en)) == [two.pk]


def test_index_follows_publish_update_unpublish_and_delete(make_article, scaffold, editor):
    en = [scaffold["editions"]["en"]]
    draft = make_article(status="draft", headline="Secret draft zebra")
    assert found(search("zebra", editions=en)) == []
    services.publish(draft, editor)
    assert found(search("zebra", editions=en)) == [draft.pk]
    draft.headline = "Public giraffe"
    draft.save()  # as the admin's form does, before the action records the edit
    services.save_article(draft, editor)
    assert found(search("zebra", editions=en)) == []
    assert found(search("giraffe", editions=en)) == [draft.pk]
    services.unpublish(draft, editor)
    assert found(search("giraffe", editions=en)) == []
    services.publish(draft, editor)
    assert found(search("giraffe", editions=en)) == [draft.pk]
    draft.delete()
    assert found(search("giraffe", editions=en)) == []


def test_filters_by_section_author_dates_and_edition(make_article, scaffold):
    en = scaffold["editions"]["en"]
    sec_a, sec_b = scaffold["sections"]["en"][:2]
    alice, bob = scaffold["authors"][:2]
    old = make_article(headline="River flood", section=True, author_ids=[alice.pk])
    old.published_at = timezone.now() - datetime.timedelta(days=400)
    old.save()
    new = make_article(headline="River bridge", author_ids=[bob.pk])
    new.section = sec_b
    new.save()
    ru = make_article("ru", headline="River на русском")
    assert set(found(search("river", editions=[en]))) == {old.pk, new.pk}
    assert found(search("river", editions=[en], section=sec_a)) == [old.pk]
    assert found(search("river", editions=[en], section=sec_b)) == [new.pk]
    assert found(search("river", editions=[en], author=bob)) == [new.pk]
    services.set_bylines(new, [alice.pk])  # the author filter follows bylines
    assert found(search("river", editions=[en], author=bob)) == []
    assert set(found(search("river", editions=[en], author=alice))) == {old.pk, new.pk}
    today = timezone.localdate()
    assert found(search("river", editions=[en], date_from=today - datetime.timedelta(days=1),
                        date_to=today)) == [new.pk]
    assert found(search("river", editions=[en], date_to=today - datetime.timedelta(days=300))
                 ) == [old.pk]
    assert ru.pk in found(search("river", editions=list(scaffold["editions"].values())))
    assert search("river", editions=[en], date_from=today, date_to=today.replace(
        year=today.year - 1)).error


def test_relevance_and_freshness_rank(make_article, scaffold):
    en = [scaffold["editions"]["en"]]
    in_body = make_article(headline="Weather report", body="<p>Some words on tariffs.</p>")
    in_headline = make_article(headline="Tariffs rise again", body="<p>Prices.</p>")
    stale = make_article(headline="Tariffs rise again", body="<p>Prices.</p>")
    stale.published_at = timezone.now() - datetime.timedelta(days=3000)
    stale.save()
    assert found(search("tariffs", editions=en)) == [in_headline.pk, stale.pk, in_body.pk]


def test_snippets_are_escaped_and_marked(make_article, scaffold):
    make_article(headline="<b>Court</b> & press",
                 body="<p>" + "Filler words here. " * 30 + "The court heard "
                 "&lt;script&gt;alert(1)&lt;/script&gt; evidence.</p>")
    hit = search("court", editions=[scaffold["editions"]["en"]]).hits[0]
    assert str(hit.headline_html) == "&lt;b&gt;<mark>Court</mark>&lt;/b&gt; &amp; press"
    assert "<mark>court</mark> heard &lt;script&gt;" in hit.snippet_html
    assert "<script>" not in hit.snippet_html
    assert hit.snippet_html.startswith("… ")


@pytest.mark.parametrize("typed, message", [
    ("", "Type a word"), ("   ", "Type a word"), ('"" * - ^', "Type a word"),
    ("x" * 201, "too long"), ("one two three four five six seven eight nine", "Too many"),
])
def test_bad_queries_get_a_message(typed, message, scaffold):
    assert message in search(typed).error


@pytest.mark.parametrize("typed", [
    'NEAR(a b)', "a OR b AND NOT c", "col:word", "{headline}: x", "word*", "'; DROP TABLE x",
    "&|!():*<->", "\\\"x\\\"", "\x00nul", "ü-ß-ў", "10.5%",
])
def test_engine_syntax_in_queries_is_only_words(typed, make_article, scaffold):
    make_article(headline="Near word column drop table nul")
    results = search(typed, editions=list(scaffold["editions"].values()))
    assert results.error == "" or "Type a word" in results.error


def test_cost_is_bounded(make_article, scaffold, settings, monkeypatch):
    for n in range(5):
        make_article(headline=f"Election story {n}")
    en = [scaffold["editions"]["en"]]
    monkeypatch.setattr(search_query, "CANDIDATES", 3)
    results = search("election", editions=en)
    assert results.capped and results.total == 3 and len(results.hits) == 3
    settings.SEARCH_TIMEOUT_MS = 0
    monkeypatch.setattr(engines, "PROGRESS_STEPS", 1)
    if connection.vendor == "sqlite":  # a deadline already passed stops SQLite at once
        assert "takes too long" in search("election", editions=en).error


def test_a_long_query_is_stopped_by_the_time_budget(settings):
    """Each engine's own mechanism, on a query that would run for minutes."""
    from samizdat.search.engines import PostgresEngine, SqliteEngine, TooCostly

    settings.SEARCH_TIMEOUT_MS = 50
    if connection.vendor == "postgresql":
        with pytest.raises(TooCostly):
            PostgresEngine.run("SELECT pg_sleep(2)", [])
        settings.SEARCH_TIMEOUT_MS = 5000
        assert PostgresEngine.run("SELECT 1", []) == [(1,)]
        return
    endless = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
               "SELECT count(*) FROM (SELECT i FROM n LIMIT 10000000000)")
    with pytest.raises(TooCostly), SqliteEngine()._budget(), connection.cursor() as cursor:
        cursor.execute(endless)
    settings.SEARCH_TIMEOUT_MS = 5000
    with SqliteEngine()._budget(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_results_page_queries_are_fixed(make_article, scaffold):
    en = [scaffold["editions"]["en"]]

    def queries(n):
        for _ in range(n):
            make_article(headline="Budget debate")
        with CaptureQueriesContext(connection) as ctx:
            results = search("budget", editions=en)
        assert len(results.hits) == min(results.total, 20)
        return len(ctx.captured_queries)

    assert queries(2) == queries(25)


def test_page_shows_results_filters_and_pages(client, make_article, scaffold):
    for n in range(23):
        make_article(headline=f"Harvest news {n}")
    page = client.get("/en/search/", {"q": "harvest"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "23 articles found" in html and html.count("<mark>Harvest</mark>") == 20
    assert "Page 1 of 2" in html and "page=2" in html
    second = client.get("/en/search/", {"q": "harvest", "page": 2}).content.decode()
    assert second.count("<mark>Harvest</mark>") == 3
    assert "Set-Cookie" not in page.headers and not page.cookies
    assert page["X-Robots-Tag"] == "noindex"
    # Empty form, no results, bad input.
    assert client.get("/en/search/").status_code == 200
    none = client.get("/en/search/", {"q": "nonexistentword"})
    assert none.status_code == 200 and "Nothing was found" in none.content.decode()
    bad = client.get("/en/search/", {"q": "harvest", "date_from": "yesterday"})
    assert bad.status_code == 400 and "valid date" in bad.content.decode()
    long = client.get("/en/search/", {"q": "x" * 300})
    assert long.status_code == 400 and "too long" in long.content.decode()
    assert client.get("/en/search/", {"q": "harvest", "page": 999}).status_code == 400


def test_page_is_rate_limited_per_client(client, settings, scaffold):
    settings.SEARCH_RATE_LIMIT = 3
    codes = [client.get("/en/search/", {"q": "anything"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    other = client.get("/en/search/", {"q": "anything"}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200
    limited = client.get("/en/search/", {"q": "anything"})
    assert "Too many searches" in limited.content.decode() and limited["Retry-After"] == "60"


def test_every_page_has_a_search_box(client, make_article):
    html = client.get("/ru/").content.decode()
    assert 'action="/ru/search/"' in html and 'role="search"' in html


def test_stems():
    assert text.stem("Минска", "ru") == "минск"
    assert text.stem("Мінску", "be") == "мінск"
    assert text.stem("журналістаў", "be") == "журналіст"
    assert text.stem("protests", "en") == "protest"
    assert text.parse('a "Big  Day" x, x').phrases == (("big", "day"),)


def test_rebuild_command_restores_a_lost_index(make_article, scaffold):
    from io import StringIO

    from django.core.management import call_command

    article = make_article(headline="Archive of the library")
    make_article(status="draft", headline="Archive draft")
    engine().remove([article.pk])
    en = [scaffold["editions"]["en"]]
    assert found(search("archive", editions=en)) == []
    out = StringIO()
    call_command("search_index", stdout=out, stderr=StringIO())
    assert "rebuilt: 1 published articles" in out.getvalue()
    assert found(search("archive", editions=en)) == [article.pk]
    assert engine().count() == 1


def test_bounds_that_exclude_nothing_are_dropped(settings):
    """The widest range a search accepts costs what no range costs (issue 22, finding 15)."""
    import datetime

    from samizdat.search.query import _bounds

    assert _bounds(datetime.date(1900, 1, 1), datetime.date(2200, 1, 1)) == (None, None)
    since, before = _bounds(datetime.date(2001, 1, 1), datetime.date(2001, 12, 31))
    assert (since.year, before.year, before.month) == (2001, 2002, 1)


@pytest.mark.engine("postgresql")
def test_postgresql_finds_the_newest_matches_whichever_way_it_goes(
        make_article, scaffold, monkeypatch):
    """PostgreSQL walks the date index while the words are common and asks the text index
    when they turn out rare (issue 24): either way, the newest matches, exactly."""
    from samizdat.search.engines import Filters, PostgresEngine

    en = scaffold["editions"]["en"]
    other = scaffold["sections"]["en"][1]
    articles = []
    for n in range(40):
        words = ["common"] + ["third"] * (n % 3 == 0) + ["rare"] * (n in (5, 31))
        article = make_article(headline=" ".join(words) + f" story {n}")
        article.published_at = timezone.now() - datetime.timedelta(days=40 - n, hours=n % 5)
        if n % 2:
            article.section = other
        article.save()
        articles.append(article)
    make_article("ru", headline="common rare third")  # another edition's, never found
    monkeypatch.setattr(PostgresEngine, "WALK_ROWS", 4)
    monkeypatch.setattr(PostgresEngine, "MAX_WALK_ROWS", 6)
    newest_first = sorted(articles, key=lambda a: (a.published_at, a.pk), reverse=True)
    ways = set()
    now = timezone.now()
    for word, limit, section, (since, before) in itertools.product(
            ("common", "third", "rare", "nothing"), (3, 7, 50), (None, other),
            ((None, None), (now - datetime.timedelta(days=30), now - datetime.timedelta(days=4)))):
        expected = [a.pk for a in newest_first if word in a.headline.split()
                    and (section is None or a.section_id == section.pk)
                    and (since is None or since <= a.published_at < before)][:limit]
        filters = Filters(editions={en.pk: "en"}, since=since, before=before,
                          section_id=section.pk if section else None)
        with CaptureQueriesContext(connection) as ctx:
            got = engine().candidates(text.parse(word), filters, limit)
        assert [pk for pk, _rank, _at in got] == expected, (word, limit, section)
        assert all(rank > 0 for _pk, rank, _at in got)
        walks = sum("row_number()" in q["sql"] for q in ctx.captured_queries)
        ways.add(("walk", min(walks, 2)))
        ways.add(("index", any("MATERIALIZED" in q["sql"]
                               for q in ctx.captured_queries)))
    # Each way was taken: one walk, walking on, and the text index for the rest.
    assert ways == {("walk", 1), ("walk", 2), ("index", True), ("index", False)}


def test_the_first_migration_creates_the_tables_the_engines_define():
    """The migration writes its statements out rather than importing live code; a change to
    the engines' tables needs a migration of its own, and this test asks for one."""
    import importlib

    from samizdat.search.engines import PostgresEngine, SqliteEngine

    migration = importlib.import_module("samizdat.search.migrations.0001_initial")

    def words(statements):
        return [" ".join(s.split()) for s in statements]

    assert words(migration.SQLITE) == words(SqliteEngine.create_sql)
    assert words(migration.POSTGRESQL) == words(PostgresEngine.create_sql)
