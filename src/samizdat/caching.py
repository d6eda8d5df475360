"""Redis as a cache that may go away: while it is unreachable, pages render uncached.

Django's Redis backend raises on a refused or timed-out connection, so a Redis restart
answered every page not served from a file, and every comment, with a 500 (the soak in
bench/soak.py saw 663 in two seconds). Here reads miss and writes are skipped while Redis
is down; rate limits count nothing meanwhile (samizdat.clients). A write lost that way
may have been an invalidation (a publication's version bump), so once Redis answers again,
the first process that lost one empties the cache before anything is read from it.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

WARN_EVERY = 30  # seconds between two warnings of one process


def _errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class TolerantRedisCache(RedisCache):
    """Django's RedisCache, degrading to no cache at all while the server is unreachable."""

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # A server that hangs must not hang the page: half a second, then no cache.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._lost_write = False
        self._warned = 0.0

    def _down(self, error) -> None:
        now = time.monotonic()
        if now - self._warned > WARN_EVERY:
            self._warned = now
            log.warning("cache unreachable, serving uncached: %s", error)

    def _recovered(self) -> None:
        if self._lost_write:
            self._lost_write = False
            super().clear()  # an invalidation may be among the lost writes

    def _read(self, method, default, *args, **kwargs):
        try:
            self._recovered()
            return getattr(super(), method)(*args, **kwargs)
        except _errors() as error:
            self._down(error)
            return default

    def _write(self, method, default, *args, **kwargs):
        try:
            self._recovered()
            return getattr(super(), method)(*args, **kwargs)
        except _errors() as error:
            self._lost_write = True
            self._down(error)
            return default

    def get(self, key, default=None, version=None):
        return self._read("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._read("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._read("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write("set_many", [], data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._write("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._write("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        try:
            self._recovered()
            return super().incr(key, delta, version)
        except _errors() as error:
            self._lost_write = True
            self._down(error)
            raise ValueError("cache unreachable") from error  # as for a missing key
