"""Which addresses the baked copy holds: for each reader URL name, how to list its pages.

ROUTES maps URL names to enumerators. An enumerator yields URL paths of pages to render
(`str`), `Alias`es (an address whose links are pointed at another page of the copy) and
`Redirect`s (an old address that gets a page sending readers on). Several names share one
enumerator where one walk yields them all: a listing's first page, its "older" pages and
its "newer" ones. tests/bake/test_routes.py fails when a reader URL has no entry here, so
the copy cannot silently fall behind the live site.
"""

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import override

from samizdat.newsroom.models import (
    Article,
    ArticleRedirect,
    Author,
    Byline,
    Edition,
    LegacyRedirect,
    Page,
    Section,
    Tag,
    local_date,
)
from samizdat.site import chrome
from samizdat.site import views as site_views
from samizdat.site.helpers import lite
from samizdat.site.pagination import keyset_page, micros
from samizdat.syndication import sitemaps
from samizdat.syndication.urls import FEED_KINDS
from samizdat.syndication.views import STATIC_CHUNKS

from .state import Footprint


@dataclass(frozen=True)
class Alias:
    """Links to `path` lead to `target`, a page of the copy with the same content."""

    path: str
    target: str


@dataclass(frozen=True)
class Redirect:
    """`path` gets a small page sending readers to `target`."""

    path: str
    target: str


Item = str | Alias | Redirect


def editions() -> list[Edition]:
    """The editions readers can reach: those of the configured languages."""
    languages = {code for code, _ in settings.LANGUAGES}
    return [e for e in chrome.editions() if e.language in languages]


def _url(language: str, name: str, **kwargs) -> str:
    with override(language):
        return reverse(name, kwargs=kwargs or None)


def listing_queryset(language: str, name: str, kwargs: dict):
    """The articles of a listing (latest, a section, tag, author or date), as its view
    reads them; None when the listing does not exist."""
    edition = next((e for e in editions() if e.language == language), None)
    if edition is None:
        return None
    articles = site_views.published(edition)
    if name == "site:latest":
        return articles
    # The same filters as the views, by id, so the same indexes serve them.
    if name == "site:section":
        found = Section.objects.filter(edition=edition, slug=kwargs["slug"]).first()
        return articles.filter(section=found) if found else None
    if name == "site:tag":
        found = Tag.objects.filter(edition=edition, slug=kwargs["slug"]).first()
        return articles.filter(tags=found) if found else None
    if name == "site:author":
        found = Author.objects.filter(slug=kwargs["slug"]).first()
        return articles.filter(bylines__author=found) if found else None
    if name == "site:archive":
        month, day = kwargs.get("month"), kwargs.get("day")
        start, end = site_views.archive_period(int(kwargs["year"]), month and int(month),
                                               day and int(day))
        articles = articles.filter(published_at__gte=start)
        return articles if end is None else articles.filter(published_at__lt=end)
    raise ValueError(f"{name} is not a listing")


def page_of(queryset, cursor: str | None):
    """A listing's page as its view shows it: the first one, or the one older than `cursor`."""
    queryset = queryset.select_related(None).only("id", "published_at")
    return keyset_page(queryset, "older" if cursor else None, cursor, site_views.PAGE_SIZE,
                       anchored=True)


def listing_path(language: str, name: str, kwargs: dict, direction: str | None = None,
                 cursor: str | None = None) -> str:
    if direction is None:
        return _url(language, name, **kwargs)
    return _url(language, f"{name}-{direction}", **kwargs, cursor=cursor)


def _chain(language: str, name: str, kwargs: dict) -> Iterator[Item]:
    """A listing's first page and every "older" page after it, as its pager links them.

    The cursors come from the pager's own keyset_page over the view's queryset, so the
    walk reaches every article. The "newer" link of older page k+1 is the last page
    before it, so it is an alias of page k rather than a page of its own.
    """
    queryset = listing_queryset(language, name, kwargs)
    previous = listing_path(language, name, kwargs)
    yield previous
    page = page_of(queryset, None)
    while page.older:
        path = listing_path(language, name, kwargs, "older", page.older)
        yield path
        page = page_of(queryset, page.older)
        if page.newer:
            yield Alias(listing_path(language, name, kwargs, "newer", page.newer), previous)
        previous = path


def home() -> Iterator[Item]:
    for edition in editions():
        yield _url(edition.language, "site:home")


