"""Scheduled backups (ops/schedule.py): the worker enqueues one when it is due, exactly once
whichever worker finds it, records it, and the admin shows the last one and the next."""

import datetime
import threading

import pyrage
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from samizdat.monitoring import health, state
from samizdat.ops import backup as backups
from samizdat.ops import schedule
from samizdat.ops.models import BackupRun
from tests.conftest import sign_in

TASK = "samizdat.ops.tasks.scheduled_backup"


@pytest.fixture
def scheduled(settings, tmp_path):
    """Every six hours to a folder, encrypted to a fresh key, keeping a day's archives."""
    identity = pyrage.x25519.Identity.generate()
    settings.BACKUP_RECIPIENTS = [str(identity.to_public())]
    settings.BACKUP_PASSPHRASE = ""
    settings.BACKUP_TO = str(tmp_path / "backups")
    settings.BACKUP_EVERY_HOURS, settings.BACKUP_DAILY_AT = 6, ""
    settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY = 0, 0
    return tmp_path / "backups"


def work():
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


def archives(folder) -> list[str]:
    return sorted(p.name for p in folder.glob("*.tar.gz.age"))


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


# --- The schedule's moments ------------------------------------------------------------------
def test_every_n_hours_counts_from_midnight_utc(scheduled, db):
    now = at("2026-12-02T10:37:00+00:00")
    assert schedule.current_slot(now) == at("2026-12-02T06:00:00+00:00")
    assert schedule.next_run(now) == at("2026-12-02T06:00:00+00:00")  # due: never claimed
    BackupRun.objects.create(slot=at("2026-12-02T06:00:00+00:00"))
    assert schedule.due(now) is None
    assert schedule.next_run(now) == at("2026-12-02T12:00:00+00:00")


def test_daily_at_a_time_of_the_newsroom(scheduled, settings, db):
    settings.BACKUP_EVERY_HOURS, settings.BACKUP_DAILY_AT = 0, "03:15"
    settings.TIME_ZONE = "Europe/Berlin"  # UTC+1 in winter, UTC+2 in summer
    assert schedule.current_slot(at("2026-12-02T02:15:00+00:00")) == at(
        "2026-12-02T02:15:00+00:00")
    assert schedule.current_slot(at("2026-12-02T02:14:59+00:00")) == at(
        "2026-12-01T02:15:00+00:00")
    # Over the change to summer time the hour stays 03:15 in Berlin.
    assert schedule.following(at("2026-03-28T02:15:00+00:00")) == at("2026-03-29T01:15:00+00:00")
    settings.BACKUP_DAILY_AT = ""
    assert schedule.current_slot() is schedule.next_run() is None
    assert schedule.enqueue_due() is None


# --- The worker ------------------------------------------------------------------------------
def test_a_due_backup_runs_once_and_again_only_when_due_again(scheduled, transactional_db):
    before = timezone.now()
    work()
    run = BackupRun.objects.get()
    assert run.slot == schedule.current_slot() and run.slot <= before
    assert run.result == BackupRun.Result.OK, run.message
    assert run.started_at >= before and run.finished_at >= run.started_at
    assert run.target == str(scheduled) and run.size > 0
    assert archives(scheduled) == [run.archive.rsplit("/", 1)[1]]
    task = DBTaskResult.objects.get(task_path=TASK)
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == run.archive
    # The health check reads the same record.
    assert backups.last_finished() == run.finished_at
    assert state.last_backup() == (True, run.finished_at)

    # A worker started again (or another one, on another machine) finds the slot taken.
    work()
    work()
    assert BackupRun.objects.count() == 1 and len(archives(scheduled)) == 1
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    assert schedule.next_run() == run.slot + datetime.timedelta(hours=6)

    # Six hours later (the claimed slot is now the one before the current one): once more.
    BackupRun.objects.update(slot=F("slot") - datetime.timedelta(hours=6))
    work()
    work()
    assert BackupRun.objects.count() == 2 and len(archives(scheduled)) == 2
    newest = BackupRun.objects.order_by("-id").first()
    assert newest.slot == schedule.current_slot() and newest.result == BackupRun.Result.OK


