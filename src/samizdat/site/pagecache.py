"""The full-page cache: whole reader responses keyed by a content version.

Every change readers can see bumps the version, so every cached page goes stale at once
and precisely when content changes. With the local-memory cache (one machine, several
worker processes) the version lives in a file's modification stamp, which all workers
see; with a shared cache (Redis) it lives in the cache itself.
"""

import hashlib
import os
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "samizdat:content-version"


def _uses_shared_cache() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _stamp_path():
    return settings.VAR_DIR / "content-version"


# Set for the length of one request by the page-cache middleware: one request, one version.
_pinned: ContextVar[str | None] = ContextVar("samizdat_content_version", default=None)


def content_version() -> str:
    pinned = _pinned.get()
    return pinned if pinned is not None else _read_version()


@contextmanager
def pinned_version():
    """Read the version once and use it for everything this request looks up."""
    version = _read_version()
    token = _pinned.set(version)
    try:
        yield version
    finally:
        _pinned.reset(token)


def _read_version() -> str:
    if _uses_shared_cache():
        version = cache.get(VERSION_KEY)
        if version is None:
            version = str(time.time_ns())
            cache.add(VERSION_KEY, version, None)
        return str(version)
    try:
        return str(os.stat(_stamp_path()).st_mtime_ns)
    except FileNotFoundError:
        bump()
        return str(os.stat(_stamp_path()).st_mtime_ns)


def bump() -> None:
    """Make every cached page stale."""
    if _uses_shared_cache():
        cache.set(VERSION_KEY, str(time.time_ns()), None)
        return
    path = _stamp_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    now = time.time_ns()
    try:
        previous = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        previous = 0
        path.touch()
    # Two bumps within the file system's clock resolution must still differ.
    os.utime(path, ns=(now, max(now, previous + 1000)))


def page_key(request, version: str) -> str:
    # The scheme is part of the key: HTTPS answers carry HSTS, plain ones must not.
    raw = (f"{request.scheme}|{request.get_host()}|{request.path}|"
           f"{request.META.get('QUERY_STRING', '')}")
    return f"samizdat:page:{version}:{hashlib.sha256(raw.encode()).hexdigest()}"


def on_content_changed(sender, **kwargs):
    bump()


def on_model_changed(sender, **kwargs):
    # After the commit: a page rendered between the bump and the commit would be stale.
    from django.db import transaction

    transaction.on_commit(bump)
