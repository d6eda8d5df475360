"""What readers see of the comments: a fixed number of indexed queries, whatever the count.

Threads come newest first, a page at a time (keyset on the id); each shows its first
replies, oldest first; a thread with more links to a page of its own.
"""

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from samizdat.site import pagecache

from . import services
from .models import Comment, Status

THREADS_PER_PAGE = 20
REPLIES_SHOWN = 10
REPLIES_PER_PAGE = 50
FIELDS = ("id", "article_id", "parent_id", "thread_id", "depth", "name", "body", "created_at")


def depends(request, article) -> None:
    """The page shows this article's comments: declared before they are read."""
    pagecache.depends_on(request, services.dependency(article.pk))


def published(article):
    return Comment.objects.filter(article=article, status=Status.APPROVED)


def threads(article, before: int | None = None) -> dict:
    """One page of threads with their first replies: three queries."""
    roots = published(article).filter(depth=0).order_by("-id").only(*FIELDS)
    if before:
        roots = roots.filter(id__lt=before)
    roots = list(roots[:THREADS_PER_PAGE + 1])
    more = len(roots) > THREADS_PER_PAGE
    roots = roots[:THREADS_PER_PAGE]
    replies = {}
    if roots:
        ranked = (
            Comment.objects.filter(thread_id__in=[r.pk for r in roots], status=Status.APPROVED)
            .annotate(rank=Window(RowNumber(), partition_by=[F("thread_id")],
                                  order_by=F("id").asc()))
            .filter(rank__lte=REPLIES_SHOWN + 1).only(*FIELDS).order_by("thread_id", "id")
        )
        for reply in ranked:
            replies.setdefault(reply.thread_id, []).append(reply)
    names = {r.pk: r.name for r in roots}
    for listed in replies.values():
        names.update((r.pk, r.name) for r in listed)
    shown = [{"comment": root, "replies": replies.get(root.pk, [])[:REPLIES_SHOWN],
              "more_replies": len(replies.get(root.pk, [])) > REPLIES_SHOWN}
             for root in roots]
    return {
        "threads": shown,
        "count": published(article).count(),
        "older": roots[-1].pk if more else None,
        "names": names,
    }


def thread(article, root_id: int, after: int | None = None) -> dict | None:
    root = published(article).filter(pk=root_id, depth=0).only(*FIELDS).first()
    if root is None:
        return None
    replies = (Comment.objects.filter(thread_id=root.pk, status=Status.APPROVED)
               .order_by("id").only(*FIELDS))
    if after:
        replies = replies.filter(id__gt=after)
    replies = list(replies[:REPLIES_PER_PAGE + 1])
    more = len(replies) > REPLIES_PER_PAGE
    replies = replies[:REPLIES_PER_PAGE]
    names = {root.pk: root.name, **{r.pk: r.name for r in replies}}
    return {"root": root, "replies": replies, "newer": replies[-1].pk if more else None,
            "names": names}
