"""`bake`: the whole public site as plain files, rendered by the live site's own views.

Every address the routes list is requested through Django's own request handling (the
real URLconf, middleware and views, without the page cache), its links are made relative
(links.py), and the result is written into a new folder beside the destination. Static
files and photos the pages use are copied along. Only when everything is written does the
destination, a symbolic link, switch to the new folder (an atomic rename); older folders
are removed after that. A bake that fails leaves the previous copy as it was.
"""

import base64
import fcntl
import multiprocessing
import os
import random
import re
import shutil
import time
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.core.handlers.base import BaseHandler
from django.db import connection, connections
from django.template import engines
from django.templatetags.static import static
from django.test import RequestFactory
from django.test.utils import override_settings
from django.utils.translation import override

from samizdat.photos.views import NAME as PHOTO_NAME
from samizdat.progress import progress
from samizdat.site import pagecache
from samizdat.site.helpers import COPY_MARK, lite

from . import routes, state
from .links import Copy, Rewriter, file_of, relative

PAGE_CACHE = "samizdat.site.middleware.ReaderPageCacheMiddleware"
# Versions live beside the destination as hidden folders: .<name>.<stamp>
VERSION = re.compile(r"^\.(?P<name>.+)\.(?P<stamp>\d{19,})$")
CHUNK = 100  # pages a worker process renders per task


class BakeError(Exception):
    """The bake cannot go on; the previous copy is untouched."""


class BakeBusy(BakeError):
    """Another bake or update of the same copy holds it."""


@dataclass
class Summary:
    out: Path
    folder: Path | None = None
    pages: int = 0
    files: int = 0
    redirects: int = 0
    seconds: float = 0.0
    workers: int = 1  # processes that rendered pages
    listing_seconds: float = 0.0  # listing every address (the routes' walks)
    listed: int = 0  # pages listed (a sample renders fewer)
    # Addresses left out: pages gone since they were listed, photos not in storage.
    missing: list[str] = field(default_factory=list)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


class _Handler(BaseHandler):
    """Django's request handling with the page cache left out: a bake must neither fill
    it nor be answered from it."""

    def __init__(self):
        super().__init__()
        with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != PAGE_CACHE]):
            self.load_middleware()


class _Renderer:
    """Renders pages of the copy and writes them under `root`."""

    def __init__(self, copy: Copy, root: Path):
        self.copy, self.root = copy, root
        self.rewriter = Rewriter(copy)
        self.handler = _Handler()
        site = urlsplit(settings.SITE_URL)
        # Requests come as if to the main site: feeds name its address, and production's
        # HTTPS redirect and allowed hosts are satisfied.
        self.factory = RequestFactory(HTTP_HOST=site.netloc or "localhost")
        self.secure = site.scheme == "https"

    def get(self, path: str) -> tuple[int, str, bytes]:
        """Status, content type and body of `path`, as the live site answers it."""
        request = self.factory.get(path, secure=self.secure, **{COPY_MARK: True})
        response = self.handler.get_response(request)
        # Not response.close(): for Django that ends a request (request_finished), and the
        # database connection would be closed between pages (and lost inside a transaction).
        return response.status_code, response.get("Content-Type", ""), response.content

    def render(self, path: str) -> bool:
        """Write one page; False if it is gone (404) since the routes listed it."""
        status, content_type, content = self.get(path)
        if status == 404:
            return False
        if status != 200:
            raise BakeError(f"{path} answered {status}, not 200")
        if content_type.startswith("text/html"):
            content = self.rewriter.html(content.decode(), path).encode()
        write(self.root, file_of(path), content)
        return True


