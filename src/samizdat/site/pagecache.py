"""The full-page cache: whole reader responses keyed by a content version.

Every change readers can see bumps the version, so every cached page goes stale at once
and precisely when content changes. With the local-memory cache (one machine, several
worker processes) the version lives in a file's modification stamp, which all workers
see; with a shared cache (Redis) it lives in the cache itself.

With SAMIZDAT_PAGE_FILES_DIR set, every cached page is also written there as a plain file
(`current/<path>/index.html` and its `.gz`), for nginx to serve without asking the
application at all; `current` is a symlink to the folder of the current version, switched
atomically when the version changes.
"""

import fcntl
import functools
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict

logger = logging.getLogger(__name__)

VERSION_KEY = "samizdat:content-version"
# The version while a shared cache is unreachable (samizdat/caching.py): nothing can be
# kept under it, so no page file is written for it either.
UNREACHABLE = "0"


def _uses_shared_cache() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _stamp_path():
    return settings.VAR_DIR / "content-version"


# Set while render on write (site/onwrite.py) renders pages under the version that is about
# to become current: they are stored under it, and their files wait in its folder.
_warming: ContextVar[str | None] = ContextVar("samizdat_warming_version", default=None)
# Set for the length of one request by the page-cache middleware: one request, one version.
_pinned: ContextVar[str | None] = ContextVar("samizdat_content_version", default=None)
# Dependency versions read during the request, each read once (see site_version).
_pinned_dependencies: ContextVar[dict | None] = ContextVar("samizdat_dependencies", default=None)

# What every page shows apart from articles and comments: editions, sections, tags,
# authors, photos, static pages, site settings. Changed rarely, unlike the content version,
# which every publication moves (site/fragments.py touches it).
SITE = "fragments:site"


def site_version() -> str:
    """The SITE stamp's version, read once per request."""
    memo = _pinned_dependencies.get()
    if memo is None:
        return _read_site_version()
    if SITE not in memo:
        memo[SITE] = _read_site_version()
    return memo[SITE]


def _read_site_version() -> str:
    version = dependency_versions([SITE])[SITE]
    if version == "0":  # never set (a new var dir or cache): set now, as bump does
        touch(SITE)
        version = dependency_versions([SITE])[SITE]
    # A cache that keeps nothing (DummyCache) keeps no stamp either: nothing is reused.
    return version if version != "0" else f"unkept-{time.time_ns()}"


def content_version() -> str:
    pinned = _pinned.get()
    return pinned if pinned is not None else _read_version()


@contextmanager
def pinned_version():
    """Read the version once and use it for everything this request looks up."""
    version = _warming.get() or _read_version()
    token = _pinned.set(version)
    dependencies = _pinned_dependencies.set({})
    try:
        yield version
    finally:
        _pinned.reset(token)
        _pinned_dependencies.reset(dependencies)


def _read_version() -> str:
    if _uses_shared_cache():
        version = cache.get(VERSION_KEY)
        if version is None:
            candidate = str(time.time_ns())
            version = candidate if cache.add(VERSION_KEY, candidate, None) else cache.get(
                VERSION_KEY)  # another process was first, or the cache is unreachable
        return UNREACHABLE if version is None else str(version)
    try:
        return str(os.stat(_stamp_path()).st_mtime_ns)
    except FileNotFoundError:
        bump()
        return str(os.stat(_stamp_path()).st_mtime_ns)


def bump() -> None:
    """Make every cached page stale."""
    with _version_lock():
        if _uses_shared_cache():
            version = str(time.time_ns())
            cache.set(VERSION_KEY, version, None)
            _switch_page_files(version)
            return
        _advance_stamp(str(_stamp_path()))
        _switch_page_files(_read_version())  # as stat reports it: file systems round stamps


# --- Versions that follow the one before (render on write, bake/onwrite.py) -----------------
# A publication changes a few dozen pages, not the site. It gets a version of its own whose
# *lineage* names its parent and the pages it changed; a page outside them that the parent
# had cached is taken forward on its first request (`carried`), and its page file is linked
# into the new folder before the switch, so readers meet no miss for pages that did not
# change. A change of anything else (settings, sections, an import) still calls bump(): a
# version without a lineage, after which every page is rendered afresh.

LINEAGE_KEY = "samizdat:lineage:"
LOCK_KEY = "samizdat:content-version-lock"
# Versions looked back through for a page to take forward: a page read less often than one
# publication in this many is rendered again (its entry may have expired by then anyway).
LINEAGE_DEPTH = 64
# What a page shows may also change with time alone (comments close after some days): an
# entry or page file rendered longer ago than this is not taken forward, but rendered again.
CARRY_SECONDS = 3600
# Whether a page may be taken forward at all: only pages whose dependencies a lineage names
# completely (the baked routes, whose footprints bake/routes.py computes). Set by the bake
# app; until then nothing is carried.
carriable = None


