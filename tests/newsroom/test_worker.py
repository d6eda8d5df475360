"""`samizdat worker`: it outlives database outages, reruns the tasks of dead workers and
publishes due articles by itself."""

import datetime
import threading
import time

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from samizdat.newsroom import services
from samizdat.newsroom.models import Article, TaskOnce, TaskWorker
from samizdat.newsroom.worker import requeue_stale
from samizdat.newsroom.workflow import Status

# A database connection to lose: SQLite has none; the PostgreSQL run tests these.
postgres_only = pytest.mark.engine("postgresql")


@task()
def note(text: str) -> str:
    """Leaves a mark that it ran (once per text: running twice would fail the test)."""
    TaskOnce.objects.create(key=f"test-note:{text}", done_at=timezone.now())
    return text


@task()
def pause(seconds: float) -> float:
    """Holds the worker for a while without touching the database."""
    time.sleep(seconds)
    return seconds


@task()
def lose_connection() -> int:
    """Kills the worker's own database session, as a PostgreSQL restart would."""
    import psycopg

    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    return pid


@task()
def fails_on_the_database_once() -> str:
    if not TaskOnce.objects.filter(key="test-flaky").exists():
        TaskOnce.objects.create(key="test-flaky", done_at=timezone.now())
        raise OperationalError("server closed the connection unexpectedly")
    return "done"


@task()
def slow() -> float:
    """Runs longer than two heartbeats; answers how long after its start the worker beat."""
    started = timezone.now()
    time.sleep(0.8)
    seen = TaskWorker.objects.get().seen_at
    return (seen - started).total_seconds()


def work(*args):
    call_command("worker", "--batch", "--no-startup-delay", *args, verbosity=0)


def status(result) -> str:
    return DBTaskResult.objects.get(pk=result.id).status


@postgres_only
def test_the_worker_carries_on_when_its_connection_dies_under_a_task(transactional_db):
    first = lose_connection.enqueue()
    second = note.enqueue("after")
    work()
    assert status(first) == status(second) == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.get(pk=second.id).return_value == "after"


@pytest.fixture
def outage():
    """The database refuses connections for `seconds`, then is back (a restart)."""
    timers = []

    def begin(seconds: float):
        connection.close()
        settings = connection.settings_dict
        real = settings["PORT"]
        settings["PORT"] = "1"  # nobody listens there: "connection refused"

        def end():
            settings["PORT"] = real

        timer = threading.Timer(seconds, end)
        timers.append((timer, end))
        timer.start()

    yield begin
    for timer, end in timers:
        timer.cancel()
        end()


@postgres_only
def test_the_worker_waits_out_a_database_restart(transactional_db, outage):
    queued = note.enqueue("while down")
    outage(1.5)
    started = time.monotonic()
    work()
    assert time.monotonic() - started >= 1.5
    assert status(queued) == TaskResultStatus.SUCCESSFUL


def test_a_task_that_fails_on_a_database_error_runs_again_later(transactional_db):
    queued = fails_on_the_database_once.enqueue()
    work()
    result = DBTaskResult.objects.get(pk=queued.id)
    assert result.status == TaskResultStatus.READY and result.run_after > timezone.now()
    DBTaskResult.objects.update(run_after=timezone.now())
    work()
    result = DBTaskResult.objects.get(pk=queued.id)
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == "done"
    assert len(result.worker_ids) == 2


def claim(result, worker_id: str, minutes_ago: float, runs: int = 1):
    """A task as a worker left it when it was killed in the middle of it."""
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker_id] * runs,
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))


def seen(worker_id: str, minutes_ago: float):
    when = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    TaskWorker.objects.create(worker_id=worker_id, host="test", pid=1, started_at=when,
                              seen_at=when)


def test_a_task_whose_worker_died_runs_again(transactional_db):
    orphan = note.enqueue("orphan")
    claim(orphan, "killed-9", minutes_ago=5)
    seen("killed-9", minutes_ago=4)
    busy = note.enqueue("busy")  # a long task of a worker that is still alive
    claim(busy, "alive", minutes_ago=5)
    seen("alive", minutes_ago=0)
    fresh = note.enqueue("fresh")  # claimed a moment ago, within the lease
    claim(fresh, "just-started", minutes_ago=0)
    work()
    orphan_result = DBTaskResult.objects.get(pk=orphan.id)
    assert orphan_result.status == TaskResultStatus.SUCCESSFUL
    assert orphan_result.worker_ids[0] == "killed-9" and len(orphan_result.worker_ids) == 2
    assert status(busy) == status(fresh) == TaskResultStatus.RUNNING


def test_a_task_that_keeps_killing_its_workers_fails_in_the_end(transactional_db):
    poison = note.enqueue("poison")
    claim(poison, "oom-killed", minutes_ago=5, runs=5)
    assert requeue_stale(lease=60, max_attempts=5) == [str(poison.id)]
    result = DBTaskResult.objects.get(pk=poison.id)
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path == "samizdat.newsroom.worker.WorkerLost"
    assert "oom-killed" in result.traceback


def test_the_heartbeat_goes_on_while_a_long_task_runs(transactional_db):
    queued = slow.enqueue()
    work("--heartbeat", "0.2")
    result = DBTaskResult.objects.get(pk=queued.id)
    assert result.status == TaskResultStatus.SUCCESSFUL, result.traceback
    assert result.return_value > 0.3
    assert not TaskWorker.objects.exists()  # a worker that stops cleanly leaves no trace


def test_the_worker_publishes_due_articles_with_no_task_queued(transactional_db, make_article,
                                                              editor):
    article = make_article(status="draft", slug="lost-schedule")
    services.schedule(article, editor, timezone.now() + datetime.timedelta(hours=1))
    Article.objects.filter(pk=article.pk).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=2))
    DBTaskResult.objects.all().delete()  # the per-schedule task was lost
    work()
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