def write(root: Path, path: str, content: bytes) -> None:
    """Write a file of the copy whole: beside it first, then renamed over it, so a reader
    of a copy being updated (bake/update.py) never gets half a page."""
    target = root / _relative_file(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.part")
    temporary.write_bytes(content)
    os.replace(temporary, target)


def _relative_file(path: str) -> str:
    name = unquote(path).lstrip("/")
    if not name or any(part in ("", ".", "..") for part in name.split("/")):
        raise BakeError(f"refusing to write {path!r}: not a plain path")
    return name


# --- Worker processes -------------------------------------------------------------------
# Forked after the routes are listed: they inherit the copy's description and open their
# own database connections.
_worker: dict = {}


def _render_chunk(paths: list[str]) -> tuple[int, list[str], set[str]]:
    renderer = _worker.get("renderer")
    if renderer is None:
        renderer = _worker["renderer"] = _Renderer(_worker["copy"], _worker["root"])
    missing = [p for p in paths if not renderer.render(p)]
    assets = set(renderer.rewriter.assets)
    renderer.rewriter.assets.clear()
    return len(paths) - len(missing), missing, assets


def _can_fork() -> bool:
    # Other connections could not see an in-memory database or uncommitted rows (tests).
    return not (connection.in_atomic_block
                or (connection.vendor == "sqlite" and connection.is_in_memory_db()))


# --- The bake ---------------------------------------------------------------------------

def bake(out: Path | str | None = None, workers: int = 1, stream=None,
         sample: int = 0) -> Summary:
    """Bake the public site into `out` (settings.BAKE_DIR by default), atomically.

    With `sample`, render only that many of the listed pages, drawn at random, into a
    folder that is removed afterwards: the copy stays as it was. This measures the rate
    (and so the time of a whole bake) on an archive too large to bake for a test.
    """
    if sample:
        return _sample(Path(out or settings.BAKE_DIR).absolute(), workers, stream, sample)
    out = Path(out or settings.BAKE_DIR).absolute()
    if out.exists() and not out.is_symlink():
        raise BakeError(f"{out} is a folder, not a link made by `samizdat bake`: move it "
                        "away or bake somewhere else (--out, SAMIZDAT_BAKE_DIR).")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    summary = Summary(out=out)
    with _lock(out):
        folder = out.parent / f".{out.name}.{time.time_ns()}"
        folder.mkdir()
        try:
            _bake_into(folder, _previous(out), summary, workers, stream)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            state.path_for(folder).unlink(missing_ok=True)
            raise
        _switch(out, folder)
        _remove_old_versions(out, keep=folder)
    summary.folder = folder
    summary.seconds = time.monotonic() - started
    return summary


def _sample(out: Path, workers: int, stream, size: int) -> Summary:
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = Summary(out=out)
    folder = out.parent / f".{out.name}.sample-{uuid.uuid4().hex}"
    try:
        _bake_into(folder, None, summary, workers, stream, sample=size)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return summary


def _bake_into(root: Path, previous: Path | None, summary: Summary, workers: int,
               stream, sample: int = 0) -> None:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    # The requests are the bake's own, made as if to the main site: its name is allowed
    # even where this machine answers only to others (an admin host, localhost).
    with pagecache.pinned_version(), override_settings(  # one content version for all
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, host]):
        pages, aliases, moved = [], {}, {}
        listing = time.monotonic()
        for item in routes.enumerate_site():
            if isinstance(item, routes.Alias):
                aliases[item.path] = item.target
            elif isinstance(item, routes.Redirect):
                moved[item.path] = item.target
            else:
                pages.append(item)
        pages = list(dict.fromkeys(pages))
        summary.listing_seconds, summary.listed = time.monotonic() - listing, len(pages)
        # An old address another article has taken since is that article's page.
        taken = {*pages, *aliases}
        moved = {path: target for path, target in moved.items() if path not in taken}
        copy = copy_description(pages={*pages, *moved}, aliases=aliases)
        copy.icon = _icon(_Renderer(copy, root))
        if sample:
            rendered = time.monotonic()
            _render(random.Random(0).sample(pages, min(sample, len(pages))), copy, root,  # noqa: S311 - a measurement
                    summary, workers, stream)
            summary.seconds = time.monotonic() - rendered
            return
        assets = _render(pages, copy, root, summary, workers, stream)
    for path, target in moved.items():
        write(root, file_of(path), _redirect_page(path, file_of(target), copy))
    summary.redirects = len(moved)
    summary.files = len(_copy_assets(assets, copy, root, previous, summary.missing))
    _record(root, pages)


def copy_description(pages: set[str], aliases: dict[str, str], holds=None) -> Copy:
    return Copy(
        pages=pages, aliases=aliases, holds=holds, live=settings.SITE_URL,
        asset_prefixes=(settings.STATIC_URL, settings.MEDIA_URL),
        drop_scripts=frozenset({static("site/read.js")}),
        onion=getattr(settings, "ONION_ADDRESS", ""),
    )


OLDER_PAGE = re.compile(r"^(?P<listing>/.+/)older/(?P<micros>\d+)-(?P<pk>\d+)/$")


def _record(root: Path, pages: list[str]) -> None:
    """Keep what this copy shows beside it (state.py), for updates after changes."""
    state.path_for(root).unlink(missing_ok=True)
    with state.State(root) as known:
        chains: dict[str, list] = {}
        for path in pages:
            found = OLDER_PAGE.match(path)
            if found and lite(path) != path:  # the text-only pages share the cursors
                chains.setdefault(found["listing"], []).append(
                    (int(found["micros"]), int(found["pk"])))
        for listing, keys in chains.items():
            known.add_chain(listing, keys)
        known.set_footprints(dict(routes.footprints()))
        known.set_files(state.digests(root))


