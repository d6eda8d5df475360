"""Two full-text engines behind one interface: SQLite FTS5 and PostgreSQL's text search.

Each keeps one index row per published article: its headline, lead and text, and "facets"
(edition, section and authors) to filter on inside the index. The engine is chosen by the
database in use; the rest of Samizdat only calls `engine()`.

The cost of a query is bounded twice. Only the newest `limit` matching articles are
ranked (both engines walk newest first and stop), and the query runs under a time budget:
SQLite's progress handler, PostgreSQL's statement_timeout. A query over budget raises
TooCostly, and the reader is asked to narrow it.
"""

import datetime
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from samizdat.newsroom.models import local_date

from .text import Query, stem_text

# Headline, lead and text weigh this much in the relevance of a match.
WEIGHTS = (8.0, 3.0, 1.0)


def _period_tokens(filters: "Filters") -> list[str]:
    """Years and months of the index that cover the filter's dates (at most about 60)."""
    if not (filters.since or filters.before):
        return []
    from samizdat.newsroom.models import Article

    if filters.since:
        first = local_date(filters.since)
    else:
        oldest = (Article.objects.published().order_by("published_at")
                  .values_list("published_at", flat=True).first())
        if oldest is None:
            return []
        first = local_date(oldest)
    last = (local_date(filters.before - datetime.timedelta(microseconds=1))
            if filters.before else local_date(timezone.now()) + datetime.timedelta(days=1))
    tokens, day = [], first.replace(day=1)
    while day <= last:
        if day.month == 1 and datetime.date(day.year, 12, 31) <= last:
            tokens.append(f"y{day.year}")
            day = datetime.date(day.year + 1, 1, 1)
        else:
            tokens.append(f"m{day.year}{day.month:02d}")
            day = (day + datetime.timedelta(days=32)).replace(day=1)
    return tokens or ["m000000"]


class TooCostly(Exception):
    """The query ran out of its time budget."""


@dataclass(frozen=True)
class Document:
    article_id: int
    edition_id: int
    language: str
    published_at: datetime.datetime
    headline: str
    lead: str
    text: str
    facets: tuple[str, ...]  # "s12" (section), "a7" (author)


# An article id, its relevance (higher is better) and its publication time (Unix seconds).
Candidate = tuple[int, float, float]


@dataclass(frozen=True)
class Filters:
    editions: dict[int, str]  # edition id -> language
    section_id: int | None = None
    author_id: int | None = None
    since: datetime.datetime | None = None
    before: datetime.datetime | None = None

    def add_dates(self, sql: list[str], params: list, column: str) -> None:
        """The date bounds as SQL conditions on `column` (a fixed name, never input)."""
        for value, operator in ((self.since, ">="), (self.before, "<")):
            if value:
                sql.append(f"AND {column} {operator} %s")
                params.append(value)

    def facets(self) -> list[str]:
        return [f for f in (self.section_id and f"s{self.section_id}",
                            self.author_id and f"a{self.author_id}") if f]


# SQLite checks the time budget every this many virtual-machine steps.
PROGRESS_STEPS = 1000


def _budget_ms() -> int:
    return settings.SEARCH_TIMEOUT_MS


