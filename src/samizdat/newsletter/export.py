"""Subscribers in an export: only when an administrator asks by name, with an audit entry."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from samizdat.newsroom.services import audit

from .models import Subscriber

FILE = "subscribers.jsonl"


def administrator(username: str):
    """The active administrator named `username`, or PermissionDenied."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not (user.is_superuser or user.groups.filter(
            name="administrator").exists()):
        raise PermissionDenied(
            f"{username!r} is not an active administrator: subscribers' addresses are "
            "exported only at an administrator's request.")
    return user


def write_subscribers(out: Path, username: str) -> int:
    """Write the confirmed subscribers' addresses, decrypted, to OUT/subscribers.jsonl."""
    user = administrator(username)
    count = 0
    with open(Path(out) / FILE, "w", encoding="utf-8") as lines:
        rows = (Subscriber.objects.filter(confirmed_at__isnull=False)
                .select_related("edition").order_by("pk"))
        for subscriber in rows.iterator(chunk_size=2000):
            lines.write(json.dumps({
                "id": subscriber.pk, "edition": subscriber.edition.language,
                "email": subscriber.address, "digest": subscriber.digest,
                "alerts": subscriber.alerts,
                "confirmed_at": subscriber.confirmed_at.isoformat(),
            }, ensure_ascii=False) + "\n")
            count += 1
    audit(user, "export-subscribers", user, subscribers=count, to=str(out))
    return count
