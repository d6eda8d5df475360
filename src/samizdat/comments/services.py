"""Actions on comments: posting, moderating, reporting, banning, confirming an email.

Every write goes through here (views, the admin, the demo and the tests alike). A comment
is committed before the reader is answered: a worker that dies after the answer loses
nothing. Published comments are part of the cached article page; an action that changes
what readers see touches that article's dependency, so only its page is made again.
"""

import datetime
import hashlib
import operator
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samizdat import clients
from samizdat.newsroom.models import Article, CommentPolicy
from samizdat.newsroom.services import audit
from samizdat.site import pagecache

from . import guard, text
from .models import Ban, Comment, ModerationSettings, Report, Status

MAX_DEPTH = 2


class Refused(Exception):
    """A post that cannot be taken; `message` says why, `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400, challenge: dict | None = None):
        super().__init__(message)
        self.message, self.status, self.challenge = message, status, challenge


@dataclass
class Draft:
    name: str
    body: str
    email: str = ""
    parent_id: int | None = None
    honeypot: str = ""
    puzzle: str = ""
    answer: str = ""


# --- Policy ---------------------------------------------------------------------------------

def policy(article: Article) -> str:
    """pre, post or closed: the article's own choice, else its section's, else its edition's,
    and closed once the edition's days have passed since publication."""
    if not article.is_public:
        return CommentPolicy.CLOSED
    chosen = article.comment_policy
    if chosen == CommentPolicy.DEFAULT and article.section_id:
        chosen = article.section.comment_policy
    if chosen == CommentPolicy.DEFAULT:
        chosen = article.edition.comment_policy
    days = article.edition.comment_days
    if article.published_at < timezone.now() - datetime.timedelta(days=days):
        return CommentPolicy.CLOSED
    return chosen


def is_open(article: Article) -> bool:
    return policy(article) != CommentPolicy.CLOSED


def dependency(article_id: int) -> str:
    return f"comments:{article_id}"


def edition_dependency(edition_id: int) -> str:
    return f"comments:edition:{edition_id}"


def changed(comment: Comment) -> None:
    """What readers see of this comment's article changed: re-render its page (and feeds)."""
    article = comment.article

    def touch():
        pagecache.touch(dependency(article.pk), paths=[article.get_absolute_url()])
        pagecache.touch(edition_dependency(article.edition_id))
    transaction.on_commit(touch)


def changed_many(articles: list[Article]) -> None:
    """`changed` for the comments of many articles at once (an import): each edition's
    listings touched once, not once per article."""
    if not articles:
        return

    def touch():
        for article in articles:
            pagecache.touch(dependency(article.pk), paths=[article.get_absolute_url()])
        for edition_id in {article.edition_id for article in articles}:
            pagecache.touch(edition_dependency(edition_id))
    transaction.on_commit(touch)


def email_hash(email: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{email.strip().casefold()}".encode()
                          ).hexdigest() if email else ""


# --- Posting --------------------------------------------------------------------------------

def _validate(draft: Draft, article: Article) -> tuple[str, str, Comment | None]:
    errors = {}
    name = text.clean(draft.name, single_line=True)
    body = text.clean(draft.body)
    if not name:
        errors["name"] = _("Write your name (any name you like).")
    elif len(name) > 60:
        errors["name"] = _("A name may have at most 60 characters.")
    if len(body) < 2:
        errors["body"] = _("Write your comment.")
    elif len(body) > settings.COMMENTS_MAX_LENGTH:
        errors["body"] = _("A comment may have at most %(n)s characters; this one has %(m)s."
                           ) % {"n": settings.COMMENTS_MAX_LENGTH, "m": len(body)}
    parent = None
    if draft.parent_id:
        parent = (Comment.objects.filter(pk=draft.parent_id, article=article,
                                         status=Status.APPROVED).first())
        if parent is None:
            errors["parent"] = _("The comment you are replying to is not there any more.")
    if errors:
        raise ValidationError(errors)
    return name, body, parent


