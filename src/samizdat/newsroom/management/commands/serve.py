"""`samizdat serve`: the production server, granian, with one worker process per CPU, and the
task worker beside it, started again whenever it dies (or only granian, with --no-worker)."""

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from samizdat.mirrors.unavailable import write_unavailable_pages
from samizdat.newsroom.address import follow_bound_address
from samizdat.newsroom.supervise import WORKER, Supervised

# How long granian may take to stop before it is killed.
STOP_SECONDS = 30


class Command(BaseCommand):
    help = ("Serve the site in production with granian (WSGI): worker processes from the CPU "
            "count, static files through WhiteNoise, no access log (no reader addresses kept); "
            "and the task worker, kept running.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SAMIZDAT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int,
                            default=int(os.environ.get("SAMIZDAT_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=settings.SERVE_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.SERVE_THREADS)
        parser.add_argument("--no-collectstatic", action="store_true",
                            help="skip `collectstatic` (when a deploy step already ran it)")
        parser.add_argument("--no-worker", action="store_true",
                            help="no task worker (when it runs as a service of its own, "
                                 "docs/systemd/samizdat-worker.service)")

    def handle(self, *args, host, port, workers, threads, no_collectstatic, no_worker,
               **options):
        # Outside production, with no SAMIZDAT_SITE_URL, links name the port served on.
        follow_bound_address(host, port)
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        # What nginx shows while this server is down must exist before it can be.
        try:
            write_unavailable_pages()
        except DatabaseError as error:  # not migrated yet: the site says so itself
            self.stderr.write(f"The 'temporarily unavailable' pages were not written: {error}")
        argv = [
            sys.executable, "-m", "granian", "--interface", "wsgi",
            "--host", host, "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads),
            "--no-ws", "--no-access-log", "--log-level", "warning",
            "--respawn-failed-workers",
            # A worker that has not stopped 20 s after a stop is killed: a stop ends in
            # bounded time.
            "--workers-kill-timeout", "20",
            "--workers-max-rss", str(settings.SERVE_MAX_RSS_MB),
            "samizdat.wsgi:application",
        ]
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(prepare_metrics_dir())}
        self.stdout.write(f"Serving on http://{host}:{port}/ with {workers} workers")
        self.stdout.flush()
        if no_worker:
            os.execve(sys.executable, argv, env)  # noqa: S606 - our own interpreter; signals reach granian
        sys.exit(run_beside_worker(argv, env))


def prepare_metrics_dir() -> Path:
    """Where each granian worker counts requests in files of its own, which /metrics adds up
    (prometheus-client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR in granian's
    environment only: the task worker's bake renders are not readers' requests). Emptied at
    each start, as the client's documentation requires: a previous run's files would be
    added to this run's counts."""
    folder = settings.VAR_DIR / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def run_beside_worker(argv: list[str], env: dict[str, str] | None = None) -> int:
    """granian and the task worker as children; granian's exit code. SIGTERM, SIGINT and
    SIGHUP (granian reloads its workers; the task worker restarts) are passed on.

    granian runs in a session of its own and is told to stop once: a stop signal that
    reached it twice, from the process group (Ctrl+C, kill -- -PID) and from us, could
    deadlock granian 2.8's signal handler (it sets an Event from inside its own handler; seen
    in CI: the master asleep on the Event's lock, its workers gone). If it has not ended
    STOP_SECONDS after being told, it is killed. The task worker takes a repeated SIGTERM as
    one.
    """
    server = subprocess.Popen(argv, env=env, start_new_session=True)  # noqa: S603 - ours
    worker = Supervised(WORKER).start()
    stopping = threading.Event()

    def kill_if_still_running():
        if server.poll() is None:
            server.kill()

    def forward(signum, frame):
        if signum == signal.SIGHUP:
            server.send_signal(signum)
            worker.restart()
            return
        worker.stop_soon()
        if stopping.is_set():
            return
        stopping.set()
        server.send_signal(signum)
        timer = threading.Timer(STOP_SECONDS, kill_if_still_running)
        timer.daemon = True
        timer.start()

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    try:
        return server.wait()
    finally:
        worker.stop()
