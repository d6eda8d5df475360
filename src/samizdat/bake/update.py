"""Updating the baked copy after articles change: only the files they affect.

For each changed article the copy's state (state.py) says where it showed; its footprint
now says where it shows. The update rewrites the union: the article's page, the pages of
every list that held or holds it, the home page, the feeds and the sitemaps, the articles
that may show it as related, each with its text-only form. An unpublished article's page
is removed; a moved one leaves a page sending readers on.

Lists have anchored pages (site/pagination.py): a page ends at an article chosen by its
id, so a change moves the pages of a list only near the change. The update renders from
the page that held the change, follows the list's "older" links, and stops at the first
page that the copy already holds unchanged: one or two pages a list for a publication.

Each file is replaced atomically (written beside, then renamed), so a reader of the copy
sees the old page or the new one; the state is updated in one transaction after the
files, and an update that fails part-way leaves files that the next update or bake
rewrites.
"""

import datetime
import functools
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.test.utils import override_settings
from django.urls import Resolver404, resolve
from django.utils.translation import override

from samizdat.newsroom.models import ArticleRedirect
from samizdat.site import pagecache, related
from samizdat.site.helpers import lite
from samizdat.site.pagination import EPOCH, decode, micros

from . import routes
from .baker import (
    BakeError,
    _copy_assets,
    _icon,
    _lock,
    _redirect_page,
    _relative_file,
    _Renderer,
    copy_description,
    write,
)
from .links import file_of
from .state import Footprint, Key, State, path_for

# Lists whose pages have a text-only form (bake.routes.lite_pages), and single pages too.
LITE = {"site:home", "site:latest", "site:section", "site:tag", "site:author",
        "site:archive", "site:article", "site:page"}


@dataclass
class Update:
    written: list[str] = field(default_factory=list)  # files of the copy, relative
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0


LOCK_WAIT = 60  # seconds an update waits for a bake or update of the same copy


def update(ids, out: Path | str | None = None, wait: float | None = None) -> Update | None:
    """Rewrite what the articles `ids` change in the copy at `out`; None without a copy."""
    wait = LOCK_WAIT if wait is None else wait
    out = Path(out or settings.BAKE_DIR).absolute()
    if not out.is_symlink():
        return None
    started = time.monotonic()
    with _lock(out, wait=wait):
        folder = out.parent / os.readlink(out)
        if not path_for(folder).exists():
            raise BakeError(f"{out} was baked without its state: bake it again")
        host = urlsplit(settings.SITE_URL).hostname or "localhost"
        with State(folder) as state, pagecache.pinned_version(), override_settings(
                ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, host]):
            ids = sorted(set(ids))
            job = _Job(folder, state)
            job.ids = set(ids)
            old = state.footprints(ids)
            new = dict(routes.footprints(ids))
            for pk in ids:
                job.article(old.get(pk), new.get(pk))
            job.moved(new)
            job.legacy(new)
            result = job.run()
            state.set_footprints({pk: new.get(pk) for pk in ids})
    result.seconds = time.monotonic() - started
    return result


def _key(cursor: str) -> Key:
    moment, pk = decode(cursor)
    return micros(moment), pk


def _cursor(key: Key) -> str:
    return f"{key[0]}-{key[1]}"


