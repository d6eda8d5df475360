"""The deep check against a real PostgreSQL that stops and comes back, under `samizdat serve`
(two granian workers and the task worker); and /metrics adding up both workers' counts."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.pgcluster import free_port

ROOT = Path(__file__).resolve().parents[2]

# It brings its own PostgreSQL, so it runs once, in the SQLite run.
pytestmark = [pytest.mark.serving, pytest.mark.engine("sqlite")]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(url: str, status: int, seconds: float = 60) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            found, body = get(url)
        except OSError:
            found, body = None, b""
        if found == status:
            return body
        assert time.monotonic() < deadline, f"{url}: {found}, not {status}: {body[:2000]!r}"
        time.sleep(0.5)


def test_deep_health_follows_the_database_and_metrics_add_up_the_workers(cluster):
    var = cluster.dir / "var"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_",
                                "PROMETHEUS_"))}
    env.update({"DATABASE_URL": cluster.url, "SAMIZDAT_VAR_DIR": str(var),
                "PYTHONPATH": str(ROOT), "SAMIZDAT_HEALTH_MIN_FREE_MB": "1"})
    samizdat = [sys.executable, "-m", "samizdat"]
    subprocess.run([*samizdat, "migrate", "-v0"], env=env, check=True, cwd=ROOT, timeout=300)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*samizdat, "serve", "--port", str(port), "--workers", "2", "--no-collectstatic"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        assert wait_for(f"{base}/healthz", 200) == b"ok\n"
        # Healthy once the task worker beside granian has said it is alive.
        report = json.loads(wait_for(f"{base}/healthz/deep", 200))
        assert report["checks"]["tasks"]["workers"] == 1

        cluster.pg_ctl("stop", "-w", "-m", "fast")
        body = wait_for(f"{base}/healthz/deep", 503, seconds=30)
        report = json.loads(body)
        assert report["checks"]["database"]["ok"] is False
        assert report["checks"]["tasks"]["ok"] is False
        assert report["checks"]["cache"]["ok"] and report["checks"]["disk"]["ok"]
        assert get(f"{base}/healthz") == (200, b"ok\n")  # the load balancer keeps it

        cluster.start()
        report = json.loads(wait_for(f"{base}/healthz/deep", 200, seconds=60))
        assert report["status"] == "ok"

        for _ in range(20):  # spread over both workers
            get(f"{base}/robots.txt")
        assert list((var / "metrics").glob("counter_*.db"))
        status, body = get(f"{base}/metrics")
        assert status == 200
        text = body.decode()
        counted = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                      if line.startswith("samizdat_page_cache_total{"))
        assert counted >= 20, text
        assert 'samizdat_requests_total{status="503",view="healthz-deep"}' in text
        assert "samizdat_state_up 1.0" in text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def test_deep_health_follows_the_task_worker_killed_and_started_again(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_",
                                "PROMETHEUS_"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
                "SAMIZDAT_VAR_DIR": str(var), "PYTHONPATH": str(ROOT),
                "SAMIZDAT_HEALTH_MIN_FREE_MB": "1",
                # A worker is missed after three silent seconds instead of a minute.
                "SAMIZDAT_TASK_HEARTBEAT_SECONDS": "1", "SAMIZDAT_TASK_LEASE_SECONDS": "3"})
    samizdat = [sys.executable, "-m", "samizdat"]
    subprocess.run([*samizdat, "migrate", "-v0"], env=env, check=True, cwd=ROOT, timeout=300)
    port = free_port()
    deep = f"http://127.0.0.1:{port}/healthz/deep"

    def worker():
        return subprocess.Popen([*samizdat, "worker"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    server = subprocess.Popen(
        [*samizdat, "serve", "--port", str(port), "--workers", "1", "--no-worker",
         "--no-collectstatic"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    first = worker()
    try:
        assert json.loads(wait_for(deep, 200))["checks"]["tasks"]["workers"] == 1
        first.kill()  # kill -9: no goodbye, only the heartbeats stop
        first.wait(timeout=30)
        report = json.loads(wait_for(deep, 503, seconds=30))
        assert report["checks"]["tasks"]["ok"] is False
        assert report["checks"]["database"]["ok"] and report["checks"]["cache"]["ok"]
        assert get(f"http://127.0.0.1:{port}/healthz") == (200, b"ok\n")
        second = worker()
        try:
            report = json.loads(wait_for(deep, 200, seconds=60))
            assert report["status"] == "ok" and report["checks"]["tasks"]["workers"] == 1
        finally:
            second.kill()
            second.wait(timeout=30)
    finally:
        first.kill()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