def test_a_slot_claimed_meanwhile_by_another_worker_is_not_enqueued(scheduled, db,
                                                                    monkeypatch):
    first = schedule.enqueue_due()
    assert first is not None and first.result == BackupRun.Result.WAITING
    assert schedule.enqueue_due() is None
    # Another worker's row went in between this one's look and its claim.
    monkeypatch.setattr(schedule, "due", lambda now=None: first.slot)
    assert schedule.enqueue_due() is None
    assert BackupRun.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1


@pytest.mark.engine("postgresql")
def test_workers_finding_the_slot_due_at_once_enqueue_one_backup(scheduled,
                                                                 transactional_db):
    start, claimed = threading.Barrier(4), []

    def sweep():
        try:
            start.wait()
            claimed.append(schedule.enqueue_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([c for c in claimed if c is not None]) == 1
    assert BackupRun.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1


def test_a_failed_scheduled_backup_is_recorded_with_its_error(scheduled, settings,
                                                              transactional_db):
    settings.BACKUP_RECIPIENTS = []
    work()
    run = BackupRun.objects.get()
    assert run.result == BackupRun.Result.FAILED and run.finished_at
    assert "SAMIZDAT_BACKUP_RECIPIENTS" in run.message
    assert DBTaskResult.objects.get(task_path=TASK).status == TaskResultStatus.FAILED
    assert backups.last_finished() is None
    report = health.Backup()
    with pytest.raises(health.ServiceUnavailable):
        report.run()
    work()  # not tried again before the next slot
    assert BackupRun.objects.count() == 1


# --- The admin -------------------------------------------------------------------------------
@pytest.fixture
def administrator(client, staff):
    sign_in(client, staff["administrator"])
    return client


def shown(moment) -> str:
    """A time as the English admin shows it, in the newsroom's time zone."""
    with translation.override("en"):
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def summary_of(client, language="en") -> str:
    page = client.get("/admin/ops/backuprun/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index('id="backup-summary"'):html.index("</dl>")]


def test_the_admin_shows_the_last_backup_and_the_next(administrator, scheduled, settings):
    good = backups.backup()
    run = BackupRun.objects.get()
    summary = summary_of(administrator)
    assert "Last backup" in summary and shown(run.finished_at) in summary
    with translation.override("en"):
        assert f": ok, {filesizeformat(good.size)}" in summary
    assert str(scheduled) in summary and good.url in summary
    assert "Error:" not in summary
    assert "Next scheduled backup" in summary and shown(schedule.next_run()) in summary

    settings.BACKUP_RECIPIENTS = []  # the next one fails
    with pytest.raises(backups.BackupError):
        backups.backup()
    failed = BackupRun.objects.order_by("-id").first()
    summary = summary_of(administrator)
    assert ": failed" in summary and "SAMIZDAT_BACKUP_RECIPIENTS" in summary
    assert "Error:" in summary and shown(failed.finished_at) in summary
    assert "Last good backup" in summary and shown(run.finished_at) in summary
    # The runs themselves below, the good one's archive among them.
    html = administrator.get("/admin/ops/backuprun/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert good.url in html and html.count("by hand") >= 2

    # In the newsroom's languages too.
    for language, heading in (("be", "Апошняя рэзервовая копія"),
                              ("ru", "Последняя резервная копия")):
        summary = summary_of(administrator, language)
        assert heading in summary and "Last backup" not in summary
    # Nothing to add, change or delete: runs are records.
    assert administrator.get("/admin/ops/backuprun/add/").status_code == 403
    index = administrator.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/admin/ops/backuprun/" in index


def test_without_a_schedule_the_admin_says_how_to_make_one(administrator, settings, db):
    settings.BACKUP_TO, settings.BACKUP_EVERY_HOURS, settings.BACKUP_DAILY_AT = "", 0, ""
    html = administrator.get("/admin/ops/backuprun/", HTTP_ACCEPT_LANGUAGE="en"
                             ).content.decode()
    assert "No backup has been made yet." in html
    assert "SAMIZDAT_BACKUP_DAILY_AT" in html and "systemd timer" in html


def test_only_administrators_see_backups(client, staff, db):
    sign_in(client, staff["editor"])
    assert client.get("/admin/ops/backuprun/").status_code == 403
    assert "/admin/ops/" not in client.get("/admin/").content.decode()
