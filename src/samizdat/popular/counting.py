"""Counting readings without a database write per reading.

The article page asks the browser to send one small same-origin POST (site/read.js). The
view counts it in the worker's memory, at most once per client and article in
DEDUP_SECONDS (the client is a rotating hash, kept in the cache for that long and nowhere
else), and writes the sums at most every FLUSH_SECONDS: one statement for all the articles
read meanwhile. Then it compares each edition's top list with the one pages show and, if
it changed, makes the pages that show it stale.
"""

import datetime
import logging
import threading
import time
from collections import Counter

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from samizdat import clients

log = logging.getLogger(__name__)

DEDUP_SECONDS = 1800
CLIENT_CAP = 120  # readings one client may add per hour
_lock = threading.Lock()
_pending: Counter = Counter()  # (article id, hour) -> readings
_last_flush = [time.monotonic()]
_last_prune = [0.0]


def count_reading(request, article_id: int) -> bool:
    """Count one reading of `article_id` by this client, unless it was counted lately."""
    client = clients.client_key(request, "read")
    shared = clients.is_shared_key(client)
    # A shared address (the onion's) is many readers: each of their readings counts, within
    # the budget of them all.
    if not shared and not cache.add(f"samizdat:read:{client}:{article_id}", 1, DEDUP_SECONDS):
        return False
    if clients.hit(f"read:{client}", 3600) > clients.shared_limit(CLIENT_CAP, shared):
        return False
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    with _lock:
        _pending[(article_id, hour)] += 1
        due = (time.monotonic() - _last_flush[0] >= settings.POPULAR_FLUSH_SECONDS
               or len(_pending) >= 1000)
    if due:
        flush()
    return True


def flush() -> int:
    """Write the pending counts; returns how many (article, hour) rows were written."""
    with _lock:
        rows = [(hour, n, article_id) for (article_id, hour), n in _pending.items()]
        _pending.clear()
        _last_flush[0] = time.monotonic()
    if not rows:
        return 0
    from samizdat.newsroom.models import Article
    from samizdat.popular.models import ReadCount

    table, article = ReadCount._meta.db_table, Article._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Only published articles are counted; an unknown id inserts nothing.
        cursor.executemany(
            f"INSERT INTO {table} (article_id, edition_id, hour, count) "  # noqa: S608
            f"SELECT id, edition_id, %s, %s FROM {article} "
            "WHERE id = %s AND status = 'published' "
            "ON CONFLICT (article_id, hour) DO UPDATE SET count = "
            f"{table}.count + excluded.count", rows)
    if time.monotonic() - _last_prune[0] >= 3600:
        _last_prune[0] = time.monotonic()
        prune()
    from .ranking import refresh

    refresh()
    return len(rows)


def flush_quietly() -> None:
    try:
        flush()
    except Exception:  # at exit, with the database perhaps gone: log, never raise
        log.exception("could not write the last reading counts")


def prune(days: int = 8) -> int:
    """Hourly counts older than the longest list needs are only history: delete them."""
    from .models import ReadCount

    cutoff = timezone.now() - datetime.timedelta(days=days)
    deleted, _ = ReadCount.objects.filter(hour__lt=cutoff).delete()
    return deleted
