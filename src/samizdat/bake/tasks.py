"""Keeping the baked copy and its mirrors in step with publishing, through the task queue.

Saving a published article (or publishing, unpublishing or deleting one, or changing its
tags or bylines) enqueues one `update_copy` when the transaction commits, for all the
articles it changed. The task rewrites what they affect in the copy (update.py) and sends
the changed files to every active mirror. Nothing is enqueued while no copy has been
baked (`samizdat bake` makes the first).

With several application machines the copy lives on one of them: its task worker says so in
the shared cache (`announce_copy`, with each heartbeat) and alone takes the `bake` queue,
so a change made on any machine reaches the copy, and each update runs once, where the copy
is.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from samizdat.newsroom.workflow import Status

RETRY = datetime.timedelta(seconds=30)
QUEUE = "bake"  # taken only by the task worker of the machine that holds the copy
HOLDER_KEY = "samizdat:bake-copy-held"


def copy_here() -> bool:
    return Path(settings.BAKE_DIR).is_symlink()


def announce_copy(seconds: float) -> None:
    """Tell every machine, for `seconds`, that this one holds the copy (the worker's
    heartbeat calls it), so changes made on any of them are sent to its worker."""
    if copy_here():
        cache.set(HOLDER_KEY, "1", timeout=seconds)


def _copy_somewhere() -> bool:
    return copy_here() or cache.get(HOLDER_KEY) is not None


@task(queue_name=QUEUE)
def update_copy(ids: list[int]) -> dict:
    from samizdat.mirrors.sync import sync_all

    from .baker import BakeBusy
    from .update import update

    try:
        done = update(ids)
    except BakeBusy:
        # A whole bake holds the copy (it may have listed the pages before this change):
        # try again after it rather than lose the change until the next bake.
        update_copy.using(run_after=timezone.now() + RETRY).enqueue(ids)
        return {"updated": False, "retry_in_seconds": RETRY.total_seconds()}
    if done is None:
        return {"updated": False}
    outcomes = sync_all(settings.BAKE_DIR)
    return {"updated": True, "written": len(done.written), "removed": len(done.removed),
            "seconds": round(done.seconds, 3),
            "mirrors": {name: (vars(o) if o else None) for name, o in outcomes.items()}}


class _Pending:
    """The articles one transaction changed: one task for all of them, after the commit."""

    def __init__(self):
        self.ids: set[int] = set()

    def __call__(self):
        update_copy.enqueue(sorted(self.ids))


def changed(pk: int) -> None:
    connection = transaction.get_connection()
    # Still registered with this transaction (a rolled-back one drops its callbacks).
    pending = next((f for _ids, f, _robust in connection.run_on_commit
                    if isinstance(f, _Pending)), None)
    if pending is None:
        if not _copy_somewhere():
            return
        pending = _Pending()
        transaction.on_commit(pending)
    pending.ids.add(pk)


def _shown(article) -> bool:
    """Whether readers see the article, or saw it before this change."""
    return Status.PUBLISHED in (article.status, getattr(article, "_loaded_status", None))


def article_saved(sender, instance, raw=False, **kwargs):
    if not raw and _shown(instance):
        changed(instance.pk)


def tags_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if not action.startswith("post_"):
        return
    from samizdat.newsroom.models import Article

    if not reverse:
        if _shown(instance):
            changed(instance.pk)
        return
    for pk in Article.objects.filter(pk__in=pk_set or (), status=Status.PUBLISHED).values_list(
            "pk", flat=True):
        changed(pk)


def byline_changed(sender, instance, raw=False, **kwargs):
    from samizdat.newsroom.models import Article

    # Not instance.article: a byline deleted with its article has none to load.
    if not raw and Article.objects.filter(pk=instance.article_id,
                                          status=Status.PUBLISHED).exists():
        changed(instance.article_id)


def legacy_redirect_changed(sender, instance, raw=False, **kwargs):
    """An old address leading to an article, saved one by one (the admin, redirects.add):
    the article's update writes or removes its page. Bulk imports (redirects.add_many)
    send no signal: their pages come with the next full bake."""
    if not raw and instance.article_id:
        changed(instance.article_id)
