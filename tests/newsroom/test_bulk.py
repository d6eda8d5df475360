"""newsroom.bulk: rows in many at once (insert) and planner statistics after bulk loads
(analyze), on the engine under test."""

import datetime
import io

import pytest
from django.db import connection
from django.utils import timezone

from samizdat.newsroom import bulk, demo
from samizdat.newsroom.models import Article, LegacyRedirect, Revision
from samizdat.ops.models import ImportRecord

pytestmark = pytest.mark.django_db


def test_insert_fills_defaults_times_json_and_foreign_keys(make_article, editor):
    article = make_article(headline="Bulk")
    before = timezone.now()
    bulk.insert(Revision, [
        {"article": article, "user_id": editor.pk, "status": "published",
         "data": {"headline": "Бульба & <b>", "tag_ids": [1, 2]}, "note": "imported"},
        {"article_id": article.pk, "status": "draft", "data": {}},
    ])
    *_made, first, second = Revision.objects.filter(article=article).order_by("id")
    assert first.data == {"headline": "Бульба & <b>", "tag_ids": [1, 2]}
    assert first.user == editor and first.article == article
    assert second.user is None and second.note == ""  # a default
    assert before - datetime.timedelta(seconds=1) <= second.created_at <= timezone.now()


def test_insert_updates_on_conflict_what_it_is_told_and_nothing_else(make_article):
    article = make_article()
    rows = [{"source": "old.example", "kind": "post", "wp_id": str(n), "object_id": n,
             "checksum": "a"} for n in range(3)]
    bulk.insert(ImportRecord, rows)
    first = ImportRecord.objects.get(wp_id="1")
    bulk.insert(ImportRecord, [{**rows[1], "object_id": article.pk, "checksum": "b",
                                "pending_links": True}],
                unique_fields=["source", "kind", "wp_id"],
                update_fields=["object_id", "checksum", "updated_at"])
    again = ImportRecord.objects.get(wp_id="1")
    assert ImportRecord.objects.count() == 3
    assert (again.object_id, again.checksum) == (article.pk, "b")
    assert again.pending_links is False  # not among the updated fields
    assert again.imported_at == first.imported_at and again.updated_at >= first.updated_at
    bulk.insert(LegacyRedirect, [])  # nothing to do is no statement
    with pytest.raises(Exception):  # noqa: B017, PT011 - each engine's IntegrityError
        bulk.insert(ImportRecord, [rows[0]])


def _estimated_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.engine("postgresql")
def test_bulk_loads_leave_the_planner_statistics_of_what_they_loaded():
    """reltuples is -1 on a table never analysed: the planner guesses, and guessed a hash
    join over a whole edition for the home page's 20 latest (issue 24)."""
    from samizdat.search.engines import engine
    from tests.ops.test_wordpress import EXPORT, run

    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        started = cursor.fetchone()[0]
    demo.generate(37, stream=io.StringIO())
    # ANALYZE writes pg_class in place (a rolled-back test's figures stay): the estimate
    # must be this demo's count, and the tables analysed since it began.
    assert _estimated_rows("newsroom_article") == Article.objects.count() >= 37
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname FROM pg_stat_user_tables WHERE last_analyze >= %s"
                       " AND relname IN ('newsroom_article', 'newsroom_byline')", [started])
        assert sorted(r[0] for r in cursor.fetchall()) == ["newsroom_article",
                                                           "newsroom_byline"]
    assert _estimated_rows(engine().TABLE) > 0
    assert _estimated_rows("newsroom_article_tags") > 0  # many-to-many tables come along
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        started = cursor.fetchone()[0]
    run(EXPORT)
    assert _estimated_rows("ops_importrecord") == ImportRecord.objects.count() > 0
    with connection.cursor() as cursor:  # the import, too, analysed what it loaded
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname FROM pg_stat_user_tables WHERE last_analyze >= %s"
                       " AND relname IN ('newsroom_article', 'ops_importrecord')", [started])
        assert sorted(r[0] for r in cursor.fetchall()) == ["newsroom_article",
                                                           "ops_importrecord"]
