"""Prometheus metrics: counters the web workers keep (requests by view and status, page-cache
hits and misses, render time of misses) and gauges read from the database at each scrape
(the task queue, comments awaiting moderation, mirrors, the baked copy).

Under `samizdat serve` several granian worker processes count separately:
PROMETHEUS_MULTIPROC_DIR (set by `samizdat serve`, before any worker starts) makes each write
its counters to files there, which a scrape adds up. Labels never hold an address or a path:
only the resolved view's name and the status code.
"""

import os
import time

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

REQUESTS = Counter(
    "samizdat_requests", "Requests that reached the application (not page-cache hits), by "
    "resolved view and status", ["view", "status"])
PAGE_CACHE = Counter("samizdat_page_cache", "Reader pages by page-cache result", ["result"])
# Bound once: a hit costs one increment, no label lookup.
PAGE_CACHE_HIT = PAGE_CACHE.labels("hit")
PAGE_CACHE_MISS = PAGE_CACHE.labels("miss")
RENDER_SECONDS = Histogram(
    "samizdat_page_render_seconds", "Time to render a reader page the page cache missed",
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))


class SiteState:
    """Gauges read at scrape time: one set of queries per scrape, whichever worker answers."""

    def collect(self):
        from django.db import DatabaseError

        from . import state

        up = GaugeMetricFamily("samizdat_state_up", "Whether the database answered this scrape")
        try:
            queue = state.task_queue()
            waiting = state.comments_waiting()
            mirrors = state.mirrors()
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        for name, help_text, value in (
            ("samizdat_tasks_ready", "Tasks due and waiting for a worker", queue.ready),
            ("samizdat_tasks_running", "Tasks being run", queue.running),
            ("samizdat_tasks_lag_seconds", "How long the oldest due task has waited",
             queue.oldest_ready_seconds or 0),
            ("samizdat_task_workers", "Task workers with a fresh heartbeat", queue.workers),
            ("samizdat_comments_awaiting_moderation", "Comments waiting for a moderator",
             waiting),
        ):
            yield GaugeMetricFamily(name, help_text, value=value)
        if queue.worker_seen_seconds is not None:
            yield GaugeMetricFamily("samizdat_task_worker_seen_seconds",
                                    "Since the freshest task worker heartbeat",
                                    value=queue.worker_seen_seconds)
        age = GaugeMetricFamily("samizdat_mirror_sync_age_seconds",
                                "Since each active mirror's last successful sync",
                                labels=["mirror"])
        failing = GaugeMetricFamily("samizdat_mirror_failing",
                                    "1 while a mirror's last sync attempt failed",
                                    labels=["mirror"])
        for mirror in mirrors:
            if mirror.last_success_seconds is not None:
                age.add_metric([mirror.name], mirror.last_success_seconds)
            failing.add_metric([mirror.name], int(mirror.failing))
        yield age
        yield failing
        baked = state.last_bake()
        if baked is not None:
            yield GaugeMetricFamily("samizdat_bake_age_seconds",
                                    "Since the baked copy was last switched in",
                                    value=time.time() - baked.timestamp())


def exposition() -> tuple[bytes, str]:
    """The metrics text: every worker's counters (added up from PROMETHEUS_MULTIPROC_DIR when
    several processes serve), then the site's state."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counted = CollectorRegistry()
        MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    site = CollectorRegistry()
    site.register(SiteState())
    return generate_latest(counted) + generate_latest(site), CONTENT_TYPE_LATEST
