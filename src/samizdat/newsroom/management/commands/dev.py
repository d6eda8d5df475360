"""`samizdat dev`: the development server and the task worker together, for `make run`."""

import signal
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from samizdat.newsroom.supervise import WORKER, Supervised


def _stop(signum, frame):
    sys.exit(0)  # through the `finally` below, which stops the worker too


class Command(BaseCommand):
    help = ("Serve on 127.0.0.1:8000 with a background task worker (scheduled publishing), "
            "started again if it dies.")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        worker = Supervised([*WORKER, "--interval", "2"]).start()
        signal.signal(signal.SIGTERM, _stop)
        try:
            # DEBUG stays off, as in production; static files are served all the same.
            call_command("runserver", addrport, use_reloader=False, insecure_serving=True)
        finally:
            worker.stop(timeout=10)
