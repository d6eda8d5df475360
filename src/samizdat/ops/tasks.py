"""Background work of the operations app, run by the task worker."""

from django.conf import settings
from django_tasks import task

from . import backup as backups


@task()
def scheduled_backup(run_id: int) -> str:
    """The backup the schedule claimed as BackupRun `run_id` (ops/schedule.py), with the
    configured retention; returns the archive's address. Run again after a lost worker, it
    makes a new archive and records it in the same row."""
    from .models import BackupRun

    run = BackupRun.objects.filter(pk=run_id).first()
    if run is None:  # deleted meanwhile (a restore empties the table)
        return ""
    result = backups.backup(keep_daily=settings.BACKUP_KEEP_DAILY,
                            keep_weekly=settings.BACKUP_KEEP_WEEKLY, run=run)
    return result.url
