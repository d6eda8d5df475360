"""The demo generator: realistic, multilingual, 25 years deep, and repeatable."""

import io
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from samizdat.newsroom import demo
from samizdat.newsroom.models import Article, Byline
from samizdat.newsroom.workflow import Status


def test_generate_makes_a_realistic_archive(db):
    assert demo.generate(240, seed=2) == 240
    articles = Article.objects.all()
    assert articles.count() == 240
    statuses = Counter(articles.values_list("status", flat=True))
    assert statuses[Status.PUBLISHED] > 200
    assert statuses[Status.SCHEDULED] and statuses[Status.DRAFT] and statuses[Status.REVIEW]
    assert set(articles.values_list("edition__language", flat=True)) == {"be", "ru", "en"}
    dates = articles.exclude(published_at=None).order_by("published_at")
    span = timezone.now() - dates.first().published_at
    assert span.days > 365 * 24
    # A working newsroom today: every edition has news from the last two days, and about
    # a third of the stories are from the last week.
    recent = timezone.now() - timezone.timedelta(days=2)
    for language in ("be", "ru", "en"):
        assert dates.filter(edition__language=language, published_at__gte=recent).exists()
    week = dates.filter(published_at__gte=timezone.now() - timezone.timedelta(days=8))
    assert 60 <= week.count() <= 80
    shared = Counter(articles.values_list("translation_key", flat=True))
    assert any(n == 3 for n in shared.values())
    assert not articles.filter(tags=None).exists()
    assert Byline.objects.values("article").distinct().count() == 240
    assert all(len(a.body) > 500 for a in articles[:20])


def test_command_prints_plain_progress_and_can_run_twice(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", "--articles", "30", "--password", "x" * 12, stdout=out, stderr=err)
    call_command("demo", "--articles", "30", "--seed", "9", "--password", "x" * 12,
                 stdout=out, stderr=err)
    assert Article.objects.count() == 60
    assert "demo articles: 30/30 (100%)" in err.getvalue()
    assert "\r" not in err.getvalue()
    assert "Created 30 articles." in out.getvalue()


@pytest.mark.engine("postgresql")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_second_connection_indexes_each_batch_while_the_next_is_made(
        monkeypatch):
    """Outside a transaction the server builds the search documents on the other core; every
    published article is found all the same, and the ids given leave the sequence past them."""
    from samizdat.search.engines import engine

    threads = set()
    index = demo.index_articles

    def spy(ids):
        threads.add(threading.current_thread().name)
        return index(ids)

    # The index table has no model, so the flush after an earlier transactional test left
    # its rows behind: start from an empty index.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {engine().TABLE}")  # noqa: S608
    monkeypatch.setattr(demo, "BATCH", 40)
    monkeypatch.setattr(demo, "index_articles", spy)
    assert demo.generate(130, seed=3, stream=io.StringIO()) == 130
    assert threads and all(name.startswith("demo-index") for name in threads)
    published = Article.objects.filter(status=Status.PUBLISHED).count()
    assert engine().count() == published > 100
    newest = Article.objects.order_by("-id").first()
    later = Article.objects.create(edition=newest.edition, headline="After the demo",
                                   slug="after-the-demo")
    assert later.pk == newest.pk + 1


@pytest.mark.engine("postgresql")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_indexing_error_stops_the_demo(monkeypatch):
    def broken(ids):
        raise RuntimeError("the search index is gone")

    monkeypatch.setattr(demo, "BATCH", 40)
    monkeypatch.setattr(demo, "index_articles", broken)
    with pytest.raises(RuntimeError, match="the search index is gone"):
        demo.generate(100, stream=io.StringIO())