def post(article: Article, draft: Draft, client: str) -> Comment:
    """Take a reader's comment or raise Refused / ValidationError saying why not."""
    if draft.honeypot:
        raise Refused(_("This form was filled in by a program, not a person; nothing was "
                        "saved."))
    if not is_open(article):
        raise Refused(_("Comments on this article are closed."), status=403)
    email = draft.email.strip()
    if email:
        try:
            if len(email) > Comment._meta.get_field("email").max_length:
                raise ValidationError("too long")  # PostgreSQL would refuse it: a 500
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Enter a valid email address, or leave it "
                                              "empty.")}) from None
    now = timezone.now()
    if _banned(client, text.clean(draft.name, single_line=True), email, now):
        raise Refused(_("You cannot comment on this site for now."), status=403)
    name, body, parent = _validate(draft, article)

    shared = clients.is_shared_key(client)
    tried = clients.hit(f"comments:client:{client}")
    if tried > clients.shared_limit(settings.COMMENTS_CLIENT_HARD_LIMIT, shared):
        raise Refused(_("Too many comments from your connection; try again in %(n)s "
                        "minutes.") % {"n": clients.WINDOW // 60}, status=429)
    if (tried > clients.shared_limit(settings.COMMENTS_CLIENT_LIMIT, shared)
            and not guard.solved(client, draft.puzzle, draft.answer)):
        raise Refused(_("You have written a lot in a short time. Your browser will solve a "
                        "small puzzle to prove you are not a program; it takes a few "
                        "seconds and needs JavaScript."), status=429,
                      challenge=guard.new_challenge(client))

    rules = ModerationSettings.load()
    folded = body.casefold() + " " + name.casefold()
    if any(word in folded for word in rules.words("reject_words")):
        raise ValidationError({"body": _("Your comment contains words this site does not "
                                         "publish.")})
    if Comment.objects.filter(client=client, body=body,
                              created_at__gte=now - datetime.timedelta(hours=1)).exists():
        raise ValidationError({"body": _("You have already posted this comment.")})

    held = ""
    if policy(article) == CommentPolicy.PREMODERATED:
        held = "pre-moderation"
    elif len(text.links(body)) > rules.max_links:
        held = f"{len(text.links(body))} links"
    elif word := next((w for w in rules.words("hold_words") if w in folded), None):
        held = f"word: {word}"[:120]
    elif clients.hit(f"comments:article:{article.pk}") > settings.COMMENTS_ARTICLE_LIMIT:
        held = "many comments on this article"

    depth = min(parent.depth + 1, MAX_DEPTH) if parent else 0
    if parent and parent.depth >= MAX_DEPTH:
        parent = parent.parent  # deeper replies stay at the last level, under the same one
    comment = Comment.objects.create(
        article=article, parent=parent,
        thread_id=(parent.thread_id or parent.pk) if parent else None, depth=depth,
        name=name, body=body, email=email, client=client,
        status=Status.PENDING if held else Status.APPROVED, held_for=held,
    )
    if comment.status == Status.APPROVED:
        changed(comment)
        _notify_on_commit(comment)
    if email:
        from .tasks import send_confirmation

        transaction.on_commit(lambda: send_confirmation.enqueue(comment.pk))
    return comment


def _banned(client: str, name: str, email: str, now) -> bool:
    """Whether a ban stops this writer: by client, by email, and on a shared address (the
    onion's, samizdat.clients) by the name it writes under, never by the address itself."""
    bans = Ban.objects.filter(until__gt=now)
    by_client = bans.filter(client=client)
    if clients.is_shared_key(client):
        by_client = by_client.filter(name=name)
    return by_client.exists() or bool(
        email and bans.filter(email_hash=email_hash(email)).exists())


def _writer(comment: Comment) -> Q:
    """The comments of one writer as a ban sees them: a client's, or on a shared address
    one name's."""
    if clients.is_shared_key(comment.client):
        return Q(client=comment.client, name=comment.name)
    return Q(client=comment.client)


def _notify_on_commit(comment: Comment) -> None:
    if comment.parent_id:
        from .tasks import notify_reply

        transaction.on_commit(lambda: notify_reply.enqueue(comment.pk))


# --- Moderation -----------------------------------------------------------------------------

def moderate(comments, status: str, user) -> int:
    """Approve, reject or mark as spam; returns how many changed."""
    done = 0
    for comment in comments:
        if comment.status == status:
            continue
        was_public = comment.status == Status.APPROVED
        comment.status, comment.moderated_at, comment.moderated_by = status, timezone.now(), user
        comment.save(update_fields=["status", "moderated_at", "moderated_by"])
        audit(user, f"comment {status}", comment)
        if was_public or status == Status.APPROVED:
            changed(comment)
        if status == Status.APPROVED:
            _notify_on_commit(comment)
        done += 1
    return done


def ban(comments, user, days: int = 7, reason: str = "") -> int:
    """Ban the writers of `comments` and take all their waiting and published comments down.

    A writer is a client, except on a shared address (every onion reader without a circuit
    id arrives as one): there it is the name written under, so one reader's ban is not
    everyone's."""
    until = timezone.now() + datetime.timedelta(days=days)
    writers, hashes = {}, set()
    for comment in comments:
        shared = clients.is_shared_key(comment.client)
        writers[(comment.client, comment.name if shared else "")] = comment
        if comment.email:
            hashes.add(email_hash(comment.email))
    made = [Ban.objects.create(client=comment.client, name=comment.name, reason=reason,
                               until=until, created_by=user)
            for comment in writers.values()]
    made += [Ban.objects.create(email_hash=digest, reason=reason, until=until, created_by=user)
             for digest in hashes]
    for entry in made:
        audit(user, "ban", entry, days=days)
    if writers:
        theirs = Comment.objects.filter(
            reduce(operator.or_, (_writer(c) for c in writers.values()))
        ).exclude(status=Status.SPAM)
        moderate(list(theirs.select_related("article__edition")), Status.SPAM, user)
    return len(writers)


def report(comment: Comment, client: str) -> bool:
    """A reader's flag; enough of them send a published comment back to the queue."""
    _, created = Report.objects.get_or_create(comment=comment, client=client)
    if not created:
        return False
    Comment.objects.filter(pk=comment.pk).update(reports=F("reports") + 1)
    comment.refresh_from_db(fields=["reports"])
    if (comment.status == Status.APPROVED
            and comment.reports >= ModerationSettings.load().reports_to_hide):
        comment.status, comment.held_for = Status.PENDING, "reported by readers"
        comment.save(update_fields=["status", "held_for"])
        changed(comment)
    return True


# --- Email ----------------------------------------------------------------------------------

def confirm_email(comment_id: int) -> Comment | None:
    comment = Comment.objects.filter(pk=comment_id).exclude(email="").first()
    if comment is not None and not comment.email_confirmed:
        comment.email_confirmed = True
        comment.save(update_fields=["email_confirmed"])
    return comment


def forget_email(comment_id: int) -> Comment | None:
    """Unsubscribe: the address is erased, not just muted."""
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is not None and comment.email:
        Comment.objects.filter(email=comment.email).update(email="", email_confirmed=False)
    return comment
