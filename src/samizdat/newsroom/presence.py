"""Who has an article's change form open: the desk's "someone else is editing" warning.

Kept in the database rather than the cache: the default local-memory cache belongs to one
process, so two editors served by two workers would never see each other, and the Redis
cache (samizdat.caching) drops writes while Redis is unreachable. One small row per open
form, written when the form opens and at each heartbeat of its page's script, costs little
next to either.

A form opened without the script running counts for OPEN_SECONDS (a typical sitting at
the editor); once the script reports, for LAPSE_SECONDS after its last report, so a closed
tab leaves the list within a few minutes. A save that leaves the form removes the row.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import Article, ArticlePresence

OPEN_SECONDS = 20 * 60
# The script reports every HEARTBEAT_SECONDS; browsers slow a background tab's timers to one
# run a minute, so a report may come late and LAPSE_SECONDS leaves room for that.
HEARTBEAT_SECONDS = 30
LAPSE_SECONDS = 150


def arrive(article: Article, user) -> None:
    """`user` opened the article's change form."""
    _mark(article, user, OPEN_SECONDS)


def beat(article: Article, user) -> None:
    """The open form's script reports that it is still open."""
    _mark(article, user, LAPSE_SECONDS)


def leave(article: Article, user) -> None:
    ArticlePresence.objects.filter(article=article, user=user).delete()


def others(article: Article, user) -> list[ArticlePresence]:
    """Everyone else with the article open now, first arrived first."""
    return list(
        ArticlePresence.objects.filter(article=article, expires_at__gt=timezone.now())
        .exclude(user=user).select_related("user").order_by("since", "pk")
    )


def describe(present: list[ArticlePresence]) -> list[str]:
    """One line per person, in the active language: who, and since when."""
    return [_("%(name)s is also editing this article (since %(time)s).")
            % {"name": display_name(p.user), "time": moment(p.since)} for p in present]


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def moment(value: datetime.datetime) -> str:
    """A time in the newsroom's zone and the active language, with the date unless today."""
    local = timezone.localtime(value)
    if local.date() == timezone.localdate():
        return formats.time_format(local)
    return formats.date_format(local, "SHORT_DATETIME_FORMAT")


def _mark(article: Article, user, seconds: int) -> None:
    now = timezone.now()
    expires = now + datetime.timedelta(seconds=seconds)
    # Still here: keep the time of arrival. Gone meanwhile (or new): arrive now.
    if ArticlePresence.objects.filter(article=article, user=user,
                                      expires_at__gt=now).update(expires_at=expires):
        return
    ArticlePresence.objects.filter(expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            ArticlePresence.objects.update_or_create(
                article=article, user=user, defaults={"since": now, "expires_at": expires})
    except IntegrityError:
        pass  # the same person's other tab arrived at the same moment: that row will do
