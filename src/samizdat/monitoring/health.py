"""/healthz for load balancers (no database, always quick) and /healthz/deep for monitors:
each part of the site checked by django-health-check, a JSON report, 503 when one fails.

django-health-check runs the checks side by side, each within its own time limit, so a
database that hangs instead of refusing makes a slow answer, not a hung one. Its own view
answers 500 and reports only a message per check; DeepHealthView answers 503 with what each
check found (ages, counts), and runs synchronous checks in threads that close their
database connections, so a connection broken by a database restart is never reused.
"""

import contextlib
import dataclasses
import datetime
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from . import state


@dataclasses.dataclass
class SamizdatCheck(HealthCheck):
    """A check that reports what it found in `details`, failing or not."""

    details: dict = dataclasses.field(default_factory=dict, init=False, repr=False)


@dataclasses.dataclass
class TaskQueue(SamizdatCheck):
    """A `samizdat worker` heartbeat within the lease, and no task due for too long."""

    def run(self):
        queue = state.task_queue()
        self.details.update(dataclasses.asdict(queue))
        lease = settings.TASK_WORKER_LEASE_SECONDS
        if not queue.workers:
            raise ServiceUnavailable(
                "no task worker has been seen" if queue.worker_seen_seconds is None else
                f"no task worker seen for {queue.worker_seen_seconds:.0f} s (lease {lease} s)")
        lag = settings.HEALTH_MAX_TASK_LAG_SECONDS
        if queue.oldest_ready_seconds is not None and queue.oldest_ready_seconds > lag:
            raise ServiceUnavailable(
                f"the oldest due task has waited {queue.oldest_ready_seconds:.0f} s "
                f"(more than {lag} s)")


@dataclasses.dataclass
class Disk(SamizdatCheck):
    """Free space where the SQLite file, media and the baked copy live."""

    def run(self):
        found = state.disk()
        self.details.update(free_bytes=found.free_bytes, total_bytes=found.total_bytes)
        least = settings.HEALTH_MIN_FREE_MB * 1024 * 1024
        if found.free_bytes < least:
            raise ServiceUnavailable(
                f"{found.free_bytes // 2**20} MB free in SAMIZDAT_VAR_DIR "
                f"(less than {settings.HEALTH_MIN_FREE_MB} MB)")


def _stamp(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclasses.dataclass
class Bake(SamizdatCheck):
    """When the baked copy was last made: reported, never failing (a site need not bake)."""

    def run(self):
        baked = state.last_bake()
        self.details.update(
            last_bake=_stamp(baked),
            age_seconds=round((timezone.now() - baked).total_seconds()) if baked else None)


@dataclasses.dataclass
class Mirrors(SamizdatCheck):
    """Each active mirror's last sync; fails while one's last attempt failed."""

    def run(self):
        found = state.mirrors()
        self.details["mirrors"] = [dataclasses.asdict(m) for m in found]
        failing = [m.name for m in found if m.failing]
        if failing:
            raise ServiceUnavailable(f"the last sync failed for {', '.join(failing)}")


@dataclasses.dataclass
class Backup(SamizdatCheck):
    """The last backup's age, where the site makes backups (docs/backup.md); a site that
    has never been told where to back up to is not failed for it, but says so."""

    def run(self):
        configured, finished = state.last_backup()
        self.details.update(configured=configured, last_backup=_stamp(finished))
        if not configured:
            return
        most = datetime.timedelta(hours=settings.HEALTH_MAX_BACKUP_AGE_HOURS)
        if finished is None or timezone.now() - finished > most:
            raise ServiceUnavailable(
                f"no backup in the last {settings.HEALTH_MAX_BACKUP_AGE_HOURS} hours")


CHECKS = {
    "database": Database,
    "cache": Cache,
    "tasks": TaskQueue,
    "disk": Disk,
    "bake": Bake,
    "mirrors": Mirrors,
    "backup": Backup,
}


class _ClosingExecutor(ThreadPoolExecutor):
    """Threads for synchronous checks that close their database connections when done."""

    def submit(self, fn, /, *args, **kwargs):
        def run():
            try:
                return fn(*args, **kwargs)
            finally:
                connections.close_all()

        return super().submit(run)


class DeepHealthView(HealthCheckView):
    checks = tuple(CHECKS.values())

    @contextlib.contextmanager
    def get_executor(self):
        executor = _ClosingExecutor(max_workers=len(CHECKS), thread_name_prefix="healthz")
        try:
            yield executor
        finally:
            # A check still stuck past its time limit is left to finish on its own.
            executor.shutdown(wait=False, cancel_futures=True)

    async def get(self, request, *args, **kwargs):
        import asyncio

        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks()))
        report = {}
        for name, result in zip(CHECKS, results, strict=True):
            entry = {"ok": result.error is None, "seconds": round(result.time_taken, 4)}
            if result.error is not None:
                entry["error"] = str(result.error)
            entry.update(getattr(result.check, "details", {}))
            report[name] = entry
        healthy = all(entry["ok"] for entry in report.values())
        return JsonResponse({"status": "ok" if healthy else "failing", "checks": report},
                            status=200 if healthy else 503,
                            json_dumps_params={"indent": 1})


def shallow() -> HttpResponse:
    """The process answers: nothing else is asked (a load balancer's probe must not take a
    healthy web worker out because the database blinked)."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
