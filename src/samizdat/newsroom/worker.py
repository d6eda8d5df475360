"""The task worker (`samizdat worker`): django-tasks' database worker, made to outlive its
database and its own deaths.

- A lost database connection (a restart, a failover, a killed backend) is closed and the
  worker tries again with a growing pause instead of exiting; a result it could not save is
  saved once the database is back.
- A task that fails on a database error is run again a little later (at most
  `TASK_MAX_ATTEMPTS` runs in all), like a task whose worker died.
- Each worker records a heartbeat (`TaskWorker`), also while a long task runs. A RUNNING
  task whose worker has not been seen for `TASK_WORKER_LEASE_SECONDS` (killed, OOM, the
  machine gone) is set back to READY and runs again: every task must be safe to run twice
  (`once` keeps emails and other outside effects to one per event).
- Every `TASK_WORKER_SWEEP_SECONDS` the worker itself publishes the scheduled articles that
  are due, so a lost per-schedule task cannot delay one, and enqueues the scheduled backup
  when one is due (ops/schedule.py claims it in the database: once, whichever worker).
"""

import datetime
import logging
import os
import random
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
    transaction,
)
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger("samizdat.worker")

# What a lost or restarting database raises (psycopg's errors arrive wrapped as these).
DATABASE_ERRORS = (OperationalError, InterfaceError)
MAX_PAUSE = 30.0


def setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


class WorkerLost(Exception):  # noqa: N818 - the name is what the admin shows as the error
    """Recorded as the error of a task whose worker stopped while running it, too often."""


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


