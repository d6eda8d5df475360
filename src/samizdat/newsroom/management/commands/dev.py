"""`samizdat dev`: the development server and the task worker together, for `make run`."""

import signal
import socket
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from samizdat.newsroom.address import follow_bound_address, local_url, split_addrport
from samizdat.newsroom.supervise import WORKER, Supervised

READY_SECONDS = 60  # how long the announcement waits for the server to listen


def _stop(signum, frame):
    sys.exit(0)  # through the `finally` below, which stops the worker too


class Command(BaseCommand):
    help = ("Serve on 127.0.0.1:8000 (or [addr:]port) with a background task worker "
            "(scheduled publishing), started again if it dies; says where to open the site "
            "once it answers.")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        host, port = split_addrport(addrport)
        # Before the worker starts: it inherits the address through the environment.
        follow_bound_address(host, port)
        worker = Supervised([*WORKER, "--interval", "2"]).start()
        signal.signal(signal.SIGTERM, _stop)
        threading.Thread(target=self.announce, args=(host, port), daemon=True,
                         name="announce").start()
        try:
            # DEBUG stays off, as in production; static files are served all the same.
            call_command("runserver", addrport, use_reloader=False, insecure_serving=True)
        finally:
            worker.stop(timeout=10)

    def announce(self, host: str, port: int) -> None:
        """Where to open the site, printed once the server accepts connections."""
        opened = local_url(host, port)
        connect_to = opened.removeprefix("http://").rsplit(":", 1)[0].strip("[]")
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            try:
                socket.create_connection((connect_to, port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            return  # runserver has said why it could not start
        admin = (f"http://{settings.ADMIN_HOST}:{port}" if settings.ADMIN_HOST else opened)
        lines = [
            self.style.SUCCESS("Samizdat is running."),
            f"  Open the site: {opened}/",
            f"  Admin:         {admin}/{settings.ADMIN_PATH}/",
        ]
        if settings.SITE_URL != opened:
            lines.append(f"  Links name {settings.SITE_URL}/ (SAMIZDAT_SITE_URL).")
        lines.append("  Another port: make run PORT=8100 (or samizdat dev 8100). "
                     "Stop: Ctrl+C.")
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
