"""Telegram actions: an article's change is noted in the transaction that made it, and a
delivery run by the task queue brings the channel in step (docs/telegram.md).

Exactly once per event, as far as Telegram allows: the row (`Post`) and its task are written
in the article's own transaction; a delivery claims the row, says which call it is making,
and records Telegram's answer (the message id) the moment it arrives. A rerun compares the
article with what was last posted and sends only the difference.
"""

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samizdat.newsroom.workflow import Status

from . import compose, crypto
from .client import Bot, BotAPIError, Upload
from .models import Channel, Correction, Post

logger = logging.getLogger("samizdat.telegram")

# Runs after a failure that may pass (a server error, no network) before the post is failed.
MAX_ATTEMPTS = 8
# The sweep enqueues a due delivery again when its task has not run for this long.
REENQUEUE_SECONDS = 120
PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


def claim_seconds() -> int:
    """A holder that has started no call for this long is dead: each call times out first."""
    return 4 * settings.TELEGRAM_TIMEOUT


def backoff(attempts: int) -> int:
    return min(3600, 10 * 2 ** (attempts - 1))


# --- Where to post ----------------------------------------------------------------------------

@dataclass
class Target:
    token: str
    chat_id: str


def _channel(edition_id: int) -> Channel | None:
    return Channel.objects.filter(edition_id=edition_id).first()


def configured(edition) -> bool:
    """Whether the edition posts to a channel (without decrypting the token)."""
    channel = _channel(edition.pk)
    if channel is not None and not channel.is_active:
        return False
    token = (channel and channel.token_encrypted) or settings.TELEGRAM_BOT_TOKEN
    chat = (channel and channel.chat_id) or settings.TELEGRAM_CHANNELS.get(edition.language)
    return bool(token and chat)


def target(edition) -> Target | None:
    """The token and channel of the edition: the admin's, else the environment's."""
    channel = _channel(edition.pk)
    if channel is not None and not channel.is_active:
        return None
    token = (crypto.decrypt(channel.token_encrypted) if channel and channel.token_encrypted
             else settings.TELEGRAM_BOT_TOKEN)
    chat = (channel and channel.chat_id) or settings.TELEGRAM_CHANNELS.get(edition.language)
    if not (token and chat):
        return None
    return Target(token=token, chat_id=chat)


def set_token(channel: Channel, token: str) -> None:
    """Store a bot token encrypted; only its last four characters stay readable."""
    token = token.strip()
    channel.token_encrypted = crypto.encrypt(token) if token else ""
    channel.token_hint = token[-4:] if token else ""


# --- Noting changes (inside the change's own transaction) -------------------------------------

def article_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    """post_save of Article: every path that publishes, edits or unpublishes saves the
    article inside its transaction, so the intent to post commits with the change or not
    at all."""
    if raw:
        return
    post = Post.objects.filter(article_id=instance.pk).first()
    if post is None:
        # Only a publication starts a post (`_loaded_status` is the status before this save):
        # editing an article published before the channel was set posts nothing.
        became_public = (instance.status == Status.PUBLISHED
                         and getattr(instance, "_loaded_status", None) != Status.PUBLISHED)
        if not became_public or not configured(instance.edition):
            return
        post = Post.objects.create(article=instance)
    elif post.message_id is None and instance.status != Status.PUBLISHED and not post.claim:
        return  # nothing in the channel, nothing to put there, no call on its way
    mark_due(post)


def mark_due(post: Post) -> None:
    """Ask for a delivery: bump the version and enqueue the task, in the caller's
    transaction. A wait Telegram asked for (429) is kept."""
    now = timezone.now()
    waiting = post.state == Post.State.RETRYING and post.due_at and post.due_at > now
    due = post.due_at if waiting else now
    changes = {"version": F("version") + 1, "due_at": due, "enqueued_at": due}
    if not waiting:
        changes["attempts"] = 0
    if post.state == Post.State.FAILED:
        changes["state"] = Post.State.PENDING
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(**changes)
        _enqueue(post.article_id, due)


def _enqueue(article_id: int, when: datetime.datetime) -> None:
    from django_tasks_db import DatabaseBackend

    from .tasks import deliver

    task = deliver.using(run_after=when) if when > timezone.now() else deliver
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(article_id)  # a row in this same transaction
    else:
        transaction.on_commit(lambda: task.enqueue(article_id))


