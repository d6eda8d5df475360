"""Render on write: a publication's pages are rendered before readers ask for them.

A publication (or an update, or an unpublication) changes the pages of its footprint
(routes.footprints, the same pages the baked copy's update rewrites): its own page, the
lists that hold or held it and their later pages, the home page, the feeds and sitemaps,
the articles that may show it as related, its translations. Every other page stays as it
was. So instead of making every cached page stale (pagecache.bump), the change gets a
version of its own whose lineage names its parent and those pages (pagecache.Lineage):

- a publication or an update renders the changed pages under the new version first, into
  the page cache and the page files, links the parent's untouched page files into the new
  folder, and only then switches: until that moment readers and nginx get the previous
  pages, and after it every page they ask for is ready. A page the parent had cached and
  the change did not touch is taken forward on its first request (`pagecache.carried`);
- an unpublication switches at once, with the changed pages left to be rendered: the
  article and every list that showed it leave the cache and nginx's folder in the same
  moment, and the lists are rendered again right after.

Where a task worker runs and what it renders reaches readers (a shared cache, or page files
for nginx), the rendering is a task (`render_on_write`); otherwise (`make run`, tests) the
committing process does it. A change that is not an article's
(settings, sections, an import, a restore) still makes every page stale.
"""

import datetime
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.test import RequestFactory
from django.test.utils import override_settings
from django.urls import get_urlconf, set_urlconf
from django.utils import timezone
from django.utils.translation import get_language, override
from django_tasks import task

from samizdat.newsroom.models import Article, ArticleRedirect
from samizdat.newsroom.workflow import Status
from samizdat.site import pagecache
from samizdat.site.helpers import lite

from . import routes
from .update import later, with_lite

WARM_MAX = 600  # pages rendered for one change at most; the rest wait for their reader
ATTEMPTS = 3  # switches tried when other changes keep coming first; then every page goes


@dataclass
class Change:
    exact: list[str] = field(default_factory=list)  # pages the change touched
    prefixes: list[str] = field(default_factory=list)  # and every page under these
    warm: list[str] = field(default_factory=list)  # what to render before readers ask
    removed: bool = False  # the article left the site: switch first, render after
    topics: list[str] = field(default_factory=list)  # feeds to announce to WebSub hubs


def capture(sender, instance, raw=False, **kwargs):
    """pre_save of an article: where it shows before this change, while the database still
    says so. Kept until a content_changed reports the change (on_write): later saves of
    the same object, and saves nothing announced, must not replace what readers were
    shown."""
    if raw or not instance.pk or "_footprint_was" in instance.__dict__:
        return
    if getattr(instance, "_loaded_status", None) == Status.PUBLISHED:
        instance._footprint_was = dict(routes.footprints([instance.pk])).get(instance.pk)
        # Its section and story before the change (read by site/fragments.py's pre_save
        # just before this one, and read again at every later save of the action).
        instance._placement_was = getattr(instance, "_fragment_was", None)


def on_write(article, action="", **kwargs) -> None:
    """content_changed's receiver for one article (pagecache.on_content_changed)."""
    placement = article.__dict__.pop("_placement_was", None)
    change = changes(article, article.__dict__.pop("_footprint_was", None), placement)
    if change is None:
        return  # not shown before or after (a draft, a schedule): no reader page changed
    if change.removed:
        withdraw(change)
    elif _shared_with_readers() and _worker_alive():
        if settings.WEBSUB_HUBS and action != "redirects":
            from samizdat.syndication.websub import topics

            # Hubs fetch the feeds when told: only once the new ones are served.
            change.topics = topics(article)
            article._websub_after_render = True
        render_on_write.enqueue(asdict(change))
    else:
        publish(change)


def changes(article, was, placement=None) -> Change | None:
    """The pages a change of `article` touched (`was`: its footprint before the change,
    `placement`: its section and translation key then)."""
    now = dict(routes.footprints([article.pk])).get(article.pk)
    if was is None and now is None:
        return None
    exact: set[str] = set()
    prefixes: set[str] = set()
    warm: list[str] = []
    for footprint in (was, now):
        if footprint is None:
            continue
        exact.update(footprint.pages)
        exact.add(footprint.path)
        prefixes.add(footprint.path)  # and whatever hangs under the article's address
        for listing in footprint.listings:
            exact.add(listing)
            prefixes.update((f"{listing}older/", f"{listing}newer/"))
    shown = now or was
    warm += [shown.path] if now else []
    warm += [*shown.listings, *shown.pages]
    if was is not None and now is not None:
        warm += [p for p in (*was.listings, *was.pages) if p not in warm]
    section_was, key_was = placement or (None, None)
    others = (_related_pages(article, [f for f in (was, now) if f], section_was)
              | _translations(article, key_was))
    exact |= others
    warm += sorted(others)
    exact.update(ArticleRedirect.objects.filter(article_id=article.pk).values_list(
        "old_path", flat=True))
    warm += _older_pages_served([p for p in prefixes if p.endswith("older/")])
    exact |= {lite(p) for p in exact if _has_lite(p)}
    prefixes |= {lite(p) for p in prefixes if _has_lite(p)}
    warm = [each for path in dict.fromkeys(warm) for each in with_lite(path)]
    return Change(exact=sorted(exact), prefixes=sorted(prefixes), warm=warm[:WARM_MAX],
                  removed=now is None)


def _has_lite(path: str) -> bool:
    """An edition's page (/en/…) that is not text-only already."""
    parts = path.split("/")
    return len(parts) >= 3 and parts[1] in _languages() and parts[2] != "lite"


