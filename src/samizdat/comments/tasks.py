"""Mail to commenters, sent by the task queue's worker (never while a reader waits).

A task may run twice (its worker was killed and another ran it again): `once` lets one event
send at most one email.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from samizdat.newsroom.worker import once

from .models import Comment, Status
from .tokens import email_token


def _absolute(comment: Comment, name: str, **kwargs) -> str:
    with override(comment.article.edition.language):
        return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


@task()
def send_confirmation(comment_id: int) -> bool:
    """Ask the owner of the address to confirm it before we ever write to it again."""
    comment = (Comment.objects.select_related("article__edition")
               .filter(pk=comment_id).exclude(email="").first())
    if comment is None or comment.email_confirmed:
        return False
    if not once(f"comments.confirm:{comment.pk}"):
        return False
    edition = comment.article.edition
    with override(edition.language):
        link = _absolute(comment, "comments:confirm", token=email_token(comment, "confirm"))
        send_mail(
            _("Confirm your email address for replies on %(site)s") % {"site": edition.site_name},
            _("You left a comment on “%(headline)s” and gave this address for replies.\n\n"
              "To get an email when someone replies, open this link within 7 days:\n%(link)s\n\n"
              "If it was not you, do nothing: we will not write again.")
            % {"headline": comment.article.headline, "link": link},
            None, [comment.email])
    return True


@task()
def notify_reply(reply_id: int) -> bool:
    """Tell the writer of the comment replied to, if they confirmed their address."""
    reply = (Comment.objects.select_related("parent__article__edition", "article__edition")
             .filter(pk=reply_id, status=Status.APPROVED).first())
    parent = reply.parent if reply else None
    if parent is None or not parent.email or not parent.email_confirmed:
        return False
    if parent.email == reply.email:
        return False  # replying to oneself
    if not once(f"comments.reply:{reply.pk}"):
        return False
    edition = parent.article.edition
    with override(edition.language):
        link = settings.SITE_URL.rstrip("/") + reply.get_absolute_url()
        stop = _absolute(parent, "comments:unsubscribe",
                         token=email_token(parent, "unsubscribe"))
        send_mail(
            _("%(name)s replied to your comment on %(site)s")
            % {"name": reply.name, "site": edition.site_name},
            _("%(name)s replied to your comment on “%(headline)s”:\n\n%(body)s\n\n"
              "Read the conversation: %(link)s\n\n"
              "No more emails from us, and your address erased: %(stop)s")
            % {"name": reply.name, "headline": parent.article.headline,
               "body": reply.body[:2000], "link": link, "stop": stop},
            None, [parent.email])
    return True
