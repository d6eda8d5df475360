"""The most-read lists of an edition, over the last day and the last week.

A list is a bounded aggregate over the hourly counts of its window (an index on edition
and hour), kept in the cache; the pages that show it depend on `popular:<edition>`, which
is touched only when a list's order changes.
"""

import datetime

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from samizdat.newsroom.models import Article, Edition
from samizdat.site import pagecache

from .models import ReadCount

PERIODS = {"day": datetime.timedelta(days=1), "week": datetime.timedelta(days=7)}
SHOWN = 10


def _key(edition_id: int, period: str) -> str:
    return f"samizdat:popular:{edition_id}:{period}"


def dependency(edition_id: int) -> str:
    return f"popular:{edition_id}"


def compute(edition_id: int, period: str) -> list[int]:
    since = timezone.now() - PERIODS[period]
    return list(
        ReadCount.objects.filter(edition_id=edition_id, hour__gte=since)
        .values("article_id").annotate(total=Sum("count"))
        .order_by("-total", "-article_id").values_list("article_id", flat=True)[:SHOWN]
    )


def refresh() -> None:
    """Recompute every edition's lists; make their pages stale where one changed."""
    for edition_id in Edition.objects.values_list("id", flat=True):
        changed = False
        for period in PERIODS:
            ids = compute(edition_id, period)
            if cache.get(_key(edition_id, period)) != ids:
                cache.set(_key(edition_id, period), ids, None)
                changed = True
        if changed:
            pagecache.touch(dependency(edition_id), _paths(edition_id))


def _paths(edition_id: int) -> list[str]:
    from django.urls import reverse
    from django.utils.translation import override

    language = Edition.objects.get(pk=edition_id).language
    with override(language):
        return [reverse("site:home"), reverse("popular:popular")]


def most_read(edition: Edition, period: str) -> list[Article]:
    """The list as pages show it: published articles only, in order."""
    ids = cache.get(_key(edition.pk, period))
    if ids is None:
        ids = compute(edition.pk, period)
        cache.set(_key(edition.pk, period), ids, None)
    if not ids:
        return []
    found = Article.objects.published().for_lists().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
