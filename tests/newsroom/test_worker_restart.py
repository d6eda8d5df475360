"""`samizdat worker` against a real PostgreSQL server that restarts, idle and under a task: a
private throwaway cluster, so the shared test server is never touched."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# It brings its own PostgreSQL, so it runs once, in the SQLite run.
pytestmark = pytest.mark.engine("sqlite")


def test_the_worker_outlives_postgresql_restarts(cluster):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_"))}
    env.update({"DATABASE_URL": cluster.url, "SAMIZDAT_VAR_DIR": str(cluster.dir / "var"),
                "PYTHONPATH": str(ROOT)})
    samizdat = [sys.executable, "-m", "samizdat"]
    subprocess.run([*samizdat, "migrate", "-v0"], env=env, check=True, cwd=ROOT, timeout=300)

    def shell(code: str) -> str:
        return subprocess.run([*samizdat, "shell", "-c", code], env=env, check=True, cwd=ROOT,
                              capture_output=True, text=True,
                              timeout=60).stdout.strip().splitlines()[-1]

    def status(pk: str) -> str:
        return shell("from django_tasks_db.models import DBTaskResult as R; "
                     f"print(R.objects.get(pk='{pk}').status)")

    def enqueue(call: str) -> str:
        return shell(f"from tests.newsroom.test_worker import note, pause; print({call}.id)")

    def wait_for(pk: str, wanted: str, seconds: float = 60):
        deadline = time.monotonic() + seconds
        while (found := status(pk)) != wanted:
            assert worker.poll() is None, worker.communicate()[0]
            assert time.monotonic() < deadline, f"task {pk} is {found}, not {wanted}"
            time.sleep(0.3)

    busy = enqueue("pause.enqueue(4)")
    worker = subprocess.Popen([*samizdat, "worker", "--interval", "0.2", "--no-startup-delay"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(busy, "RUNNING")
        cluster.restart(down_for=5)  # the task ends while the server is down
        wait_for(busy, "SUCCESSFUL")
        cluster.restart(down_for=2)  # the worker idle, asking for tasks
        after = enqueue("note.enqueue('after the restarts')")
        wait_for(after, "SUCCESSFUL")
        assert worker.poll() is None
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "Database unavailable" in output or "Could not save" in output, output
