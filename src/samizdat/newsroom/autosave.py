"""Autosaved text of unpublished articles: the change form's work kept per staff member.

The change form's script (newsroom/static/newsroom/autosave.js) sends the headline, lead and
body every EVERY_SECONDS while they differ from what was last kept. They go to an `Autosave`
row of that person and article, never to the article: no revision, no audit entry, no page
changes, so an article edited for an hour is not an hour of revisions. Reopening the form
offers the text back when it differs from the article's.

The edit-conflict protection (services.find_conflict) stays whole: each row remembers the
revision its form was opened at, and a restored text is saved against that revision. If
someone else saved since, the save is refused with their changes shown, as for any form
opened before their save.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .html import sanitize_html
from .models import Article, Autosave
from .workflow import Status

EVERY_SECONDS = 20
MAX_CHARS = 1_000_000  # a long read is a tenth of it; anything bigger is not typed text


def keep(article: Article, user, *, headline: str, lead: str, body: str,
         based_on: int) -> Autosave:
    """Keep `user`'s text of `article` as their form holds it."""
    if not services.can_edit(user, article):
        raise PermissionDenied(_("You may not edit this article."))
    if article.status == Status.PUBLISHED:
        raise ValidationError(_("A published article is not autosaved: save your changes."))
    if max(len(headline), len(lead), len(body)) > MAX_CHARS:
        raise ValidationError(_("The text is too long to autosave."))
    if based_on and not article.revisions.filter(pk=based_on).exists():
        raise ValidationError(_("The form was not opened at a version of this article."))
    row, _created = Autosave.objects.update_or_create(
        article=article, user=user,
        defaults={"headline": headline[:Autosave._meta.get_field("headline").max_length],
                  "lead": lead, "body": sanitize_html(body), "based_on": based_on,
                  "saved_at": timezone.now()})
    return row


def pending(article: Article, user) -> Autosave | None:
    """`user`'s autosaved text of `article`, when there is one to offer: the article is not
    published and the text differs from the article's."""
    if article.status == Status.PUBLISHED:
        return None
    row = Autosave.objects.filter(article=article, user=user).first()
    if row is None or (row.headline, row.lead, row.body) == (
            article.headline, article.lead, article.body):
        return None
    return row


def discard(article: Article, user) -> None:
    """`user` saved the article, or chose not to restore: nothing left to offer."""
    Autosave.objects.filter(article=article, user=user).delete()