@dataclass(frozen=True)
class Lineage:
    parent: str
    exact: frozenset = frozenset()
    prefixes: tuple = ()

    def changed(self, path: str) -> bool:
        return path in self.exact or path.startswith(self.prefixes)


# A version's lineage never changes once written: each process keeps what it read.
_lineages: dict[str, Lineage | None] = {}


def _lineage_path(version: str):
    return settings.VAR_DIR / "lineage" / f"{version}.json"


def write_lineage(version: str, lineage: Lineage) -> None:
    data = json.dumps({"parent": lineage.parent, "exact": sorted(lineage.exact),
                       "prefixes": list(lineage.prefixes)})
    if _uses_shared_cache():
        cache.set(LINEAGE_KEY + version, data, settings.PAGE_CACHE_SECONDS)
        return
    folder = _lineage_path(version).parent
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{uuid.uuid4().hex}"
    temporary.write_text(data)
    os.replace(temporary, _lineage_path(version))
    for old in sorted(folder.glob("*.json"), key=lambda p: int(p.stem))[:-4 * LINEAGE_DEPTH]:
        old.unlink(missing_ok=True)


def lineage(version: str) -> Lineage | None:
    if version in _lineages:
        return _lineages[version]
    if _uses_shared_cache():
        data = cache.get(LINEAGE_KEY + version)
    else:
        try:
            data = _lineage_path(version).read_text()
        except FileNotFoundError:
            data = None
    found = None
    if data is not None:
        raw = json.loads(data)
        found = Lineage(raw["parent"], frozenset(raw["exact"]), tuple(raw["prefixes"]))
    if len(_lineages) > 4 * LINEAGE_DEPTH:
        _lineages.clear()
    _lineages[version] = found
    return found


def carried(request, version: str) -> dict | None:
    """The cache entry of an earlier version for this request's page, if no change since
    touched the page; stored under `version`, so the next request is a plain hit."""
    path = request.path
    if carriable is None or lineage(version) is None or not carriable(path):
        return None
    keys, current, digest = [], version, _page_digest(request)
    for _ in range(LINEAGE_DEPTH):
        step = lineage(current)
        if step is None or step.changed(path):
            break
        current = step.parent
        keys.append(_page_key(current, digest))
    if not keys:
        return None
    found = cache.get_many(keys)
    oldest = time.time() - CARRY_SECONDS
    for key in keys:  # the newest first
        entry = found.get(key)
        if entry is not None and entry.get("rendered", 0) >= oldest and usable(entry):
            cache.set(_page_key(version, digest), entry, settings.PAGE_CACHE_SECONDS)
            # Moved, not copied: a local-memory cache holds a few thousand entries, and
            # one copy per version would push pages out after a few publications.
            cache.delete(key)
            return entry
    return None


def next_version() -> str:
    """A version newer than the current one, as the version store will report it."""
    if _uses_shared_cache():
        return str(time.time_ns())
    stamp = _stamp_path()
    try:
        previous = os.stat(stamp).st_mtime_ns
    except FileNotFoundError:
        previous = 0
    now = time.time_ns()
    probe = stamp.with_name(f".content-version.{uuid.uuid4().hex}")
    try:
        open(probe, "ab").close()  # noqa: SIM115 - create, nothing to write
        os.utime(probe, ns=(now, max(now, previous + 1000)))
        return str(os.stat(probe).st_mtime_ns)  # as the file system rounds it
    finally:
        probe.unlink(missing_ok=True)


def carry_page_files(parent: str, version: str, lineage: Lineage, root=None) -> int:
    """Link the parent's page files that the change left alone into the new version's folder
    (before the switch: nginx goes on serving them without a gap)."""
    root = root or _page_files_dir()
    if root is None or carriable is None:
        return 0
    source, target, linked = root / f"v{parent}", root / f"v{version}", 0
    oldest = time.time() - CARRY_SECONDS
    for folder, _dirs, files in os.walk(source):
        if "index.html" not in files:
            continue
        relative = os.path.relpath(folder, source)
        path = f"/{relative}/"
        if relative == "." or lineage.changed(path) or not carriable(path):
            continue
        destination = target / relative
        try:
            if os.stat(os.path.join(folder, "index.html")).st_mtime < oldest:
                continue  # rendered too long ago to be kept (CARRY_SECONDS)
            destination.mkdir(parents=True, exist_ok=True)
            for name in ("index.html", "index.html.gz"):
                if not (destination / name).exists():
                    os.link(os.path.join(folder, name), destination / name)
            linked += 1
        except FileNotFoundError:
            continue  # removed meanwhile (a comment touched it): not carried
        except FileExistsError:
            continue  # rendered for the new version meanwhile
    return linked