def add_correction(post: Post, text: str, user=None) -> Correction:
    """A correction to send as a reply to the article's message."""
    with transaction.atomic():
        correction = Correction.objects.create(post=post, text=text.strip(),
                                               created_by=user if user and user.pk else None)
        mark_due(post)
    return correction


def retry(post: Post) -> None:
    """Try again now (after the token or the bot's rights were fixed)."""
    post.refresh_from_db()
    if post.state == Post.State.RETRYING:
        post.state = Post.State.PENDING
        post.due_at = None
    mark_due(post)


def sweep(now: datetime.datetime | None = None) -> list[int]:
    """Run by the worker every few seconds: enqueue due deliveries whose task is missing
    (a task backend that enqueues after the commit, a task given up on)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=REENQUEUE_SECONDS)
    due = Post.objects.filter(due_at__lte=now).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=cutoff))
    done = []
    for pk, article_id in due.values_list("pk", "article_id")[:100]:
        with transaction.atomic():
            Post.objects.filter(pk=pk).update(enqueued_at=now)
            _enqueue(article_id, now)
        done.append(article_id)
    return done


# --- Delivering (the task) --------------------------------------------------------------------

def deliver(article_id: int) -> str:
    outcome = "nothing due"
    # Errors and notes for the admin are written in the newsroom's first language, whatever
    # the worker's thread last used.
    with translation.override(settings.LANGUAGE_CODE):
        for _round in range(5):  # again while changes arrive during the calls
            outcome, again = _deliver_once(article_id)
            if not again:
                break
    return outcome


def _deliver_once(article_id: int) -> tuple[str, bool]:
    now = timezone.now()
    post = Post.objects.filter(article_id=article_id).first()
    if post is None:
        return "no delivery", False
    if post.due_at is None or post.due_at > now:
        return "nothing due", False
    claim = secrets.token_hex(8)
    stale = now - datetime.timedelta(seconds=claim_seconds())
    taken = Post.objects.filter(pk=post.pk).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)).update(claim=claim, claimed_at=now)
    if not taken:
        # Another worker is on it. Should it have died, this runs when its claim is stale.
        post.refresh_from_db()
        if post.claimed_at:
            later = post.claimed_at + datetime.timedelta(seconds=claim_seconds() + 1)
            with transaction.atomic():
                Post.objects.filter(pk=post.pk).update(enqueued_at=later)
                _enqueue(article_id, later)
        return "busy", False
    post.refresh_from_db()
    delivery = Delivery(post, claim)
    try:
        outcome = delivery.run()
    except BotAPIError as error:
        outcome = delivery.failed(error)
    except ImproperlyConfigured as error:
        outcome = delivery.failed(BotAPIError("configuration", 0, str(error)), explained=str(error))
    finally:
        Post.objects.filter(pk=post.pk, claim=claim).update(claim="", claimed_at=None,
                                                           in_flight="")
    post.refresh_from_db()
    again = (post.due_at is not None and post.due_at <= timezone.now()
             and post.version > post.synced_version)
    return outcome, again


class Delivery:
    """One claimed pass over a post: send, edit or delete, then the pending corrections."""

    def __init__(self, post: Post, claim: str):
        self.post = post
        self.claim = claim
        self.version = post.version
        # A call a dead holder left unfinished: its effect on Telegram is unknown.
        self.interrupted = post.in_flight
        self._bot = None

    def run(self) -> str:
        from samizdat.newsroom.models import Article

        post = self.post
        article = Article.objects.select_related("edition", "hero_photo").get(pk=post.article_id)
        self.article = article
        wanted = article.status == Status.PUBLISHED and post.mode != Post.Mode.SKIP
        if wanted and post.message_id is None:
            outcome = self.send()
        elif wanted:
            outcome = self.edit()
        elif post.message_id is not None:
            outcome = self.delete()
        else:
            self._update(state=Post.State.SKIPPED if post.mode == Post.Mode.SKIP
                         or post.state == Post.State.PENDING else post.state)
            if self.interrupted == "send":
                self._update(note=_(
                    "An earlier attempt stopped while sending (its worker ended): the channel "
                    "may hold a post of this article that was never recorded; delete it there "
                    "by hand."))
            outcome = "not posted"
        if post.message_id is not None:
            self.replies()
        self._done()
        return outcome

    # --- the calls ---

    def bot(self) -> tuple[Bot, Target] | None:
        if self._bot is None:
            found = target(self.article.edition)
            if found is None:
                return None
            self._bot = (Bot(found.token, settings.TELEGRAM_API_URL,
                             timeout=settings.TELEGRAM_TIMEOUT), found)
        return self._bot

    def _call(self, what: str, method: str, params: dict, files=None) -> dict:
        bot, _target = self.bot()
        # Said before the call: a holder that dies during it leaves this for the next one.
        Post.objects.filter(pk=self.post.pk, claim=self.claim).update(
            in_flight=what, claimed_at=timezone.now())
        return bot.call(method, params, files)

    def _common(self, chat_id: str) -> dict:
        params = {"chat_id": chat_id, "parse_mode": "HTML"}
        if self.post.mode == Post.Mode.SILENT:
            params["disable_notification"] = True
        return params

    def send(self) -> str:
        post = self.post
        found = self.bot()
        if found is None:
            self._update(state=Post.State.SKIPPED,
                         note=_("No Telegram channel is set for this edition."))
            return "no channel"
        _bot, where = found
        message = compose.compose(self.article)
        note = ""
        if self.interrupted == "send":
            note = _("An earlier attempt stopped while sending (its worker ended) and this "
                     "post was sent again: check the channel for a second copy.")
        params = self._common(where.chat_id)
        upload = self._photo(message)
        if upload is not None:
            try:
                result = self._call("send", "sendPhoto", {**params, "caption": message.text},
                                    {"photo": upload})
            except BotAPIError as error:
                if "caption is too long" not in error.description.lower():
                    raise
                # Telegram counted differently from us: the headline and links alone.
                message = compose.compose(self.article, kind="photo", with_lead=False)
                result = self._call("send", "sendPhoto", {**params, "caption": message.text},
                                    {"photo": upload})
        else:
            message = compose.compose(self.article, kind="text")
            result = self._call("send", "sendMessage", {
                **params, "text": message.text, "link_preview_options": {"is_disabled": True}})
        # Recorded the moment Telegram answers, whoever holds the claim now: the message
        # exists, and a rerun must edit it, not post another.
        now = timezone.now()
        Post.objects.filter(pk=post.pk).update(
            message_id=result["message_id"], chat_id=where.chat_id, kind=message.kind,
            photo=message.photo or "", posted_digest=message.digest, posted_at=now,
            state=Post.State.POSTED, in_flight="", note=note, error="", error_code=None)
        post.refresh_from_db()
        return "posted"

    def _photo(self, message) -> Upload | None:
        if not message.photo:
            return None
        try:
            with default_storage.open(message.photo, "rb") as stored:
                data = stored.read()
        except OSError:
            logger.warning("Article %s: rendition %s is missing; posting text only",
                           self.post.article_id, message.photo)
            return None
        extension = message.photo.rsplit(".", 1)[-1].lower()
        return Upload(f"photo.{extension}", data, PHOTO_TYPES.get(extension, "image/jpeg"))

    def edit(self) -> str:
        post = self.post
        message = compose.compose(self.article, kind=post.kind or "text")
        if message.digest == post.posted_digest:
            return "up to date"
        if self.bot() is None:
            return "no channel"
        ids = {"chat_id": post.chat_id, "message_id": post.message_id, "parse_mode": "HTML"}
        try:
            if post.kind == "photo" and message.photo and message.photo != post.photo \
                    and (upload := self._photo(message)) is not None:
                self._call("edit", "editMessageMedia", {
                    "chat_id": post.chat_id, "message_id": post.message_id,
                    "media": {"type": "photo", "media": "attach://photo",
                              "caption": message.text, "parse_mode": "HTML"}},
                    {"photo": upload})
            elif post.kind == "photo":
                self._call("edit", "editMessageCaption", {**ids, "caption": message.text})
            else:
                self._call("edit", "editMessageText", {
                    **ids, "text": message.text, "link_preview_options": {"is_disabled": True}})
        except BotAPIError as error:
            text = error.description.lower()
            if "message is not modified" in text:
                pass  # an earlier run's edit arrived; its record did not
            elif "message to edit not found" in text:
                # Deleted in the channel by hand: the newsroom chose to remove it.
                self._update(message_id=None, state=Post.State.REMOVED, mode=Post.Mode.SKIP,
                             posted_digest="", note=_(
                                 "The message was deleted in the channel; the article is set "
                                 "to “Do not post” so it is not posted again."))
                return "deleted by hand"
            else:
                raise
        self._update(posted_digest=message.digest, photo=message.photo or post.photo,
                     edited_at=timezone.now(), state=Post.State.POSTED, in_flight="")
        return "edited"

    def delete(self) -> str:
        post = self.post
        if self.bot() is None:
            return "no channel"
        try:
            self._call("delete", "deleteMessage",
                       {"chat_id": post.chat_id, "message_id": post.message_id})
        except BotAPIError as error:
            if "message to delete not found" not in error.description.lower():
                raise
        self._update(message_id=None, posted_digest="", photo="", state=Post.State.REMOVED,
                     in_flight="")
        return "deleted"

    def replies(self) -> None:
        post = self.post
        pending = list(post.corrections.filter(message_id__isnull=True, error=""))
        if not pending or self.bot() is None:
            return
        for correction in pending:
            what = f"reply:{correction.pk}"
            result = self._call(what, "sendMessage", {
                **self._common(post.chat_id), "text": compose.correction(correction.text),
                "reply_parameters": {"message_id": post.message_id,
                                     "allow_sending_without_reply": True},
                "link_preview_options": {"is_disabled": True}})
            Correction.objects.filter(pk=correction.pk).update(
                message_id=result["message_id"], sent_at=timezone.now())

    # --- the record ---

    def _update(self, **fields) -> None:
        Post.objects.filter(pk=self.post.pk).update(**fields)
        for name, value in fields.items():
            setattr(self.post, name, value)

    def _done(self) -> None:
        Post.objects.filter(pk=self.post.pk).update(
            synced_version=self.version, attempts=0, error="", error_code=None)
        # Not if the article changed meanwhile: that change is still due.
        Post.objects.filter(pk=self.post.pk, version=self.version).update(due_at=None)

    def failed(self, error: BotAPIError, explained: str = "") -> str:
        post = self.post
        now = timezone.now()
        chat_id = self._bot[1].chat_id if self._bot else post.chat_id
        fields = {"error": explained or explain(error, chat_id), "error_code": error.code,
                  "error_at": now}
        due = None
        if error.code == 429:
            due = now + datetime.timedelta(seconds=max(1, int(error.retry_after or 5)))
            fields["state"] = Post.State.RETRYING
        elif error.permanent or explained:
            fields["state"] = Post.State.FAILED
            fields["synced_version"] = self.version
        else:
            attempts = post.attempts + 1
            fields["attempts"] = attempts
            if attempts >= MAX_ATTEMPTS:
                fields["state"] = Post.State.FAILED
                fields["synced_version"] = self.version
            else:
                due = now + datetime.timedelta(seconds=backoff(attempts))
                fields["state"] = Post.State.RETRYING
        logger.warning("Telegram delivery of article %s: %s", post.article_id, error)
        with transaction.atomic():
            Post.objects.filter(pk=post.pk).update(**fields)
            if due is not None:
                Post.objects.filter(pk=post.pk).update(due_at=due, enqueued_at=due)
                _enqueue(post.article_id, due)
            else:
                # Given up on: no more runs, unless the article changed meanwhile.
                Post.objects.filter(pk=post.pk, version=self.version).update(due_at=None)
        return "failed" if due is None else "will retry"


def explain(error: BotAPIError, chat_id: str) -> str:
    """What went wrong, said so that the person reading the admin knows what to fix."""
    description = error.description
    if error.code == 401:
        return _("Telegram does not accept the bot token (401 %(description)s). Check "
                 "SAMIZDAT_TELEGRAM_BOT_TOKEN or the token under Telegram channels, then "
                 "choose “Try again now”.") % {"description": description}
    if error.code == 403:
        return _("The bot may not post to the channel (403: %(description)s). Add the bot "
                 "to the channel as an administrator allowed to post, then choose “Try "
                 "again now”.") % {"description": description}
    if error.code == 400 and "chat not found" in description.lower():
        return _("Telegram does not know the channel %(chat)s (400: chat not found). Check "
                 "SAMIZDAT_TELEGRAM_CHANNEL_<LANG> or the channel under Telegram channels.") % {
                     "chat": chat_id or "?"}
    if error.code == 400 and "can't be deleted" in description.lower():
        return _("Telegram lets a bot delete its messages only for 48 hours after posting "
                 "(400: %(description)s). Delete the message in the channel by hand.") % {
                     "description": description}
    if error.code == 429:
        return _("Telegram asked to wait %(seconds)s s before the next message (429: too many "
                 "requests); it will be sent then.") % {"seconds": error.retry_after or "?"}
    if error.code is None:
        return _("Telegram could not be reached (%(description)s); trying again later.") % {
            "description": description}
    return _("Telegram refused %(method)s (%(code)s: %(description)s).") % {
        "method": error.method, "code": error.code, "description": description}
