"""Background work of distribution: telling WebSub hubs that feeds changed."""

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import websub

ATTEMPTS = 3


@task()
def ping_hubs(topics: list[str], hubs: list[str] | None = None, attempt: int = 1) -> int:
    """Tell the hubs (all configured ones by default) that `topics` changed. What failed is
    tried again a minute later, then two; after ATTEMPTS the hubs' subscribers poll."""
    failed = websub.ping_all(topics, hubs if hubs is not None else settings.WEBSUB_HUBS)
    if failed and attempt < ATTEMPTS:
        for hub in dict.fromkeys(h for h, _topic in failed):
            again = [t for h, t in failed if h == hub]
            ping_hubs.using(
                run_after=timezone.now() + datetime.timedelta(minutes=attempt),
            ).enqueue(again, [hub], attempt + 1)
    return len(topics) * len(hubs or settings.WEBSUB_HUBS) - len(failed)
