"""The state of the parts that run beside the web workers, read for the health check and the
metrics alike: the task queue and its workers, the baked copy, mirrors, backups, the disk."""

import datetime
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone


def _age(then: datetime.datetime | None, now: datetime.datetime) -> float | None:
    return None if then is None else round(max(0.0, (now - then).total_seconds()), 3)


@dataclass
class TaskQueue:
    ready: int  # tasks due now and not yet taken
    running: int
    oldest_ready_seconds: float | None  # how long the oldest of them has been due: the lag
    workers: int  # workers whose heartbeat is within the lease
    worker_seen_seconds: float | None  # since the freshest heartbeat of any worker


def task_queue(now: datetime.datetime | None = None) -> TaskQueue:
    from django_tasks_db.models import DBTaskResult, get_date_max

    from samizdat.newsroom.models import TaskWorker

    now = now or timezone.now()
    ready = DBTaskResult.objects.ready()
    # A task enqueued without a delay has run_after set to the far future (django-tasks-db's
    # marker): it has been due since it was enqueued.
    due_since = [
        ready.filter(run_after=get_date_max()).aggregate(t=Min("enqueued_at"))["t"],
        ready.exclude(run_after=get_date_max()).aggregate(t=Min("run_after"))["t"],
    ]
    oldest = min((t for t in due_since if t is not None), default=None)
    lease = datetime.timedelta(seconds=settings.TASK_WORKER_LEASE_SECONDS)
    last_seen = TaskWorker.objects.aggregate(t=Max("seen_at"))["t"]
    return TaskQueue(
        ready=ready.count(),
        running=DBTaskResult.objects.running().count(),
        oldest_ready_seconds=_age(oldest, now),
        workers=TaskWorker.objects.filter(seen_at__gte=now - lease).count(),
        worker_seen_seconds=_age(last_seen, now),
    )


def comments_waiting() -> int:
    from samizdat.comments.models import Comment, Status

    return Comment.objects.filter(status=Status.PENDING).count()


@dataclass
class MirrorState:
    name: str
    last_success_seconds: float | None
    failing: bool  # the last attempt failed
    error: str  # its first line, shortened


def mirrors(now: datetime.datetime | None = None) -> list[MirrorState]:
    from samizdat.mirrors.models import Mirror

    now = now or timezone.now()
    found = []
    for mirror in Mirror.objects.filter(is_active=True).only(
            "name", "last_attempt", "last_success", "last_error"):
        failing = bool(mirror.last_error) and (
            mirror.last_success is None or (mirror.last_attempt or now) > mirror.last_success)
        found.append(MirrorState(
            name=mirror.name, last_success_seconds=_age(mirror.last_success, now),
            failing=failing,
            error=(mirror.last_error.strip().splitlines() or [""])[0][:200] if failing else ""))
    return found


def last_bake() -> datetime.datetime | None:
    """When the baked copy now served was switched in (`samizdat bake` replaces the link
    SAMIZDAT_BAKE_DIR atomically at the end of each full bake); None if never baked."""
    try:
        stamp = os.lstat(settings.BAKE_DIR).st_mtime
    except FileNotFoundError:
        return None
    return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)


def last_backup() -> tuple[bool, datetime.datetime | None]:
    """(whether this site makes backups: SAMIZDAT_BACKUP_TO is set or one was made here;
    when the last good one finished, or None)."""
    from django.conf import settings

    from samizdat.ops.backup import last_finished

    finished = last_finished()
    return bool(settings.BACKUP_TO) or finished is not None, finished


@dataclass
class Disk:
    path: Path
    free_bytes: int
    total_bytes: int


def disk() -> Disk:
    usage = shutil.disk_usage(settings.VAR_DIR)
    return Disk(path=settings.VAR_DIR, free_bytes=usage.free, total_bytes=usage.total)