def close_all() -> None:
    """Drop every connection of this thread, broken or not, so the next query reconnects."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # noqa: BLE001, S110 - a dead connection may fail to close; it is gone
            pass


def once(key: str) -> bool:
    """Claim the effect named `key` (say "comments.confirmation:42"): True the first time,
    False ever after. Claim before the effect: an email then goes at most once, even when its
    task runs again after its worker died between the claim and the sending."""
    from .models import TaskOnce

    try:
        with transaction.atomic():
            TaskOnce.objects.create(key=key[:200], done_at=timezone.now())
    except IntegrityError:
        return False
    return True


def beat(worker_id: str, started_at: datetime.datetime) -> None:
    from samizdat.bake import tasks as bake_tasks

    from .models import TaskWorker

    TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now()},
        create_defaults={"seen_at": timezone.now(), "started_at": started_at,
                         "host": socket.gethostname()[:255], "pid": os.getpid()},
    )
    bake_tasks.announce_copy(setting("TASK_WORKER_LEASE_SECONDS", 60))


def requeue_stale(now: datetime.datetime | None = None, lease: float | None = None,
                  max_attempts: int | None = None) -> list[str]:
    """Set back to READY the RUNNING tasks whose worker has not been seen for a lease (or
    mark them FAILED once they have been tried `max_attempts` times); returns their ids."""
    from .models import TaskWorker

    now = now or timezone.now()
    lease = setting("TASK_WORKER_LEASE_SECONDS", 60) if lease is None else lease
    max_attempts = max_attempts or int(setting("TASK_MAX_ATTEMPTS", 5))
    cutoff = now - datetime.timedelta(seconds=lease)
    alive = set(TaskWorker.objects.filter(seen_at__gte=cutoff).values_list("worker_id",
                                                                            flat=True))
    done = []
    for result in DBTaskResult.objects.running().filter(started_at__lt=cutoff):
        if result.worker_ids and result.worker_ids[-1] in alive:
            continue
        # Only if nobody else changed it meanwhile (another worker's sweep, the task's end).
        still = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING,
                                            started_at=result.started_at)
        worker = result.worker_ids[-1] if result.worker_ids else "?"
        if len(result.worker_ids) >= max_attempts:
            error = (f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: worker {worker} "
                     f"stopped while running this task, {len(result.worker_ids)} runs in all\n")
            changed = still.update(
                status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=error)
            logger.error("Task %s (%s) failed: %s", result.pk, result.task_path, error.strip())
        else:
            changed = still.update(status=TaskResultStatus.READY)
            logger.warning("Task %s (%s) runs again: its worker %s is gone", result.pk,
                           result.task_path, worker)
        if changed:
            done.append(str(result.pk))
    return done


def sweep(now: datetime.datetime | None = None) -> None:
    """What the worker does every few seconds besides running tasks."""
    from . import services
    from .models import TaskOnce

    now = now or timezone.now()
    requeue_stale(now)
    published = services.publish_due(now)
    if published:
        logger.info("Published scheduled articles %s", published)
    TaskOnce.objects.filter(done_at__lt=now - datetime.timedelta(days=30)).delete()
    from samizdat.ops import schedule

    try:
        schedule.enqueue_due(now)
    except DATABASE_ERRORS:
        raise
    except Exception:
        logger.exception("Could not enqueue the scheduled backup")
    # Telegram deliveries that are due but whose task went missing (telegram/services.py).
    from samizdat.telegram import services as telegram

    try:
        telegram.sweep(now)
    except DATABASE_ERRORS:
        raise
    except Exception:
        logger.exception("Could not catch up with Telegram deliveries")
    # The newsletter: digests whose hour has come, mailings to resume (newsletter/services.py).
    from samizdat.newsletter import services as newsletter

    try:
        newsletter.sweep(now)
    except DATABASE_ERRORS:
        raise
    except Exception:
        logger.exception("Could not start or resume newsletter mailings")


class Worker(DBWorker):
    """django-tasks-db's worker loop, with reconnection, heartbeats, leases and the sweep."""

    def __init__(self, *, heartbeat: float | None = None, sweep: float | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.heartbeat = setting("TASK_WORKER_HEARTBEAT_SECONDS", 10) \
            if heartbeat is None else heartbeat
        self.sweep_every = setting("TASK_WORKER_SWEEP_SECONDS", 15) if sweep is None else sweep
        self.max_attempts = int(setting("TASK_MAX_ATTEMPTS", 5))
        self.started_at = timezone.now()
        self._beaten = self._swept = float("-inf")
        self._failures = 0

    def shutdown(self, signum, frame) -> None:
        if not self.running and signum == signal.SIGTERM:
            # Sent twice when both the process group and a supervisor pass a stop on: once
            # is enough. A second Ctrl+C (SIGINT) or SIGKILL still ends a task at once.
            return
        super().shutdown(signum, frame)

    def run(self) -> None:
        from samizdat.site import pagefiles

        logger.info("Starting worker %s", self.worker_id)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spreads workers started together
        # With several machines on one Redis, each machine's worker keeps its page files in
        # step with changes made on the others (site/pagefiles.py).
        following = threading.Event()
        pagefiles.start(following)
        try:
            while self.running:
                try:
                    close_old_connections()
                    self._beat_if_due()
                    self._sweep_if_due()
                    ran = self._run_next()
                except DATABASE_ERRORS as exc:
                    self._database_lost(exc)
                    continue
                self._failures = 0
                if self.batch and not ran:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                if self.running and not ran:
                    time.sleep(self.interval)
        finally:
            following.set()
            self._leave()

    def _run_next(self) -> bool:
        from samizdat.bake import tasks as bake_tasks

        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            queues = list(self.queue_names)
            # The baked copy's updates go to the worker of the machine that holds the copy.
            if "default" in queues and bake_tasks.copy_here():
                queues.append(bake_tasks.QUEUE)
            tasks = tasks.filter(queue_name__in=queues)
        elif not bake_tasks.copy_here():
            tasks = tasks.exclude(queue_name=bake_tasks.QUEUE)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            result = tasks.get_locked()
            if result is not None:
                result.claim(self.worker_id)
        if result is None:
            return False
        self.run_task(result)
        return True

    def run_task(self, result: DBTaskResult) -> None:
        self.running_task = True
        try:
            with self._beating():
                self._run(result)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _run(self, result: DBTaskResult) -> None:
        try:
            task = result.task
            task_result = result.task_result
            backend = task.get_backend()
            task_started.send(sender=backend, task_result=task_result)
            args, kwargs = task_result.args, task_result.kwargs
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *args, **kwargs)
            else:
                value = task.call(*args, **kwargs)
        except DATABASE_ERRORS as exc:
            self._again_later(result, exc)
            return
        except BaseException as exc:  # noqa: BLE001 - recorded as the task's error
            self._finish(result, partial(result.set_failed, exc))
            return
        self._finish(result, partial(result.set_successful, value))

    def _finish(self, result: DBTaskResult, save: Callable[[], None]) -> None:
        try:
            self._until_saved(save)
        except Exception as exc:  # noqa: BLE001 - a return value that will not serialise
            self._until_saved(partial(result.set_failed, exc))
        try:
            task_finished.send(sender=type(result.task.get_backend()),
                               task_result=result.task_result)
        except Exception:
            logger.exception("Task %s: a task_finished receiver failed", result.pk)

    def _again_later(self, result: DBTaskResult, exc: BaseException) -> None:
        attempts = len(result.worker_ids)
        if attempts >= self.max_attempts:
            logger.error("Task %s (%s) failed on a database error, %d runs in all", result.pk,
                         result.task_path, attempts)
            self._finish(result, partial(result.set_failed, exc))
            return
        pause = min(300.0, 5.0 * 2 ** (attempts - 1))
        logger.warning("Task %s (%s) runs again in %ds after a database error: %s", result.pk,
                       result.task_path, pause, exc)
        close_all()

        def requeue():
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY,
                run_after=timezone.now() + datetime.timedelta(seconds=pause))

        self._until_saved(requeue)

    def _until_saved(self, save: Callable[[], None]) -> None:
        """Run `save` until the database takes it: without it the worker can do nothing."""
        failures = 0
        while True:
            try:
                close_old_connections()
                save()
                return
            except DATABASE_ERRORS as exc:
                failures += 1
                pause = min(MAX_PAUSE, 0.5 * 2 ** failures)
                logger.warning("Could not save a task's outcome (%s); again in %.1fs",
                               exc, pause)
                close_all()
                time.sleep(pause)

    def _database_lost(self, exc: Exception) -> None:
        if isinstance(exc, OperationalError) and is_locked_database_exception(exc):
            time.sleep(self.interval)  # SQLite busy with a long writer: wait our turn
            return
        self._failures += 1
        pause = min(MAX_PAUSE, 0.5 * 2 ** self._failures)
        logger.warning("Database unavailable (%s); trying again in %.1fs", exc, pause)
        close_all()
        time.sleep(pause)

    def _beat_if_due(self) -> None:
        if time.monotonic() - self._beaten >= self.heartbeat:
            beat(self.worker_id, self.started_at)
            self._beaten = time.monotonic()

    def _sweep_if_due(self) -> None:
        if time.monotonic() - self._swept < self.sweep_every:
            return
        self._swept = time.monotonic()
        try:
            sweep()
        except DATABASE_ERRORS:
            raise
        except Exception:
            logger.exception("The worker's sweep failed")

    @contextmanager
    def _beating(self) -> Iterator[None]:
        """Keep the heartbeat going from a thread while a task holds the main one."""
        stop = threading.Event()

        def keep_beating():
            try:
                while not stop.wait(self.heartbeat):
                    try:
                        beat(self.worker_id, self.started_at)
                        self._beaten = time.monotonic()
                    except DATABASE_ERRORS as exc:
                        logger.warning("Heartbeat failed: %s", exc)
                        close_all()
            finally:
                close_all()

        thread = threading.Thread(target=keep_beating, name="heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def _leave(self) -> None:
        from .models import TaskWorker

        try:
            TaskWorker.objects.filter(worker_id=self.worker_id).delete()
        except DATABASE_ERRORS:
            pass  # its heartbeat ages out instead
