"""The admin's front page: the newsroom's day at a glance, the blocks each role needs first.

Every block is one LIMITed query on an indexed column (or a count stopped at CAP), so the
page costs the same few queries whatever the size of the archive.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

CAP = 100  # counts stop here and show "100+"
SHOWN = 10  # rows per list block


@dataclass
class Count:
    value: int

    @property
    def more(self) -> bool:
        return self.value > CAP

    def __str__(self) -> str:
        return f"{CAP}+" if self.more else str(self.value)


def _capped(queryset) -> Count:
    return Count(queryset.values("pk")[:CAP + 1].count())


Moment = datetime.datetime


def newsroom_day(now: Moment | None = None) -> tuple[Moment, Moment]:
    """The start and end of today in the newsroom's time zone (settings.TIME_ZONE), whatever
    the time zone the staff member's request runs in."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = (now or timezone.now()).astimezone(zone)
    start = datetime.datetime.combine(local.date(), datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), datetime.time(),
                                    tzinfo=zone)
    return start, end


@dataclass
class EditionDay:
    edition: object
    published: list = field(default_factory=list)
    scheduled: list = field(default_factory=list)
    most_read: list = field(default_factory=list)


def _roles(user) -> dict[str, bool]:
    return {
        "editor": user.has_perm("newsroom.publish_article"),
        "moderator": user.has_perm("comments.moderate_comment"),
        "writer": user.has_perm("newsroom.add_article"),
        "admin": user.is_superuser,
    }


def context(user, now: datetime.datetime | None = None) -> dict:
    """What the dashboard shows to `user`."""
    from samizdat.newsroom.models import Article, Edition
    from samizdat.newsroom.workflow import Status

    now = now or timezone.now()
    start, end = newsroom_day(now)
    roles = _roles(user)
    data: dict = {"roles": roles, "cap": CAP}
    if not (roles["editor"] or roles["moderator"] or roles["writer"] or roles["admin"]):
        return data
    if roles["editor"] or roles["writer"]:
        editions = {e.pk: EditionDay(e) for e in Edition.objects.all()[:20]}
        data["editions"] = list(editions.values())
        fields = ("id", "headline", "edition_id", "published_at", "publish_at", "status")
        # The site feed index (status, published_at, id), walked back from now.
        for article in (Article.objects.filter(status=Status.PUBLISHED, published_at__gte=start)
                        .only(*fields).order_by("-published_at", "-id")[:SHOWN * 5]):
            day = editions.get(article.edition_id)
            if day and len(day.published) < SHOWN:
                day.published.append(article)
        if roles["editor"]:
            # The schedule index (status, publish_at).
            for article in (Article.objects.filter(status=Status.SCHEDULED, publish_at__lt=end)
                            .only(*fields).order_by("publish_at", "id")[:SHOWN * 5]):
                day = editions.get(article.edition_id)
                if day and len(day.scheduled) < SHOWN:
                    day.scheduled.append(article)
            review = Article.objects.filter(status=Status.REVIEW)
            data["review_count"] = _capped(review)
            data["review"] = list(review.select_related("edition").only(
                *fields, "edition__language", "modified_at").order_by("-id")[:SHOWN])
            data["delivery"] = _delivery(
                [a for day in editions.values() for a in day.published])
            _most_read(editions, start)
        if roles["writer"]:
            # created_by is a foreign key, so indexed; a writer's drafts are few.
            data["drafts"] = list(
                Article.objects.filter(created_by=user, status__in=[Status.DRAFT, Status.REVIEW])
                .select_related("edition").only(*fields, "edition__language", "modified_at")
                .order_by("-id")[:SHOWN])
    if roles["moderator"]:
        from samizdat.comments.models import Comment
        from samizdat.comments.models import Status as CommentStatus

        pending = Comment.objects.filter(status=CommentStatus.PENDING)
        data["comments_count"] = _capped(pending)
        # The moderation feed index (status, -id).
        data["comments"] = list(pending.select_related("article").only(
            "id", "name", "body", "created_at", "held_for", "article__headline")
            .order_by("-id")[:5])
    if roles["admin"]:
        data["technical"] = _technical()
    return data


def _most_read(editions: dict, start: datetime.datetime) -> None:
    """Today's readings (the index on edition and hour), summed per article: the hourly rows
    of one day, never the archive."""
    from samizdat.newsroom.models import Article
    from samizdat.popular.models import ReadCount

    totals = list(
        ReadCount.objects.filter(edition_id__in=list(editions), hour__gte=start)
        .values("edition_id", "article_id").annotate(total=Sum("count"))
        .order_by("-total", "-article_id")[:SHOWN * len(editions)])
    found = Article.objects.published().only("id", "headline").in_bulk(
        [row["article_id"] for row in totals])
    for row in totals:
        day, article = editions.get(row["edition_id"]), found.get(row["article_id"])
        if day and article and len(day.most_read) < 5:
            day.most_read.append((article, row["total"]))


def _delivery(published: list) -> dict:
    """The copy, the mirrors and the Telegram posts of today's publications."""
    from samizdat.mirrors.models import Mirror
    from samizdat.monitoring.state import last_bake
    from samizdat.telegram.models import Post

    posts = Post.objects.filter(article_id__in=[a.pk for a in published]).only(
        "article_id", "state", "posted_at", "error")
    by_article = {post.article_id: post for post in posts}
    return {
        "baked": last_bake(),
        "mirrors": list(Mirror.objects.filter(is_active=True).only(
            "name", "last_attempt", "last_success", "last_error")[:SHOWN]),
        "posts": [(a, by_article.get(a.pk)) for a in published[:SHOWN]],
    }


def _technical() -> dict:
    from axes.models import AccessAttempt
    from django_tasks_db.models import DBTaskResult

    from samizdat.ops.models import BackupRun

    return {
        "lockouts": list(AccessAttempt.objects.only(
            "username", "ip_address", "attempt_time", "failures_since_start")
            .order_by("-attempt_time")[:5]),
        # The ready tasks' partial index.
        "tasks_ready": _capped(DBTaskResult.objects.ready()),
        "backups": list(BackupRun.objects.only(
            "result", "created_at", "finished_at", "host", "message")[:3]),
    }
