"""/healthz for load balancers and /healthz/deep for monitors: quick, cookieless, uncached,
for any host; the deep check only for this machine or the token, failing with the part."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from samizdat.mirrors.models import Mirror
from samizdat.newsroom.models import TaskWorker

READER = {"REMOTE_ADDR": "203.0.113.7"}  # not loopback: a stranger


def beat(seconds_ago: float = 0) -> None:
    TaskWorker.objects.update_or_create(
        worker_id="w1", defaults={"seen_at": timezone.now()
                                  - datetime.timedelta(seconds=seconds_ago)},
        create_defaults={"seen_at": timezone.now() - datetime.timedelta(seconds=seconds_ago),
                         "started_at": timezone.now(), "host": "here", "pid": 1})


def deep(client=None, **extra):
    response = (client or Client()).get("/healthz/deep", **extra)
    return response, (json.loads(response.content) if response.status_code in (200, 503)
                      else None)


@pytest.mark.django_db
def test_healthz_is_ok_without_the_database_a_cookie_or_the_cache(django_assert_num_queries,
                                                                   settings):
    settings.ADMIN_HOST = "desk.example.org"
    client = Client()
    for host in ("news.example.org", "desk.example.org", "10.0.0.5", "testserver"):
        with django_assert_num_queries(0):
            response = client.get("/healthz", HTTP_HOST=host, **READER)
        assert response.status_code == 200, host
        assert response.content == b"ok\n"
        assert not response.cookies
        assert "X-Page-Cache" not in response
        assert response["Cache-Control"] == "no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_the_deep_check_is_for_this_machine_or_the_token(settings):
    settings.HEALTH_TOKEN = "s3cret-health"
    assert deep(**READER)[0].status_code == 404
    assert deep(HTTP_AUTHORIZATION="Bearer wrong", **READER)[0].status_code == 404
    assert Client().get("/healthz?deep=1", **READER).status_code == 404
    # Through nginx (or tor through nginx) the address is the proxy's loopback one.
    assert deep(HTTP_X_FORWARDED_FOR="127.0.0.1")[0].status_code == 404
    assert deep(HTTP_AUTHORIZATION="Bearer s3cret-health", **READER)[0].status_code in (200,
                                                                                      503)
    assert deep()[0].status_code in (200, 503)  # the test client's 127.0.0.1, no proxy
    assert Client().get("/healthz?deep=1").status_code in (200, 503)
    settings.HEALTH_TOKEN = ""
    assert deep(HTTP_AUTHORIZATION="Bearer ", **READER)[0].status_code == 404


@pytest.mark.django_db
def test_with_an_onion_address_and_no_proxy_loopback_is_not_enough(settings):
    settings.ONION_ADDRESS = "x" * 56 + ".onion"
    settings.PROXY_COUNT = 0
    assert deep()[0].status_code == 404
    settings.PROXY_COUNT = 1
    assert deep()[0].status_code in (200, 503)


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_makes_the_site_healthy_or_not(settings):
    response, report = deep()
    assert response.status_code == 503
    assert report["status"] == "failing"
    assert report["checks"]["tasks"]["ok"] is False
    assert "no task worker has been seen" in report["checks"]["tasks"]["error"]
    assert report["checks"]["database"]["ok"] and report["checks"]["cache"]["ok"]
    assert response["Content-Type"] == "application/json"
    assert not response.cookies

    beat()
    response, report = deep()
    assert response.status_code == 200, report
    assert report["status"] == "ok"
    assert report["checks"]["tasks"]["workers"] == 1
    assert report["checks"]["disk"]["free_bytes"] > 0
    assert report["checks"]["backup"]["ok"]

    beat(seconds_ago=settings.TASK_WORKER_LEASE_SECONDS + 5)  # killed a while ago
    response, report = deep()
    assert response.status_code == 503
    assert "no task worker seen for" in report["checks"]["tasks"]["error"]
    assert report["checks"]["tasks"]["worker_seen_seconds"] >= settings.TASK_WORKER_LEASE_SECONDS


@pytest.mark.django_db(transaction=True)
def test_a_late_queue_a_failing_mirror_and_a_full_disk_fail(settings):
    from django_tasks_db.models import DBTaskResult

    from tests.newsroom.test_worker import note

    beat()
    result = note.enqueue("waiting")
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(hours=1))
    response, report = deep()
    assert response.status_code == 503
    assert report["checks"]["tasks"]["ready"] == 1
    assert report["checks"]["tasks"]["oldest_ready_seconds"] >= 3600
    assert "oldest due task has waited" in report["checks"]["tasks"]["error"]
    DBTaskResult.objects.all().delete()

    Mirror.objects.create(name="Backup bucket", kind="folder", target="/srv/m",
                          last_attempt=timezone.now(), last_error="rsync: connection refused\n…")
    response, report = deep()
    assert response.status_code == 503
    mirror = report["checks"]["mirrors"]["mirrors"][0]
    assert mirror["failing"] and mirror["error"] == "rsync: connection refused"
    Mirror.objects.update(last_success=timezone.now(), last_error="")
    assert deep()[0].status_code == 200

    settings.HEALTH_MIN_FREE_MB = 10**12
    response, report = deep()
    assert response.status_code == 503
    assert "free in SAMIZDAT_VAR_DIR" in report["checks"]["disk"]["error"]


def test_the_backup_check_follows_the_last_backup(settings, tmp_path, db):
    """Not configured: passes and says so; configured: fails until a good backup is recent,
    whichever machine made it (the database's record: ops.BackupRun)."""
    import datetime
    import json

    from django.utils import timezone

    from samizdat.monitoring import health
    from samizdat.ops import backup
    from samizdat.ops.models import BackupRun

    settings.VAR_DIR = tmp_path
    check = health.Backup()
    check.run()
    assert check.details["configured"] is False
    settings.BACKUP_TO = str(tmp_path / "backups")
    with pytest.raises(health.ServiceUnavailable):
        health.Backup().run()
    now = timezone.now()
    BackupRun.objects.create(result=BackupRun.Result.FAILED, finished_at=now)
    with pytest.raises(health.ServiceUnavailable):  # a failed one is no backup
        health.Backup().run()
    good = BackupRun.objects.create(result=BackupRun.Result.OK,
                                    finished_at=now - datetime.timedelta(hours=1))
    fresh = health.Backup()
    fresh.run()
    assert fresh.details["configured"] is True
    assert fresh.details["last_backup"] == good.finished_at.isoformat()
    BackupRun.objects.filter(pk=good.pk).update(finished_at=now - datetime.timedelta(hours=49))
    with pytest.raises(health.ServiceUnavailable):
        health.Backup().run()
    # A site whose last backup was made before backups were recorded in the database.
    BackupRun.objects.all().delete()
    (tmp_path / backup.LEGACY_LAST).write_text(json.dumps(
        {"finished_at": (now - datetime.timedelta(hours=1)).isoformat()}))
    health.Backup().run()


def test_the_deep_check_answers_from_a_thread_running_an_event_loop(client):
    """A thread with an event loop running (a browser test's, an async server's) made the
    deep check raise: async_to_sync refuses to run there."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def ask():
        return client.get("/healthz/deep")

    with ThreadPoolExecutor(max_workers=1) as thread:  # a thread of its own, loop and all
        response = thread.submit(asyncio.run, ask()).result()
    assert response.status_code in (200, 503) and "checks" in response.json()