def latest() -> Iterator[Item]:
    for edition in editions():
        yield from _chain(edition.language, "site:latest", {})


def sections() -> Iterator[Item]:
    for edition in editions():
        for section in Section.objects.filter(edition=edition).order_by("id"):
            yield from _chain(edition.language, "site:section", {"slug": section.slug})


def tags() -> Iterator[Item]:
    for edition in editions():
        for tag in Tag.objects.filter(edition=edition).order_by("id"):
            yield from _chain(edition.language, "site:tag", {"slug": tag.slug})


def _authors(edition):
    """Authors with a published article in the edition: the ones its bylines link to."""
    return Author.objects.filter(
        pk__in=Article.objects.published().filter(edition=edition)
        .values("bylines__author")).order_by("id")


def authors() -> Iterator[Item]:
    for edition in editions():
        for author in _authors(edition):
            yield from _chain(edition.language, "site:author", {"slug": author.slug})


def archives() -> Iterator[Item]:
    """Year, month and day pages of the dates that have articles (and their chains)."""
    for edition in editions():
        days = sorted(Article.objects.published().filter(edition=edition).order_by()
                      .values_list("pub_date", flat=True).distinct(), reverse=True)
        periods = dict.fromkeys(
            period for d in days
            for period in ((d.year, None, None), (d.year, d.month, None), (d.year, d.month, d.day)))
        for year, month, day in periods:
            kwargs = {"year": f"{year:04d}"}
            if month:
                kwargs["month"] = f"{month:02d}"
            if day:
                kwargs["day"] = f"{day:02d}"
            yield from _chain(edition.language, "site:archive", kwargs)


def articles() -> Iterator[Item]:
    published = (Article.objects.published().select_related("edition")
                 .only("slug", "pub_date", "published_at", "edition__language")
                 .order_by("-published_at", "-id"))
    languages = {e.language for e in editions()}
    for article in published.iterator(chunk_size=2000):
        if article.edition.language in languages:
            yield article.get_absolute_url()


def redirects() -> Iterator[Item]:
    """Old addresses of published articles (a slug or date changed): they keep working."""
    moved = ArticleRedirect.objects.filter(article__status="published").select_related(
        "article__edition").order_by("id")
    for redirect in moved.iterator(chunk_size=2000):
        if redirect.old_path.endswith("/"):
            yield Redirect(redirect.old_path, redirect.article.get_absolute_url())
    yield from legacy_redirects()


def legacy_redirects() -> Iterator[Item]:
    """Addresses of the site the newsroom moved in from (newsroom.redirects) that can be
    files: folder paths leading to a page of this site. Query-style ones (/?p=123) cannot:
    nginx passes "/" with a query to the application, which answers them."""
    moved = (LegacyRedirect.objects.filter(query="")
             .select_related("article__edition", "page__edition", "section__edition",
                             "tag__edition")
             .defer("article__body", "page__body").order_by("id"))
    for redirect in moved.iterator(chunk_size=2000):
        target = redirect.destination()
        if target and storable_legacy_path(redirect.old_path) and target.startswith("/") \
                and not target.startswith("//"):
            yield Redirect(redirect.old_path, target)


def storable_legacy_path(path: str) -> bool:
    return path.endswith("/") and not any(part in (".", "..") for part in path.split("/"))


def legacy_paths(ids) -> list[tuple[str, int]]:
    """(old address, article id) of the folder-style legacy addresses of these articles."""
    rows = LegacyRedirect.objects.filter(article_id__in=list(ids), query="").values_list(
        "old_path", "article_id")
    return [(path, pk) for path, pk in rows if storable_legacy_path(path)]


def pages() -> Iterator[Item]:
    for page in Page.objects.filter(is_published=True, edition__in=editions()).select_related(
            "edition").order_by("id"):
        yield page.get_absolute_url()


def site_feeds() -> Iterator[Item]:
    for kind in FEED_KINDS:
        yield reverse(f"syndication:site-{kind}")


def edition_feeds() -> Iterator[Item]:
    for edition in editions():
        for kind in FEED_KINDS:
            yield reverse(f"syndication:edition-{kind}", args=[edition.language])


def _feeds(scope: str, targets) -> Iterator[Item]:
    for language, slug in targets:
        for kind in FEED_KINDS:
            yield reverse(f"syndication:{scope}-{kind}", args=[language, slug])