@functools.lru_cache(maxsize=65536)
def _route(path: str) -> tuple[str, str, dict] | None:
    """(language, URL name, arguments) of a reader path, None if it is not one. Cached: an
    update asks it for every link of every page it renders."""
    language = path.split("/")[1]
    if language not in {code for code, _ in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE  # /rss.xml, /sitemap.xml and the like
    try:
        with override(language):
            match = resolve(path)
    except Resolver404:
        return None
    return language, match.view_name, match.kwargs


def _text_only(path: str) -> str | None:
    """The full page's path of a text-only page (/en/lite/news/ → /en/news/), else None."""
    return path.replace("/lite/", "/", 1) if path.split("/")[2:3] == ["lite"] else None


def in_copy(path: str) -> bool:
    """Whether the full bake would hold `path`: a page of a baked route. "Newer" pages are
    aliases of the page before (resolved through Copy.aliases before this is asked)."""
    full = _text_only(path)
    route = _route(full or path)
    if route is None:
        return False
    name = route[1]
    if name.endswith("-newer") or name not in routes.ROUTES:
        return False
    return full is None or name.removesuffix("-older") in LITE


def with_lite(path: str) -> list[str]:
    """A page and, for lists and single pages that have one, its text-only form."""
    route = _route(path)
    has_lite = route is not None and route[1].removesuffix("-older") in LITE
    return [path, lite(path)] if has_lite else [path]


def later(queryset, key: Key):
    """The articles of `queryset` that may show the one at `key` as related: the next ones
    after it (site/related.py shows the newest earlier ones)."""
    moment = EPOCH + datetime.timedelta(microseconds=key[0])
    return (queryset.filter(Q(published_at__gte=moment)
                            & ~Q(published_at=moment, id__lte=key[1]))
            .order_by("published_at", "id")[:related.CANDIDATES])


class _Job:
    def __init__(self, folder: Path, state: State):
        self.folder, self.state = folder, state
        self.pages: set[str] = set()
        self.lists: dict[str, set[Key]] = {}
        self.redirects: dict[str, str] = {}
        self.gone: set[str] = set()
        self.aliases: dict[str, str] = {}
        self.ids: set[int] = set()
        self.legacy_gone: set[str] = set()

    def article(self, old: Footprint | None, new: Footprint | None) -> None:
        for footprint in (old, new):
            if footprint is None:
                continue
            for listing in footprint.listings:
                self.lists.setdefault(listing, set()).add(tuple(footprint.key))
            self.pages.update(footprint.pages)
        if new is not None:
            self.pages.add(new.path)
        if old is not None and (new is None or old.path != new.path):
            moved = ArticleRedirect.objects.filter(
                old_path=old.path, article__status="published").select_related(
                "article__edition").first()
            if moved is not None and new is not None:
                self.redirects[old.path] = moved.article.get_absolute_url()
            else:
                self.gone.add(old.path)

    def moved(self, new: dict[int, Footprint]) -> None:
        """Earlier addresses of these articles (a slug or date changed before): their pages
        lead to the article while it is published and go when it is not
        (routes.redirects)."""
        earlier = ArticleRedirect.objects.filter(article_id__in=self.ids).values_list(
            "old_path", "article_id")
        for path, pk in earlier:
            if not path.endswith("/") or path in self.redirects:
                continue
            if new.get(pk) is not None:
                if path != new[pk].path:
                    self.redirects[path] = new[pk].path
            else:
                self.gone.add(path)

    def legacy(self, new: dict[int, Footprint]) -> None:
        """Old addresses of the site moved in from that lead to these articles: their pages
        follow the article, and go when it does (routes.legacy_redirects)."""
        for path, pk in routes.legacy_paths(self.ids):
            if in_copy(path):
                continue  # a page of the copy stands there: the full bake leaves it too
            if new.get(pk) is not None:
                self.redirects[path] = new[pk].path
            else:
                self.legacy_gone.add(path)

    def run(self) -> Update:
        for listing, keys in self.lists.items():
            self._walk(listing, keys)
            if _route(listing)[1] == "site:section":
                self._related(listing, keys)
        copy = copy_description(pages=set(), aliases=self.aliases, holds=in_copy)
        renderer = _Renderer(copy, self.folder)
        copy.icon = _icon(renderer)
        result = Update()
        for path in sorted(self.pages - self.gone):
            for each in with_lite(path):
                if renderer.render(each):
                    result.written.append(_relative_file(file_of(each)))
                else:
                    self.gone.add(each)
        for path, target in self.redirects.items():
            write(self.folder, file_of(path), _redirect_page(path, file_of(target), copy))
            result.written.append(_relative_file(file_of(path)))
        for path in self.legacy_gone:
            name = _relative_file(file_of(path))
            try:
                (self.folder / name).unlink()
                result.removed.append(name)
            except FileNotFoundError:
                pass
        for path in self.gone:
            for each in with_lite(path):
                name = _relative_file(file_of(each))
                try:
                    (self.folder / name).unlink()
                    result.removed.append(name)
                except FileNotFoundError:
                    pass
        missing: list[str] = []
        for name in _copy_assets(renderer.rewriter.assets, copy, self.folder, None, missing,
                                 keep_existing=True):
            result.written.append(name)
        digests = {name: hashlib.sha256((self.folder / name).read_bytes()).hexdigest()
                   for name in result.written}
        changes = {**digests, **dict.fromkeys(result.removed)}
        self.state.set_files(changes)
        self.state.record(changes)
        return result

    def _related(self, listing: str, keys: set[Key]) -> None:
        """Articles show the newest earlier articles of their section as related
        (site/related.py): the next ones after a changed article may show it."""
        queryset = routes.listing_queryset(*_route(listing))
        if queryset is None:
            return
        for key in keys:
            self.pages.update(article.get_absolute_url() for article in later(queryset, key))

    def _walk(self, listing: str, keys: set[Key]) -> None:
        """Render a list from the page holding its newest change until it meets pages the
        copy holds unchanged; record the list's new cursors, remove the ones gone."""
        language, name, kwargs = _route(listing)
        queryset = routes.listing_queryset(language, name, kwargs)
        if queryset is None:
            self.pages.add(listing)  # the list itself is gone: its page answers 404
            return
        state = self.state
        cursor, before = state.page_holding(listing, max(keys))
        previous = None if cursor is None else (
            listing if before is None else routes.listing_path(
                language, name, kwargs, "older", _cursor(before)))
        start, oldest, walked = cursor, min(keys), []
        end: Key | None = None
        while True:
            page = routes.page_of(queryset, None if cursor is None else _cursor(cursor))
            path = listing if cursor is None else routes.listing_path(
                language, name, kwargs, "older", _cursor(cursor))
            if cursor is not None and not page.items:
                break
            if page.newer and previous:
                newer = routes.listing_path(language, name, kwargs, "newer", page.newer)
                self.aliases[newer] = previous
                self.aliases[lite(newer)] = lite(previous)
            self.pages.add(path)
            if not page.older:
                break
            following = _key(page.older)
            walked.append(following)
            # Met the copy: that page and all after it are as the copy has them, and the
            # page before it (this one) is the one it already names as newer.
            if (following < oldest and state.in_chain(listing, following)
                    and state.page_holding(listing, following)[0] == cursor):
                end = following
                break
            previous, cursor = path, following
        kept = set(walked)
        stale = [k for k in state.chain_between(listing, start, end) if k not in kept]
        for key in stale:
            self.gone.add(routes.listing_path(language, name, kwargs, "older", _cursor(key)))
        state.remove_chain(listing, stale)
        state.add_chain(listing, walked)