def _languages() -> set[str]:
    return {code for code, _ in settings.LANGUAGES}


def _related_pages(article, footprints, section_was) -> set[str]:
    """Articles that may show it as related: the next ones after it in its section, now
    and before the change (site/related.py shows the newest earlier ones)."""
    sections = {article.section_id, section_was}
    pages: set[str] = set()
    for section in sections - {None}:
        others = (Article.objects.published().filter(section_id=section)
                  .exclude(pk=article.pk).select_related("edition"))
        for footprint in footprints:
            pages.update(a.get_absolute_url() for a in later(others, footprint.key))
    return pages


def _translations(article, key_was) -> set[str]:
    """Its versions in other editions: their pages name it (and named it before)."""
    keys = {article.translation_key, key_was}
    keys.discard(None)
    if not keys:
        return set()
    return {a.get_absolute_url() for a in Article.objects.published().filter(
        translation_key__in=keys).exclude(pk=article.pk).select_related("edition")}


def _older_pages_served(prefixes: list[str]) -> list[str]:
    """Later pages of the changed lists that nginx serves now: readers were asking for them,
    so they are rendered before the switch too."""
    root = pagecache._page_files_dir()
    if root is None:
        return []
    found = []
    for prefix in prefixes:
        folder = root / "current" / prefix.strip("/")
        try:
            found += [f"{prefix}{cursor.name}/" for cursor in folder.iterdir()
                      if (cursor / "index.html").exists()]
        except (FileNotFoundError, NotADirectoryError):
            continue
    return found


def publish(change: Change) -> dict:
    """Render the changed pages under a new version, then make it current."""
    exact, prefixes = frozenset(change.exact), tuple(change.prefixes)
    for _ in range(ATTEMPTS):
        parent = pagecache._read_version()
        if parent == pagecache.UNREACHABLE:
            break
        version = pagecache.next_version()
        if version == parent:
            break  # a clock too coarse to tell them apart: every page goes instead
        lineage = pagecache.Lineage(parent, exact, prefixes)
        pagecache.write_lineage(version, lineage)
        rendered = render(change.warm, version)
        linked = pagecache.carry_page_files(parent, version, lineage)
        if pagecache.switch(parent, version):
            _announce(change)
            return {"version": version, "rendered": rendered, "linked": linked}
    pagecache.bump()  # others kept changing the site meanwhile: every page goes
    _announce(change)
    return {"version": None}


def withdraw(change: Change) -> dict:
    """Switch at once to a version without the changed pages, then render them."""
    parent = pagecache._read_version()
    version = pagecache.next_version()
    lineage = pagecache.Lineage(parent, frozenset(change.exact), tuple(change.prefixes))
    if parent == pagecache.UNREACHABLE or version == parent:
        pagecache.bump()
        return {"version": None}
    pagecache.write_lineage(version, lineage)
    if not pagecache.switch(parent, version, lineage):
        pagecache.bump()
        return {"version": None}
    if _shared_with_readers() and _worker_alive():
        # Gone from every page already; the pages without it are rendered by the worker,
        # not in the editor's request (a bulk unpublication would wait for all of them).
        render_pages.enqueue(change.warm, version)
        return {"version": version, "rendered": 0}
    return {"version": version, "rendered": render(change.warm, version)}


def _announce(change: Change) -> None:
    if change.topics:
        from samizdat.syndication.tasks import ping_hubs

        ping_hubs.enqueue(change.topics)


@task()
def render_on_write(change: dict) -> dict:
    try:
        return publish(Change(**change))
    except Exception:
        pagecache.bump()  # the change must reach readers, rendered or not
        raise


@task()
def render_pages(paths: list[str], version: str) -> dict:
    """After an unpublication: its pages rendered again, while their version is current."""
    if pagecache._read_version() != version:
        return {"rendered": 0}  # a later change came: its own renders follow
    return {"rendered": render(paths, version)}


_handler: dict = {}  # Django's whole request handling, page cache included, loaded once


def render(paths, version: str) -> int:
    """Ask for each page as a reader would, with the page cache keeping what it renders
    under `version` (and its files in that version's folder, not yet current)."""
    if not paths:
        return 0
    handler = _handler.get("handler")
    if handler is None:
        handler = _handler["handler"] = BaseHandler()
        handler.load_middleware()
    site = urlsplit(settings.SITE_URL)
    host = site.hostname or "localhost"
    factory = RequestFactory(HTTP_HOST=site.netloc or "localhost")
    token = pagecache._warming.set(version)
    urlconf = get_urlconf()  # a page's middleware may set the reader's for the thread
    done = 0
    try:
        # override: each page activates its edition's language; the caller keeps its own.
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, host]), override(
                get_language()):
            for path in paths:
                # Not response.close(): that ends a request for Django and closes the
                # database connection (inside the caller's transaction, in tests).
                handler.get_response(factory.get(path, secure=site.scheme == "https"))
                done += 1
    finally:
        pagecache._warming.reset(token)
        set_urlconf(urlconf)
    return done


def _shared_with_readers() -> bool:
    """Whether pages rendered in another process reach readers: through a shared cache, or
    as page files nginx serves. With neither (`make run`), the committing process renders,
    so its own cache has the new pages at once."""
    return pagecache._uses_shared_cache() or pagecache._page_files_dir() is not None


def _worker_alive() -> bool:
    from samizdat.newsroom.models import TaskWorker

    lease = datetime.timedelta(seconds=settings.TASK_WORKER_LEASE_SECONDS)
    return TaskWorker.objects.filter(seen_at__gte=timezone.now() - lease).exists()
