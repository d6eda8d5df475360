"""Telegram channels of the editions, and what each article has (or should have) there."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    """An edition's channel as set in the admin; without one, the environment's settings
    (SAMIZDAT_TELEGRAM_BOT_TOKEN, SAMIZDAT_TELEGRAM_CHANNEL_<LANG>) apply."""

    edition = models.OneToOneField("newsroom.Edition", on_delete=models.CASCADE,
                                   related_name="+", verbose_name=_("edition"))
    chat_id = models.CharField(
        _("channel"), max_length=100, blank=True,
        help_text=_("@name of a public channel or the numeric id of a private one "
                    "(-100…). Empty: SAMIZDAT_TELEGRAM_CHANNEL_<LANG> from the environment."))
    # The bot token, encrypted (telegram/crypto.py); its last four characters apart, so the
    # admin can say which token is stored without decrypting it.
    token_encrypted = models.TextField(blank=True, editable=False)
    token_hint = models.CharField(max_length=4, blank=True, editable=False)
    is_active = models.BooleanField(
        _("post to this channel"), default=True,
        help_text=_("Off: nothing of this edition goes to Telegram, whatever the environment "
                    "says."))

    class Meta:
        verbose_name = _("Telegram channel")
        verbose_name_plural = _("Telegram channels")

    def __str__(self):
        return f"{self.edition}: {self.chat_id or '—'}"


class Post(models.Model):
    """An article's message in its edition's channel: the editor's choice, what Telegram
    holds, and whether the two still differ (`version` > `synced_version`)."""

    class Mode(models.TextChoices):
        POST = "post", _("Post")
        SILENT = "silent", _("Post silently (no notification)")
        SKIP = "skip", _("Do not post")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        POSTED = "posted", _("Posted")
        RETRYING = "retrying", _("Will try again")
        FAILED = "failed", _("Failed")
        REMOVED = "removed", _("Deleted from the channel")
        SKIPPED = "skipped", _("Not posted")

    article = models.OneToOneField("newsroom.Article", on_delete=models.CASCADE,
                                   related_name="telegram_post", verbose_name=_("article"))
    mode = models.CharField(_("Telegram"), max_length=8, choices=Mode.choices,
                            default=Mode.POST)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.PENDING, editable=False)

    # What Telegram holds: where, which message, what kind (photo or text), a digest of
    # what it shows (an edit is sent when the article's digest differs).
    chat_id = models.CharField(_("channel"), max_length=100, blank=True, editable=False)
    message_id = models.BigIntegerField(_("message"), null=True, blank=True, editable=False)
    kind = models.CharField(max_length=8, blank=True, editable=False)
    photo = models.CharField(max_length=200, blank=True, editable=False)
    posted_digest = models.CharField(max_length=64, blank=True, editable=False)
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True, editable=False)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)

    # Every change of the article bumps `version` in the transaction that changed it;
    # a delivery that brought Telegram up to date records the version it saw.
    version = models.PositiveIntegerField(default=0, editable=False)
    synced_version = models.PositiveIntegerField(default=0, editable=False)
    due_at = models.DateTimeField(_("next attempt"), null=True, blank=True, editable=False)
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    # A delivery in progress: who holds it, since when, and which call is on its way (a
    # holder that died mid-call leaves this behind for the next one to read).
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    in_flight = models.CharField(max_length=24, blank=True, editable=False)

    error = models.TextField(_("error"), blank=True, editable=False)
    error_code = models.IntegerField(_("error code"), null=True, blank=True, editable=False)
    error_at = models.DateTimeField(_("error time"), null=True, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("Telegram delivery")
        verbose_name_plural = _("Telegram deliveries")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["due_at"], name="telegram_post_due")]

    def __str__(self):
        return str(self.article)

    def get_absolute_url(self):
        """The message in a public channel (t.me/name/id); None for a private one."""
        if self.message_id and self.chat_id.startswith("@"):
            return f"https://t.me/{self.chat_id[1:]}/{self.message_id}"
        return None


class Correction(models.Model):
    """A correction sent as a reply to the article's message."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="corrections",
                             verbose_name=_("Telegram delivery"))
    text = models.TextField(_("correction"), max_length=4000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+", editable=False)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    message_id = models.BigIntegerField(_("message"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:60]