class SqliteEngine:
    """FTS5 over stems: the columns hold `text.stem_text` of the article, so every query
    term is an exact lookup, walked newest first and stopped after `limit` rows.

    Relevance is not FTS5's bm25, which reads every match of every term to weigh it (its
    cost would grow with the archive): a candidate whose headline matches the whole query
    weighs 8, whose lead does 3, and the others 1, found by two more walks of the index
    bounded by the oldest candidate.
    """

    TABLE = "search_fts"

    create_sql = [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
        "headline, lead, body, facets, tokenize = 'unicode61 remove_diacritics 0')",
    ]
    drop_sql = [f"DROP TABLE IF EXISTS {TABLE}"]

    def remove(self, ids: list[int]) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.executemany(f"DELETE FROM {self.TABLE} WHERE rowid = %s",  # noqa: S608
                                   [(i,) for i in ids])

    def add(self, docs: list[Document]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.TABLE} (rowid, headline, lead, body, facets) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s)",
                [(d.article_id, stem_text(d.headline, d.language), stem_text(d.lead, d.language),
                  stem_text(d.text, d.language), " ".join(self._facets(d))) for d in docs])

    @staticmethod
    def _facets(d: Document) -> list[str]:
        day = local_date(d.published_at)
        return [f"e{d.edition_id}", *d.facets, f"y{day.year}", f"m{day.year}{day.month:02d}"]

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.TABLE}")  # noqa: S608
            return cursor.fetchone()[0]

    def _expression(self, query: Query, filters: Filters,
                    columns: str = "headline lead body") -> str:
        per_edition = []
        for edition_id, language in filters.editions.items():
            # Stems are \w+ only (text.parse), so quoting makes each a plain term or phrase.
            terms = " AND ".join(f'"{" ".join(stems)}"' for stems in query.stems(language))
            per_edition.append(f"(facets : e{edition_id} AND {{{columns}}} : ({terms}))")
        expression = " OR ".join(per_edition)
        for facet in filters.facets():
            expression = f"({expression}) AND facets : {facet}"
        periods = _period_tokens(filters)
        if periods:
            expression = f"({expression}) AND facets : ({' OR '.join(periods)})"
        return expression

    def candidates(self, query: Query, filters: Filters, limit: int) -> list[Candidate]:
        # Only the table name is formatted in; the query text is a parameter.
        sql = [f"SELECT f.rowid, "  # noqa: S608
               f"(julianday(a.published_at) - 2440587.5) * 86400.0 FROM {self.TABLE} f "
               "JOIN newsroom_article a ON a.id = f.rowid "
               f"WHERE {self.TABLE} MATCH %s AND a.status = 'published'"]
        params: list = [self._expression(query, filters)]
        # The months in the index narrowed the dates; the exact bounds are checked here.
        filters.add_dates(sql, params, "a.published_at")
        # Article ids grow with time, so the index's own order is newest first.
        sql.append("ORDER BY f.rowid DESC LIMIT %s")
        params.append(limit)
        with self._budget(), connection.cursor() as cursor:
            cursor.execute(" ".join(sql), params)
            rows = cursor.fetchall()
            if not rows:
                return []
            weight = dict.fromkeys((pk for pk, _ in rows), WEIGHTS[2])
            oldest = rows[-1][0]
            for column, value in (("lead", WEIGHTS[1]), ("headline", WEIGHTS[0])):
                cursor.execute(
                    f"SELECT rowid FROM {self.TABLE} WHERE {self.TABLE} MATCH %s "  # noqa: S608
                    "AND rowid >= %s", [self._expression(query, filters, column), oldest])
                for (pk,) in cursor.fetchall():
                    if pk in weight:
                        weight[pk] = value
        return [(pk, weight[pk], published) for pk, published in rows]

    @contextmanager
    def _budget(self):
        connection.ensure_connection()
        raw = connection.connection
        deadline = time.monotonic() + _budget_ms() / 1000
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)
        try:
            yield
        except OperationalError as error:
            if "interrupted" in str(error):
                raise TooCostly from error
            raise
        finally:
            raw.set_progress_handler(None, 0)


# Stemming configurations PostgreSQL ships; languages without one use our own stems on
# "simple" (lower-cased words), searched as prefixes.
PG_CONFIGS = {"ru": "russian", "en": "english"}