def section_feeds() -> Iterator[Item]:
    yield from _feeds("section", ((e.language, s.slug) for e in editions()
                                  for s in Section.objects.filter(edition=e).order_by("id")))


def tag_feeds() -> Iterator[Item]:
    yield from _feeds("tag", ((e.language, t.slug) for e in editions()
                              for t in Tag.objects.filter(edition=e).order_by("id")))


def author_feeds() -> Iterator[Item]:
    yield from _feeds("author", ((e.language, a.slug) for e in editions()
                                 for a in _authors(e)))


def sitemap_files() -> Iterator[Item]:
    yield reverse("syndication:sitemap-index")
    yield reverse("syndication:news-sitemap")
    for chunk in STATIC_CHUNKS:
        yield reverse("syndication:sitemap", args=[chunk])
    for language, year, month in sitemaps.month_chunks():
        yield reverse("syndication:sitemap", args=[f"{language}-{year}-{month:02d}"])


def robots() -> Iterator[Item]:
    yield reverse("syndication:robots")


def mirrors() -> Iterator[Item]:
    """The Mirrors page: every copy carries the addresses of the others."""
    for edition in editions():
        yield _url(edition.language, "mirrors:mirrors")


def mirrors_json() -> Iterator[Item]:
    yield reverse("mirrors-json")


def root() -> Iterator[Item]:
    """The copy's front door: index.html at its top sends readers to the first edition."""
    found = editions()
    first = next((e for e in found if e.language == settings.LANGUAGE_CODE), None)
    if first is None and found:
        first = found[0]
    if first is not None:
        yield Redirect("/", first.get_absolute_url())


def _lite(item: Item) -> Item | None:
    if isinstance(item, str):
        return lite(item)
    if isinstance(item, Alias):
        return Alias(lite(item.path), lite(item.target))
    return None


def lite_pages() -> Iterator[Item]:
    """The text-only edition (/{lang}/lite/…) of every page that has one: the same walks,
    the lite addresses (site.views.LITE_TEMPLATES lists which pages have a lite form)."""
    for enumerator in LITE_SOURCES:
        for item in enumerator():
            if (text_only := _lite(item)) is not None:
                yield text_only


def favicon() -> Iterator[Item]:
    yield "/favicon.ico"


ROUTES: dict[str, Callable[[], Iterator[Item]]] = {
    "site:home": home,
    **dict.fromkeys(("site:latest", "site:latest-older", "site:latest-newer"), latest),
    **dict.fromkeys(("site:section", "site:section-older", "site:section-newer"), sections),
    **dict.fromkeys(("site:tag", "site:tag-older", "site:tag-newer"), tags),
    **dict.fromkeys(("site:author", "site:author-older", "site:author-newer"), authors),
    **dict.fromkeys(("site:archive", "site:archive-older", "site:archive-newer"), archives),
    "site:article": articles,
    "site:page": pages,
    "redirects": redirects,
    **dict.fromkeys((f"syndication:site-{kind}" for kind in FEED_KINDS), site_feeds),
    **dict.fromkeys((f"syndication:edition-{kind}" for kind in FEED_KINDS), edition_feeds),
    **dict.fromkeys((f"syndication:section-{kind}" for kind in FEED_KINDS), section_feeds),
    **dict.fromkeys((f"syndication:tag-{kind}" for kind in FEED_KINDS), tag_feeds),
    **dict.fromkeys((f"syndication:author-{kind}" for kind in FEED_KINDS), author_feeds),
    **dict.fromkeys(("syndication:sitemap-index", "syndication:sitemap",
                     "syndication:news-sitemap"), sitemap_files),
    "syndication:robots": robots,
    "mirrors:mirrors": mirrors,
    "mirrors-json": mirrors_json,
    "root": root,
    "favicon": favicon,
    "lite": lite_pages,
}

# Reader URL names (or whole namespaces, "name:*") the copy does without, and why. The
# copy's links to them go to the live site (links.py).
LEFT_OUT = {
    "site:preview": "a draft for signed-in staff: never public, and its link expires",
    "short-link": "/a/<id>/ redirects name the main site; the copy's addresses are its own",
    "reading": "the reading counter takes POSTs; baked pages leave its script out",
    "media": "the photos pages show are copied along with them, not listed",
    "comments:*": "posting and moderation need the live site; the article shows its comments",
    "search:*": "answers queries: the copy's search box goes to the live site",
    "popular:*": "counts change by the minute: the home page shows the list as baked",
    "api-v1:*": "the JSON API answers queries",
    "newsletter:*": "subscribing and unsubscribing need the live site; the form posts there",
}


