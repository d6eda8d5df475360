"""Scheduled backups: the task worker's sweep enqueues one when the schedule says it is due.

The schedule is a series of moments ("slots"): every SAMIZDAT_BACKUP_EVERY_HOURS hours counted
from midnight UTC, or each day at SAMIZDAT_BACKUP_DAILY_AT in the newsroom's time zone. The
latest slot that has come is due until a BackupRun row claims it; the row's slot is unique, so
of several workers, on one machine or many, exactly one claims it and enqueues the backup in
the same transaction. The claim lives in the database: a restarted worker, or one on another
machine, finds it and does not run that slot again. A slot missed while no worker ran is run
once when one starts (older missed slots are not made up).
"""

import datetime
import logging
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger("samizdat.backup")
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def scheduled() -> bool:
    """Whether the worker makes backups (a target and a schedule are configured)."""
    return bool(settings.BACKUP_TO and (settings.BACKUP_EVERY_HOURS or settings.BACKUP_DAILY_AT))


def _daily_at() -> datetime.time:
    hour, minute = (int(part) for part in settings.BACKUP_DAILY_AT.split(":"))
    return datetime.time(hour, minute)


def _at_on(day: datetime.date) -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(day, _daily_at(), tzinfo=zone).astimezone(datetime.UTC)


def current_slot(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The latest moment of the schedule at or before `now` (None: nothing scheduled)."""
    if not scheduled():
        return None
    now = now or timezone.now()
    if settings.BACKUP_EVERY_HOURS:
        every = datetime.timedelta(hours=settings.BACKUP_EVERY_HOURS)
        return EPOCH + (now - EPOCH) // every * every
    today = timezone.localtime(now, zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
    slot = _at_on(today)
    return slot if slot <= now else _at_on(today - datetime.timedelta(days=1))


def following(slot: datetime.datetime) -> datetime.datetime:
    """The moment of the schedule after `slot`."""
    if settings.BACKUP_EVERY_HOURS:
        return slot + datetime.timedelta(hours=settings.BACKUP_EVERY_HOURS)
    day = timezone.localtime(slot, zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
    return _at_on(day + datetime.timedelta(days=1))


def due(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The slot no run has claimed yet, if the latest one has not been."""
    from .models import BackupRun

    slot = current_slot(now)
    if slot is None or BackupRun.objects.filter(slot=slot).exists():
        return None
    return slot


def next_run(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the worker will next start a scheduled backup: the due slot (it starts within a
    sweep, if a worker runs), else the next one (None: nothing scheduled)."""
    now = now or timezone.now()
    slot = current_slot(now)
    if slot is None:
        return None
    return due(now) or following(slot)


def enqueue_due(now: datetime.datetime | None = None):
    """Claim the due slot and enqueue its backup, in one transaction; returns the claimed
    BackupRun, or None when nothing is due or another worker claimed it first."""
    from .models import BackupRun
    from .tasks import scheduled_backup

    slot = due(now)
    if slot is None:
        return None
    try:
        with transaction.atomic():
            run = BackupRun.objects.create(slot=slot, result=BackupRun.Result.WAITING,
                                           target=settings.BACKUP_TO)
            scheduled_backup.enqueue(run.pk)
    except IntegrityError:
        return None  # another worker's row went in first
    logger.info("Scheduled backup for %s enqueued", slot.isoformat())
    return run