class PostgresEngine:
    TABLE = "search_document"

    # No foreign key to the articles: Django flushes its own tables with TRUNCATE, which a
    # table it does not know must not block. Deletes go through the article's signal, and
    # every query joins the article row, so a leftover row is never shown.
    create_sql = [
        f"""CREATE TABLE IF NOT EXISTS {TABLE} (
            article_id integer PRIMARY KEY,
            edition_id integer NOT NULL,
            published_at timestamptz NOT NULL,
            facets text[] NOT NULL,
            document tsvector NOT NULL)""",
        f"CREATE INDEX IF NOT EXISTS search_document_text ON {TABLE} USING gin (document)",
        f"CREATE INDEX IF NOT EXISTS search_document_facets ON {TABLE} USING gin (facets)",
        f"CREATE INDEX IF NOT EXISTS search_document_feed ON {TABLE} "
        "(edition_id, published_at DESC, article_id DESC)",
    ]
    drop_sql = [f"DROP TABLE IF EXISTS {TABLE}"]

    @staticmethod
    def config(language: str) -> str:
        return PG_CONFIGS.get(language, "simple")

    def remove(self, ids: list[int]) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {self.TABLE} WHERE article_id = ANY(%s)",  # noqa: S608
                               [list(ids)])

    def add(self, docs: list[Document]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.TABLE} "  # noqa: S608
                "(article_id, edition_id, published_at, facets, document) VALUES "
                "(%s, %s, %s, %s, setweight(to_tsvector(%s::regconfig, %s), 'A') || "
                "setweight(to_tsvector(%s::regconfig, %s), 'B') || "
                "setweight(to_tsvector(%s::regconfig, %s), 'D'))",
                [(d.article_id, d.edition_id, d.published_at, list(d.facets),
                  *(v for part in (d.headline, d.lead, d.text)
                    for v in (self.config(d.language), self._words(part, d.language))))
                 for d in docs])

    def _words(self, text: str, language: str) -> str:
        # PostgreSQL stems Russian and English itself; other languages get our stems.
        return text if self.config(language) != "simple" else stem_text(text, language)

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.TABLE}")  # noqa: S608
            return cursor.fetchone()[0]

    def _tsquery(self, query: Query, language: str) -> str:
        own = self.config(language) == "simple"
        phrases = query.stems(language) if own else query.phrases
        return " & ".join("(" + " <-> ".join(phrase) + ")" for phrase in phrases)

    # The newest index rows of an edition the first walk reads, and the most any walk reads.
    WALK_ROWS = 1000
    MAX_WALK_ROWS = 50000

    def candidates(self, query: Query, filters: Filters, limit: int) -> list[Candidate]:
        """The newest `limit` matches, found edition by edition and merged newest first."""
        found: list[Candidate] = []
        for edition_id, language in filters.editions.items():
            match = _Match(edition_id, self.config(language), self._tsquery(query, language),
                           filters)
            found += self._newest(match, limit)
        found.sort(key=lambda c: (c[2], c[0]), reverse=True)
        return found[:limit]

    def _newest(self, match: "_Match", limit: int) -> list[Candidate]:
        """Walk the edition's date index newest first while the text matches; when the
        matches turn out rare, ask the text index for the rest.

        A walk reads rows until it has `limit` matches, so a word in half the archive costs
        a couple of thousand rows whatever the archive's size; a rare word would make it
        read the whole edition, and is better found through the text index, whose cost is
        its matches. Which one is cheaper for the rest is decided from what the walk saw:
        the share of matching rows among the newest ones (the planner's statistics know
        how common a word is, not how common it is lately, nor two words together).
        """
        found: list[Candidate] = []
        below = None  # (published_at, article_id) the next walk starts under
        start = match.filters.before or timezone.now()
        window, walked = self.WALK_ROWS, 0
        while True:
            rows, boundary, oldest = self._walk(match, below, window, limit - len(found))
            found += rows[:limit - len(found)]
            walked += window
            if len(found) >= limit or boundary is None:
                return found
            need, below = limit - len(found), boundary
            share = len(found) / walked
            span = (start - below[0]).total_seconds()
            older = (walked * max(0.0, (below[0] - oldest).total_seconds()) / span
                     if span > 0 else float("inf"))
            # Reading on costs about need / share rows; the text index, its matches among
            # the older rows (share * older), each fetched and sorted.
            if share * share * older <= need:
                return found + self._lookup(match, below, need)
            window = min(self.MAX_WALK_ROWS, math.ceil(1.25 * need / share))

    def _walk(self, match: "_Match", below, window: int, need: int):
        """Matches among the `window` newest rows under `below`; the last row read (None
        when the rows ran out first); and the oldest date there is to search."""
        sql, params = match.conditions(below)
        # The inner LIMIT fixes the plan: the feed index walked newest first, whatever the
        # planner thinks of the text; the row numbered `window` marks where it stopped.
        rows = self.run(
            "SELECT w.article_id, extract(epoch FROM w.published_at)::float8, "  # noqa: S608
            "CASE WHEN w.good THEN ts_rank(w.document, to_tsquery(%s::regconfig, %s)) END, "
            # Where the walk stopped, and the oldest row, only on the last row read.
            "w.n, CASE WHEN w.n = %s THEN w.published_at END, CASE WHEN w.n = %s THEN "
            f"(SELECT min(published_at) FROM {self.TABLE} WHERE edition_id = %s) END "
            "FROM (SELECT d.article_id, d.published_at, d.document, "
            f"{match.good()} AS good, "
            "row_number() OVER (ORDER BY d.published_at DESC, d.article_id DESC) AS n "
            "FROM (SELECT article_id, published_at, facets, document "
            f"FROM {self.TABLE} WHERE {sql} "
            "ORDER BY published_at DESC, article_id DESC LIMIT %s) d) w "
            "WHERE w.good OR w.n = %s LIMIT %s",
            [match.config, match.tsquery, window, window, match.edition_id,
             *match.good_params(), *params, window, window, need + 1],
            avoid=("seqscan", "sort"))
        found = [(pk, rank, published) for pk, published, rank, _n, _at, _o in rows
                 if rank is not None]
        last = next(((at, pk, oldest) for pk, _p, _r, n, at, oldest in rows if n == window),
                    None)
        if last is None:
            return found, None, None
        at, pk, oldest = last
        return found, (at, pk), max(oldest, match.filters.since or oldest)

    def _lookup(self, match: "_Match", below, need: int) -> list[Candidate]:
        """The newest `need` matches under `below`, through the text index: every match is
        read, sorted, and only the kept ones are ranked. MATERIALIZED keeps the planner
        from walking the date index in order for the LIMIT, the walk this comes after;
        it may still take a range of the date index for a search in a few days."""
        sql, params = match.conditions(below)
        return self.run(
            f"WITH m AS MATERIALIZED (SELECT article_id, published_at FROM {self.TABLE} d "  # noqa: S608
            f"WHERE {sql} {match.facet_sql()} AND d.document @@ to_tsquery(%s::regconfig, %s)) "
            "SELECT t.article_id, "
            f"(SELECT ts_rank(s.document, to_tsquery(%s::regconfig, %s)) FROM {self.TABLE} s "
            "WHERE s.article_id = t.article_id), extract(epoch FROM t.published_at)::float8 "
            "FROM (SELECT article_id, published_at FROM m "
            "ORDER BY published_at DESC, article_id DESC LIMIT %s) t "
            # A leftover index row (none is expected: see create_sql) only shortens the list.
            "WHERE (SELECT a.status FROM newsroom_article a WHERE a.id = t.article_id) "
            "= 'published' ORDER BY t.published_at DESC, t.article_id DESC",
            [*params, *match.facet_params(), match.config, match.tsquery,
             match.config, match.tsquery, need], avoid=("seqscan",))

    @staticmethod
    def run(sql: str, params, avoid: tuple[str, ...] = ()) -> list:
        """Run a query under the time budget (statement_timeout), with the plan nodes named
        in `avoid` ("seqscan", "sort") priced out for it.

        A walk avoids both: the planner then has no way to it but the feed index, whatever
        the size of its window against the edition (a small archive, or a large window,
        would otherwise have it read the whole table and sort it). A lookup avoids reading
        the whole table: it comes after a walk found the words rare. The settings hold
        for this query only: the savepoint it runs in is rolled back (it writes nothing),
        and takes them with it. JIT compilation is off as well: a plan priced with a
        disabled node can look costly enough to the planner to compile, which takes longer
        than any of these queries runs.
        """
        settings_sql = ("SELECT set_config('statement_timeout', %s, true), "
                        "set_config('jit', 'off', true)") + "".join(
            f", set_config('enable_{name}', 'off', true)" for name in avoid)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(settings_sql, [f"{_budget_ms()}ms"])
                cursor.execute(sql, params)
                rows = cursor.fetchall()
                transaction.set_rollback(True)
                return rows
        except DatabaseError as error:
            if "statement timeout" in str(error):
                raise TooCostly from error
            raise


