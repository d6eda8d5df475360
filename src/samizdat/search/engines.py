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

    def candidates(self, query: Query, filters: Filters, limit: int) -> list[Candidate]:
        matches, ranks, params, rank_params = [], [], [], []
        for edition_id, language in filters.editions.items():
            config, tsquery = self.config(language), self._tsquery(query, language)
            matches.append("(d.edition_id = %s AND d.document @@ to_tsquery(%s::regconfig, %s))")
            params += [edition_id, config, tsquery]
            ranks.append("WHEN %s THEN ts_rank(d.document, to_tsquery(%s::regconfig, %s))")
            rank_params += [edition_id, config, tsquery]
        # Only fixed fragments are formatted in; every value is a parameter.
        sql = [f"SELECT d.article_id, CASE d.edition_id {' '.join(ranks)} END, "  # noqa: S608
               "extract(epoch FROM d.published_at) "
               f"FROM {self.TABLE} d JOIN newsroom_article a ON a.id = d.article_id "
               f"WHERE ({' OR '.join(matches)}) AND a.status = 'published'"]
        params = [*rank_params, *params]
        if filters.facets():
            sql.append("AND d.facets @> %s")
            params.append(filters.facets())
        filters.add_dates(sql, params, "d.published_at")
        sql.append("ORDER BY d.published_at DESC, d.article_id DESC LIMIT %s")
        params.append(limit)
        return self.run(" ".join(sql), params)

    @staticmethod
    def run(sql: str, params) -> list:
        """Run a query under the time budget (statement_timeout, for this transaction)."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)",
                               [f"{_budget_ms()}ms"])
                cursor.execute(sql, params)
                return cursor.fetchall()
        except DatabaseError as error:
            if "statement timeout" in str(error):
                raise TooCostly from error
            raise


def engine() -> SqliteEngine | PostgresEngine:
    return PostgresEngine() if connection.vendor == "postgresql" else SqliteEngine()
