"""The parts around every page of an edition: sections menu, footer pages, social links.

They change rarely and every page shows them, so each worker process keeps them in memory
for as long as the SITE stamp (see pagecache) stays the same: a warm worker renders a
page's chrome without a query, any change to them drops them at once, and a publication,
which changes none of them, keeps them.
"""

import threading

from django.db.models import Q

from samizdat.newsroom.models import Edition, Page, Section, SiteSettings, SocialAccount

from . import pagecache

_memo = threading.local()


def _current() -> dict:
    version = pagecache.site_version()
    memo = getattr(_memo, "value", None)
    if memo is None or memo["version"] != version:
        memo = {"version": version, "editions": None, "chrome": {}}
        _memo.value = memo
    return memo


def editions() -> list[Edition]:
    memo = _current()
    if memo["editions"] is None:
        memo["editions"] = list(Edition.objects.all())
    return memo["editions"]


def edition_for(language: str) -> Edition | None:
    return next((e for e in editions() if e.language == language), None)


def site_chrome(edition: Edition) -> dict:
    memo = _current()
    chrome = memo["chrome"].get(edition.pk)
    if chrome is None:
        chrome = {
            "editions": editions(),
            "sections": list(Section.objects.filter(edition=edition)),
            "pages": list(
                Page.objects.filter(edition=edition, is_published=True, in_footer=True)
                .only("title", "slug", "kind", "edition_id")
            ),
            "social": list(
                SocialAccount.objects.filter(Q(edition=edition) | Q(edition__isnull=True))
            ),
            "settings": SiteSettings.objects.filter(edition=edition).first(),
        }
        for part in (*chrome["sections"], *chrome["pages"]):
            part.edition = edition  # their addresses name the edition's language: no query
        chrome["support_page"] = next(
            (p for p in chrome["pages"] if p.kind == Page.Kind.SUPPORT), None
        )
        memo["chrome"][edition.pk] = chrome
    return chrome


def section_for(edition: Edition, pk: int | None) -> Section | None:
    """One of the edition's sections from memory (None for another edition's, or none)."""
    if pk is None:
        return None
    return next((s for s in site_chrome(edition)["sections"] if s.pk == pk), None)