@dataclass(frozen=True)
class _Match:
    """What one edition's search asks of the PostgreSQL index, as SQL fragments (fixed
    text, with every value a parameter)."""

    edition_id: int
    config: str
    tsquery: str
    filters: Filters

    def conditions(self, below) -> tuple[str, list]:
        """The rows of the edition in the dates, under `below`: a range of the feed index."""
        sql, params = ["edition_id = %s"], [self.edition_id]
        self.filters.add_dates(sql, params, "published_at")
        if below is not None:
            sql.append("AND (published_at, article_id) < (%s, %s)")
            params += list(below)
        return " ".join(sql), params

    def facet_sql(self) -> str:
        return "AND d.facets @> %s" if self.filters.facets() else ""

    def facet_params(self) -> list:
        return [self.filters.facets()] if self.filters.facets() else []

    def good(self) -> str:
        """A row of `d` that matches and is the index row of a published article; the
        facets first, so the text (the costly part) is read only for rows in the section
        or by the author."""
        facets = "d.facets @> %s AND " if self.filters.facets() else ""
        return (f"({facets}d.document @@ to_tsquery(%s::regconfig, %s) AND "  # noqa: S608
            "(SELECT a.status FROM newsroom_article a WHERE a.id = d.article_id) "
            "= 'published')")

    def good_params(self) -> list:
        return [*self.facet_params(), self.config, self.tsquery]


def engine() -> SqliteEngine | PostgresEngine:
    return PostgresEngine() if connection.vendor == "postgresql" else SqliteEngine()
