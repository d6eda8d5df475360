"""`samizdat serve`: the production server, granian, with one worker process per CPU."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Serve the site in production with granian (WSGI): worker processes from the CPU "
            "count, static files through WhiteNoise, no access log (no reader addresses kept).")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SAMIZDAT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int,
                            default=int(os.environ.get("SAMIZDAT_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=settings.SERVE_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.SERVE_THREADS)
        parser.add_argument("--no-collectstatic", action="store_true",
                            help="skip `collectstatic` (when a deploy step already ran it)")

    def handle(self, *args, host, port, workers, threads, no_collectstatic, **options):
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable, "-m", "granian", "--interface", "wsgi",
            "--host", host, "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads),
            "--no-ws", "--no-access-log", "--log-level", "warning",
            "--respawn-failed-workers",
            "--workers-max-rss", str(settings.SERVE_MAX_RSS_MB),
            "samizdat.wsgi:application",
        ]
        self.stdout.write(f"Serving on http://{host}:{port}/ with {workers} workers")
        self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter; signals reach granian
