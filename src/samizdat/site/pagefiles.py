"""Page files on several machines: each keeps its own in step with the shared cache.

With one Redis behind two or more application machines, the content version is shared, but
each machine's page files (SAMIZDAT_PAGE_FILES_DIR, served by its own nginx without asking
the application) were switched only by the machine that made the change: the other one's
nginx went on serving the old pages, an unpublished article included. Here each machine's
task worker follows the shared state (`follow`): it switches its page files when the shared
version moves, and removes the pages other machines touched (comments, readings), which
they announce on a Redis stream. A version that follows the one it has (a publication's,
with a lineage: bake/onwrite.py) keeps the page files the change did not touch; any other
starts an empty folder. Whenever it (re)connects it starts from an empty folder, since it
cannot know what it missed.
"""

import logging
import shutil
import threading

from django.conf import settings
from django.core.cache import cache

from . import pagecache

logger = logging.getLogger(__name__)

STREAM = "samizdat:page-files"
KEEP = 10_000  # announcements kept on the stream


def _client():
    import redis

    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"],
                                socket_connect_timeout=2, socket_timeout=5)


def _key() -> str:
    return cache.make_key(STREAM)


def announce_removed(paths) -> None:
    """Tell the other machines to drop their page files of `paths` (a best effort: a machine
    that misses it starts from empty files when it reconnects)."""
    import redis

    try:
        _client().xadd(_key(), {"remove": "\n".join(paths)}, maxlen=KEEP, approximate=True)
    except redis.RedisError as error:
        logger.warning("page files of other machines not told of a change: %s", error)


def _local_version(root) -> str:
    try:
        return (root / "current").readlink().name.removeprefix("v")
    except OSError:
        return ""


def _start_empty(root, version: str) -> None:
    shutil.rmtree(root / f"v{version}", ignore_errors=True)
    pagecache._switch_page_files(version, root)


def follow(root, stop: threading.Event, interval: float = 1.0) -> None:
    """Keep the page files under `root` in step with the shared version and announcements
    until `stop` is set."""
    import redis

    client, last = None, None
    while not stop.is_set():
        try:
            if client is None:
                client = _client()
                info = client.xinfo_stream(_key()) if client.exists(_key()) else {}
                last = info.get("last-generated-id", "0-0")
                _start_empty(root, pagecache._read_version())
            for _stream, entries in client.xread({_key(): last}, count=500,
                                                 block=int(interval * 1000)) or ():
                for entry_id, fields in entries:
                    last = entry_id
                    removed = fields.get(b"remove", b"").decode()
                    pagecache.remove_page_files(removed.split("\n") if removed else (), root)
            version, local = pagecache._read_version(), _local_version(root)
            if version != pagecache.UNREACHABLE and version != local:
                # A publication made elsewhere (render on write): the pages it did not
                # touch stay, linked into the new folder before nginx is pointed there.
                lineage = pagecache.lineage(version)
                if lineage is not None and lineage.parent == local:
                    pagecache.carry_page_files(local, version, lineage, root)
                pagecache._switch_page_files(version, root)
        except redis.RedisError as error:
            if client is not None:
                logger.warning("following the shared page-file state: %s", error)
                # Changes made meanwhile cannot reach this machine: nginx asks the
                # application for everything until the shared state is back.
                _start_empty(root, pagecache.UNREACHABLE)
            client = None
            stop.wait(interval)


def start(stop: threading.Event) -> threading.Thread | None:
    """Follow in a thread of this process, when there are page files and a shared cache."""
    root = pagecache._page_files_dir()
    if root is None or not pagecache._uses_shared_cache():
        return None
    thread = threading.Thread(target=follow, args=(root, stop), name="page-files",
                              daemon=True)
    thread.start()
    return thread