def switch(parent: str, version: str, carry: Lineage | None = None) -> bool:
    """Make `version` current if `parent` still is; False if another change came first.
    With `carry`, the parent's page files it leaves alone are linked into the new folder
    after nginx is pointed at it (an unpublication must not wait for them)."""
    with _version_lock():
        if _uses_shared_cache():
            if str(cache.get(VERSION_KEY)) != parent:
                return False
            cache.set(VERSION_KEY, version, None)
        else:
            try:
                if str(os.stat(_stamp_path()).st_mtime_ns) != parent:
                    return False
            except FileNotFoundError:
                return False
            os.utime(_stamp_path(), ns=(int(version), int(version)))
        _switch_page_files(version, before_removing=carry and (
            lambda: carry_page_files(parent, version, carry)))
    return True


@contextmanager
def _version_lock():
    """One change of the version at a time: a switch must not undo a bump made after its
    parent was read."""
    if _uses_shared_cache():
        token, deadline, free = uuid.uuid4().hex, time.monotonic() + 30, 0
        while not cache.add(LOCK_KEY, token, 30) and time.monotonic() < deadline:
            # Nobody holds it, yet it cannot be taken: the cache is unreachable (caching.py
            # answers misses), and nothing can be switched there anyway.
            free = free + 1 if cache.get(LOCK_KEY) is None else 0
            if free > 2:
                break
            time.sleep(0.005)  # a switch holds it for milliseconds
        try:
            yield
        finally:
            if cache.get(LOCK_KEY) == token:
                cache.delete(LOCK_KEY)
        return
    os.makedirs(settings.VAR_DIR, exist_ok=True)
    with open(settings.VAR_DIR / "content-version.lock", "ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _advance_stamp(path: str) -> None:
    """Move a stamp file's modification time forward: what every worker's stat sees."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    now = time.time_ns()
    try:
        previous = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        previous = 0
        open(path, "ab").close()  # noqa: SIM115 - create, nothing to write
    # Two changes within the file system's clock resolution must still differ.
    os.utime(path, ns=(now, max(now, previous + 1000)))


# --- Dependencies: pages that go stale on their own ------------------------------------------
# A page may also depend on named things that change far more often than the content
# version should (an article's comments): the entry records their versions and a hit
# checks them, so approving a comment re-renders one article, not the whole site.

DEPENDENCY_KEY = "samizdat:dependency:"


def _dependency_path(name: str) -> str:
    return _dependency_file(str(settings.VAR_DIR), name)


@functools.lru_cache(maxsize=8192)
def _dependency_file(var_dir: str, name: str) -> str:
    # Memoised: a hit on an article page checks one of these, and pathlib costs more
    # than the stat itself.
    return os.path.join(var_dir, "dependencies", hashlib.sha256(name.encode()).hexdigest()[:32])


def depends_on(request, *names: str) -> None:
    """Declare that the page answering `request` also depends on `names`.

    Call it before reading the data those names stand for: the versions are read now, so a
    change racing the render leaves the entry stale and the next hit renders again.
    """
    request.page_depends = {**getattr(request, "page_depends", {}),
                            **dependency_versions(names)}


def dependency_versions(names) -> dict[str, str]:
    if not names:
        return {}
    if _uses_shared_cache():
        found = cache.get_many([DEPENDENCY_KEY + n for n in names])
        return {n: str(found.get(DEPENDENCY_KEY + n, "0")) for n in names}
    versions = {}
    for name in names:
        try:
            versions[name] = str(os.stat(_dependency_path(name)).st_mtime_ns)
        except FileNotFoundError:
            versions[name] = "0"
    return versions


def touch(name: str, paths=()) -> None:
    """Make the pages depending on `name` stale, and remove their page files (`paths`)."""
    if _uses_shared_cache():
        cache.set(DEPENDENCY_KEY + name, str(time.time_ns()), None)
        if paths:
            from . import pagefiles  # other machines remove their copies too

            pagefiles.announce_removed(paths)
    else:
        _advance_stamp(_dependency_path(name))
    remove_page_files(paths)


def remove_page_files(paths, root=None) -> None:
    """From every version's folder: a publication may be filling the next one (render on
    write links the current one's files into it), and must not take these along."""
    root = root or _page_files_dir()
    if root is not None and paths:
        for version in root.glob("v*"):
            for page in paths:
                folder = version / page.strip("/")
                for file in ("index.html", "index.html.gz"):
                    (folder / file).unlink(missing_ok=True)


def reader_page(view):
    """Mark a view's responses as public reader pages that the page cache may keep.

    A reader page is a function of its address without the query string: the view is
    given none, so `?utm_source=…` or `?random` shares the page's cache entry instead of
    forcing a render (a flood of made-up query strings would otherwise defeat the cache).
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.META.get("QUERY_STRING"):
            request.GET = QueryDict()
            request.META["QUERY_STRING"] = ""
        response = view(request, *args, **kwargs)
        response.reader_page = True
        return response

    return wrapper


def page_key(request, version: str) -> str:
    return _page_key(version, _page_digest(request))


def _page_key(version: str, digest: str) -> str:
    return f"samizdat:page:{version}:{digest}"


def _page_digest(request) -> str:
    # The scheme is part of the key: HTTPS answers carry HSTS, plain ones must not. The
    # query string is not (reader_page). SITE_URL is: pages name it in their absolute
    # links, and a shared cache must not serve a page made for another one.
    raw = f"{request.scheme}|{request.get_host()}|{settings.SITE_URL}|{request.path}"
    return hashlib.sha256(raw.encode()).hexdigest()


def usable(entry: dict) -> bool:
    """Whether a cached page still holds: the names it depends on have not moved."""
    return not entry.get("depends") or dependency_versions(
        list(entry["depends"])) == entry["depends"]


# Render on write for one article's change (bake/onwrite.py), set by the bake app.
on_write = None


def on_content_changed(sender, article=None, **kwargs):
    if on_write is not None and article is not None and article.pk is not None:
        try:
            on_write(article, **kwargs)
            return
        except Exception:
            logger.exception("render on write failed: every page goes stale instead")
    bump()


def on_model_changed(sender, **kwargs):
    # After the commit: a page rendered between the bump and the commit would be stale.
    from django.db import transaction

    transaction.on_commit(bump)


# --- Page files for nginx ---------------------------------------------------------------------

def _page_files_dir():
    from pathlib import Path

    configured = settings.PAGE_FILES_DIR
    return Path(configured) if configured else None


# Pages this process has written for the current version: a crawler walking the whole
# archive between two publications must not fill the disk.
_written = {"version": None, "count": 0}


def write_page_file(path: str, version: str, content: bytes, packed: bytes) -> None:
    """Store one page as a file nginx can serve; the write is atomic (rename)."""
    root = _page_files_dir()
    if root is None or not path.endswith("/") or ".." in path or version == UNREACHABLE:
        return
    if _written["version"] != version:
        _written.update(version=version, count=0)
    if _written["count"] >= settings.PAGE_FILES_MAX:
        return
    _written["count"] += 1
    folder = root / f"v{version}" / path.strip("/")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in (("index.html", content), ("index.html.gz", packed)):
            temporary = folder / f".{name}.{uuid.uuid4().hex}"
            try:
                temporary.write_bytes(data)
                os.replace(temporary, folder / name)
            finally:
                temporary.unlink(missing_ok=True)
    except FileNotFoundError:
        # A publication switched versions and removed this version's folder meanwhile: the
        # page is out of date anyway, and the reader has it from the cache already.
        return
    current = root / "current"
    try:
        linked = os.readlink(current)
    except FileNotFoundError:
        linked = ""
    if (linked != f"v{version}" and _warming.get() is None
            and _newer(version, linked.removeprefix("v"))):
        _point_current(root, version)


def keep_page_file(path: str, version: str, content: bytes, packed: bytes) -> None:
    """Write a page answered from the cache as a file, unless this machine has it already."""
    root = _page_files_dir()
    if root is None or not path.endswith("/") or ".." in path:
        return
    if not (root / f"v{version}" / path.strip("/") / "index.html").exists():
        write_page_file(path, version, content, packed)


def _newer(version: str, than: str) -> bool:
    try:
        return int(version) > int(than)
    except ValueError:
        return True


def _point_current(root, version: str) -> None:
    (root / f"v{version}").mkdir(parents=True, exist_ok=True)
    link = root / f".current-{uuid.uuid4().hex}"
    os.symlink(f"v{version}", link)
    os.replace(link, root / "current")  # atomic: nginx sees the old folder or the new one


def _switch_page_files(version: str, root=None, before_removing=None) -> None:
    """Point nginx at the new version's (empty) folder and drop the old folders."""
    root = root or _page_files_dir()
    if root is None:
        return
    root.mkdir(parents=True, exist_ok=True)
    _point_current(root, version)
    if before_removing is not None:
        before_removing()
    for old in root.glob("v*"):
        if old.name != f"v{version}":
            shutil.rmtree(old, ignore_errors=True)
