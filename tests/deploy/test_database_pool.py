"""Many workers, one PostgreSQL: `samizdat serve --workers 8 --threads 2` with
SAMIZDAT_DB_POOL=1 holds at most one connection a worker (not one a thread), and the pool's
health checks carry it over connections the server dropped (a restarted PgBouncer, a
failover, an idle timeout)."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.monitoring.test_serving import get, wait_for
from tests.net import free_port

ROOT = Path(__file__).resolve().parents[2]
WORKERS, THREADS, POOL = 8, 2, 1

# It brings its own PostgreSQL, so it runs once, in the SQLite run.
pytestmark = [pytest.mark.serving, pytest.mark.engine("sqlite")]


def database(cluster) -> str:
    return cluster.url.rsplit("/", 1)[0] + "/samizdat"


def connections(cluster, sql: str) -> list:
    import psycopg

    with psycopg.connect(database(cluster), autocommit=True) as admin:
        return admin.execute(sql).fetchall()


def test_eight_workers_share_a_bounded_pool_and_survive_dropped_connections(cluster):
    import psycopg

    with psycopg.connect(cluster.url, autocommit=True) as admin:
        admin.execute("CREATE DATABASE samizdat")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_"))}
    env.update({"DATABASE_URL": database(cluster),
                "SAMIZDAT_VAR_DIR": str(cluster.dir / "var"), "SAMIZDAT_DB_POOL": str(POOL),
                "SAMIZDAT_PAGE_CACHE_SECONDS": "0", "SAMIZDAT_FRAGMENT_CACHE_SECONDS": "0"})
    samizdat = [sys.executable, "-m", "samizdat"]
    subprocess.run([*samizdat, "migrate", "-v0"], env=env, check=True, timeout=300)
    subprocess.run([*samizdat, "demo", "--articles", "30", "--password", "x" * 12], env=env,
                   check=True, timeout=300, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*samizdat, "serve", "--port", str(port), "--workers", str(WORKERS), "--threads",
         str(THREADS),
         "--no-worker", "--no-collectstatic"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(f"{base}/robots.txt", 200, seconds=120)
        pages = ["/be/", "/ru/", "/en/", "/be/search/?q=%D1%81%D1%83%D0%B4",
                 "/api/v1/articles?limit=20"]
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda n: get(base + pages[n % len(pages)])[0],
                                     range(240)))
        assert statuses.count(200) == len(statuses), statuses
        held = connections(cluster, "SELECT count(*) FROM pg_stat_activity "
                                    "WHERE datname = 'samizdat' AND pid <> pg_backend_pid()")
        # Without the pool each thread keeps a connection of its own (up to 16 here).
        assert 1 <= held[0][0] <= WORKERS * POOL < WORKERS * THREADS
        # The server drops every connection the workers hold: the pool checks a connection
        # before lending it and opens a new one, so no reader sees the loss.
        dropped = connections(cluster, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                       " WHERE datname = 'samizdat' AND pid <> pg_backend_pid()")
        assert dropped
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda n: get(base + pages[n % len(pages)])[0],
                                     range(80)))
        assert statuses.count(200) == len(statuses), statuses
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)
