"""`samizdat worker`: the task worker, which survives database restarts and reruns the tasks of
workers that died (newsroom/worker.py). Use it instead of `db_worker`."""

import logging
import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from samizdat.newsroom.worker import Worker, new_worker_id


class Command(db_worker.Command):
    help = ("Run background tasks (scheduled publishing, renditions, the baked copy, mail); "
            "reconnects after a database restart, reruns the tasks of dead workers and "
            "publishes due articles every few seconds.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)
        parser.add_argument("--heartbeat", type=db_worker.valid_interval, default=None,
                            help="seconds between heartbeats "
                                 "(default: TASK_WORKER_HEARTBEAT_SECONDS, 10)")
        parser.add_argument("--sweep", type=db_worker.valid_interval, default=None,
                            help="seconds between runs of scheduled publishing and the check "
                                 "for tasks of dead workers (default: "
                                 "TASK_WORKER_SWEEP_SECONDS, 15)")

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay,
               reload, max_tasks, worker_id, exclude_queues, heartbeat, sweep, **options):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names, interval=interval, batch=batch,
            backend_name=backend_name, startup_delay=startup_delay, max_tasks=max_tasks,
            worker_id=worker_id or new_worker_id(), excluded_queue_names=excluded,
            heartbeat=heartbeat, sweep=sweep,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()

    def configure_logging(self, verbosity):
        super().configure_logging(verbosity)
        ours = logging.getLogger("samizdat.worker")
        ours.setLevel({0: logging.CRITICAL, 1: logging.INFO}.get(verbosity, logging.DEBUG))
        if not ours.hasHandlers():
            ours.addHandler(logging.StreamHandler(self.stdout))