LITE_SOURCES = (home, latest, sections, tags, authors, archives, articles, pages)


def enumerate_site() -> Iterator[Item]:
    """Every item of every route, each enumerator walked once: the text-only pages come
    beside their sources rather than from a second walk (half the listing's time)."""
    for enumerator in dict.fromkeys(ROUTES.values()):
        if enumerator is lite_pages:
            continue
        for item in enumerator():
            yield item
            if enumerator in LITE_SOURCES and (text_only := _lite(item)) is not None:
                yield text_only


# --- Where each article shows: what an update after a change must rewrite --------------

@functools.lru_cache(maxsize=65536)
def _cached_url(language: str, name: str, kwargs: tuple = ()) -> str:
    return _url(language, name, **dict(kwargs))


def footprints(ids=None) -> Iterator[tuple[int, Footprint]]:
    """(id, Footprint) of the published articles among `ids` (all of them for None): the
    lists and pages that show each one. bake/update.py compares an article's footprint
    in the copy with its footprint now to know what to rewrite."""
    languages = {e.language for e in editions()}
    published = (Article.objects.published().select_related("edition", "section")
                 .only("id", "slug", "pub_date", "published_at", "edition__language",
                       "section__slug").order_by("id"))
    if ids is not None:
        published = published.filter(pk__in=list(ids))
    batch: list[Article] = []
    for article in published.iterator(chunk_size=2000):
        if article.edition.language in languages:
            batch.append(article)
        if len(batch) == 2000:
            yield from _footprints(batch)
            batch = []
    yield from _footprints(batch)


def _footprints(batch: list[Article]) -> Iterator[tuple[int, Footprint]]:
    if not batch:
        return
    ids = [a.pk for a in batch]
    tags: dict[int, list[str]] = {}
    for article_id, slug in Article.tags.through.objects.filter(
            article_id__in=ids).values_list("article_id", "tag__slug"):
        tags.setdefault(article_id, []).append(slug)
    authors: dict[int, list[str]] = {}
    for article_id, slug in Byline.objects.filter(article_id__in=ids).values_list(
            "article_id", "author__slug"):
        authors.setdefault(article_id, []).append(slug)
    for article in batch:
        language = article.edition.language
        day = local_date(article.published_at)
        year, month = f"{day.year:04d}", f"{day.month:02d}"
        listings = [
            ("site:latest", ()),
            *([("site:section", (("slug", article.section.slug),))] if article.section else []),
            *(("site:tag", (("slug", slug),)) for slug in tags.get(article.pk, ())),
            *(("site:author", (("slug", slug),)) for slug in authors.get(article.pk, ())),
            ("site:archive", (("year", year),)),
            ("site:archive", (("year", year), ("month", month))),
            ("site:archive", (("year", year), ("month", month), ("day", f"{day.day:02d}"))),
        ]
        feeds = [("edition", (language,))]
        if article.section:
            feeds.append(("section", (language, article.section.slug)))
        feeds += [("tag", (language, slug)) for slug in tags.get(article.pk, ())]
        feeds += [("author", (language, slug)) for slug in authors.get(article.pk, ())]
        pages = [
            _cached_url(language, "site:home"),
            *_site_files(),
            *(_reverse(f"syndication:{scope}-{kind}", args)
              for scope, args in feeds for kind in FEED_KINDS),
            _reverse("syndication:sitemap", (f"{language}-{day.year}-{day.month:02d}",)),
        ]
        yield article.pk, Footprint(
            path=article.get_absolute_url(),
            key=(micros(article.published_at), article.pk),
            listings=[_cached_url(language, name, kwargs) for name, kwargs in listings],
            pages=pages,
        )


@functools.lru_cache(maxsize=65536)
def _reverse(name: str, args: tuple) -> str:
    return reverse(name, args=list(args))


def _site_files() -> list[str]:
    """Files every publication changes: the site's feeds and the sitemaps' index and news."""
    return [*(reverse(f"syndication:site-{kind}") for kind in FEED_KINDS),
            reverse("syndication:sitemap-index"), reverse("syndication:news-sitemap")]
