"""Keyset pagination: "older" and "newer" pages that cost the same on page 1 and page 10,000.

Reader listings use anchored pages: an "older" page ends at an article chosen by its id
alone (`anchor`), not after a fixed count. Where a page ends then depends only on the
articles on it, so publishing a new article changes the first page and the one after it,
and every page further back keeps its address and its content. A baked copy (bake/) then
rewrites two pages of a listing per publication instead of all of them, and the live
site's cached deep pages stay valid. Pages hold between half and twice the page size,
about the page size on average.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MAX_MICROS = 10**17


def micros(moment: datetime.datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds


def encode(article) -> str:
    return f"{micros(article.published_at)}-{article.pk}"


def decode(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        micros, pk = (int(part) for part in cursor.split("-"))
    except ValueError:
        raise Http404("bad cursor") from None
    if not (0 <= micros < MAX_MICROS and 0 < pk < 2**62):
        raise Http404("bad cursor")
    return EPOCH + datetime.timedelta(microseconds=micros), pk


MASK = 0xFFFFFFFFFFFFFFFF


def anchor(pk: int, size: int) -> bool:
    """Whether an "older" page may end at the article `pk`: true for one id in size/2,
    spread like chance over any run of ids (SplitMix64's finaliser: ids a section takes
    every 7th of are no more or less often anchors than others)."""
    z = (pk * 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return (z ^ (z >> 31)) % max(1, size // 2) == 0


def _anchored_end(rows: list, size: int) -> int:
    """How many of `rows` (up to 2 * size + 1, newest first) an anchored page shows."""
    least, most = max(1, size // 2), 2 * size
    for index in range(least - 1, min(len(rows), most)):
        if anchor(rows[index].pk, size):
            return index + 1
    return min(len(rows), most)


@dataclass
class KeysetPage:
    items: list
    older: str | None  # cursor for the next, older page
    newer: str | None  # cursor for the previous, newer page; "" means the first page


def keyset_page(queryset, direction: str | None, cursor: str | None, size: int,
                anchored: bool = False) -> KeysetPage:
    """One page of `queryset` (newest first) before or after `cursor`.

    With `anchored`, an "older" page holds size/2 to 2*size articles and ends at an
    anchor (above); the first page and "newer" pages hold `size`.
    """
    if cursor is None:
        rows = list(queryset.order_by("-published_at", "-id")[: size + 1])
        return KeysetPage(rows[:size], encode(rows[size - 1]) if len(rows) > size else None, None)
    moment, pk = decode(cursor)
    if direction == "older":
        rows = list(
            # "<= moment, minus the ties at or after the cursor" rather than "< or (= and <)":
            # SQLite turns the OR form into a scan of the whole index.
            queryset.filter(Q(published_at__lte=moment) & ~Q(published_at=moment, id__gte=pk))
            .order_by("-published_at", "-id")[: (2 * size if anchored else size) + 1]
        )
        shown = _anchored_end(rows, size) if anchored else size
        items = rows[:shown]
        older = encode(items[-1]) if len(rows) > shown else None
        newer = encode(items[0]) if items else None
        return KeysetPage(items, older, newer)
    rows = list(
        queryset.filter(Q(published_at__gte=moment) & ~Q(published_at=moment, id__lte=pk))
        .order_by("published_at", "id")[: size + 1]
    )
    items = list(reversed(rows[:size]))
    newer = (encode(items[0]) if len(rows) > size else "") if items else None
    older = encode(items[-1]) if items else None
    return KeysetPage(items, older, newer)