def _render(pages: list[str], copy: Copy, root: Path, summary: Summary, workers: int,
            stream) -> set[str]:
    assets: set[str] = set()
    workers = max(1, min(workers, len(pages) // CHUNK)) if _can_fork() else 1
    summary.workers = workers
    if workers == 1:
        renderer = _Renderer(copy, root)
        with progress(len(pages), "bake", stream) as bar:
            for path in pages:
                if renderer.render(path):
                    summary.pages += 1
                else:
                    summary.missing.append(path)
                bar.update(1)
        return renderer.rewriter.assets
    _worker.update(copy=copy, root=root, renderer=None)
    connections.close_all()  # each worker opens its own
    chunks = [pages[i:i + CHUNK] for i in range(0, len(pages), CHUNK)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool, \
                progress(len(pages), "bake", stream) as bar:
            for done, missing, used in pool.imap_unordered(_render_chunk, chunks):
                summary.pages += done
                summary.missing.extend(missing)
                assets |= used
                bar.update(done + len(missing))
    finally:
        _worker.clear()
    return assets


def _icon(renderer: "_Renderer") -> str:
    status, content_type, content = renderer.get("/favicon.ico")
    if status != 200:
        return ""
    return f"data:{content_type.split(';')[0]};base64,{base64.b64encode(content).decode()}"


def _redirect_page(path: str, target: str, copy: Copy) -> bytes:
    """A page sending readers (and search engines) from an old address to the new one."""
    language = path.strip("/").split("/")[0]
    if language not in {code for code, _ in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    template = engines["jinja2"].get_template("bake/redirect.html")
    with override(language):
        page = template.render({"target": relative(target, path), "language": language})
    return Rewriter(copy).html(page, path).encode()  # the icon and onion, as on every page


# --- Static files and photos ------------------------------------------------------------

def _copy_assets(assets: Iterable[str], copy: Copy, root: Path, previous: Path | None,
                 missing: list[str], keep_existing: bool = False) -> list[str]:
    """Copy the static files and photos the pages use; stylesheets get relative links too.
    Returns the files written (relative to `root`); with `keep_existing`, files the copy
    has already are left as they are (an update: they change only with a full bake).

    A missing static file fails the bake (collectstatic was not run); a photo a text names
    but storage lacks is left out, as the live site answers it with a 404.
    """
    done: set[str] = set()
    copied = []
    pending = sorted(assets)
    while pending:
        path = pending.pop()
        if path in done:
            continue
        done.add(path)
        if keep_existing and (root / _relative_file(path)).is_file():
            continue
        if path.startswith(settings.STATIC_URL):
            pending.extend(_copy_static(path, copy, root))
        elif not _copy_photo(path, root, previous):
            missing.append(path)
            continue
        copied.append(_relative_file(path))
    return copied


def _copy_static(path: str, copy: Copy, root: Path) -> set[str]:
    name = _relative_file(path).removeprefix(settings.STATIC_URL.lstrip("/"))
    # The finders know the sources (as the development server serves them); hashed
    # names exist only in STATIC_ROOT, after collectstatic.
    source = finders.find(name)
    if source is None and (Path(settings.STATIC_ROOT) / name).is_file():
        source = Path(settings.STATIC_ROOT) / name
    if source is None:
        raise BakeError(f"a page uses {path}, which is not a static file "
                        "(run `samizdat collectstatic`?)")
    target = root / _relative_file(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith(".css"):
        rewriter = Rewriter(copy)
        target.write_text(rewriter.css(Path(source).read_text(encoding="utf-8"), path),
                          encoding="utf-8")
        return rewriter.assets
    shutil.copyfile(source, target)
    return set()


def _copy_photo(path: str, root: Path, previous: Path | None) -> bool:
    name = unquote(path.removeprefix(settings.MEDIA_URL))
    # Only photo files, as the live site's media view: nothing else in storage is public.
    if not PHOTO_NAME.match(name) or ".." in name:
        return False
    target = root / _relative_file(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # A photo file's name always holds the same picture: the last copy's file will do.
    if previous is not None:
        try:
            os.link(previous / _relative_file(path), target)
            return True
        except OSError:
            pass
    if not default_storage.exists(name):
        return False
    with default_storage.open(name, "rb") as source, open(target, "wb") as destination:
        shutil.copyfileobj(source, destination)
    return True


# --- Switching versions -----------------------------------------------------------------

@contextmanager
def _lock(out: Path, wait: float = 0):
    """One bake or update at a time per destination: another one's cleanup would remove
    our folder. An update waits up to `wait` seconds for the one before it."""
    deadline = time.monotonic() + wait
    with open(out.parent / f".{out.name}.lock", "w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BakeBusy(f"another bake into {out} is running") from None
                time.sleep(0.05)
        yield


def _previous(out: Path) -> Path | None:
    return out.parent / os.readlink(out) if out.is_symlink() else None


def _switch(out: Path, folder: Path) -> None:
    link = out.parent / f".{out.name}.link-{uuid.uuid4().hex}"
    os.symlink(folder.name, link)  # relative: the pair can move together
    os.replace(link, out)  # atomic: readers see the old copy or the new one, never a mix


def _remove_old_versions(out: Path, keep: Path) -> None:
    for folder in out.parent.iterdir():
        found = VERSION.match(folder.name)
        if found and found["name"] == out.name and folder != keep and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            state.path_for(folder).unlink(missing_ok=True)
