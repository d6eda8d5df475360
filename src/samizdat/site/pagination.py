"""Keyset pagination: "older" and "newer" pages that cost the same on page 1 and page 10,000."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MAX_MICROS = 10**17


def encode(article) -> str:
    delta = article.published_at - EPOCH
    micros = (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds
    return f"{micros}-{article.pk}"


def decode(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        micros, pk = (int(part) for part in cursor.split("-"))
    except ValueError:
        raise Http404("bad cursor") from None
    if not (0 <= micros < MAX_MICROS and 0 < pk < 2**62):
        raise Http404("bad cursor")
    return EPOCH + datetime.timedelta(microseconds=micros), pk


@dataclass
class KeysetPage:
    items: list
    older: str | None  # cursor for the next, older page
    newer: str | None  # cursor for the previous, newer page; "" means the first page


def keyset_page(queryset, direction: str | None, cursor: str | None, size: int) -> KeysetPage:
    """One page of `queryset` (newest first) before or after `cursor`."""
    if cursor is None:
        rows = list(queryset.order_by("-published_at", "-id")[: size + 1])
        return KeysetPage(rows[:size], encode(rows[size - 1]) if len(rows) > size else None, None)
    moment, pk = decode(cursor)
    if direction == "older":
        rows = list(
            # "<= moment, minus the ties at or after the cursor" rather than "< or (= and <)":
            # SQLite turns the OR form into a scan of the whole index.
            queryset.filter(Q(published_at__lte=moment) & ~Q(published_at=moment, id__gte=pk))
            .order_by("-published_at", "-id")[: size + 1]
        )
        items = rows[:size]
        older = encode(items[-1]) if len(rows) > size else None
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
