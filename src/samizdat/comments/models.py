"""Reader comments, the reports readers file against them, and bans."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    APPROVED = "approved", _("Published")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")


class Comment(models.Model):
    article = models.ForeignKey("newsroom.Article", on_delete=models.CASCADE,
                                related_name="comments", verbose_name=_("article"))
    # Replies nest two levels deep at most: a reply to a reply hangs under the same thread.
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="replies", verbose_name=_("in reply to"))
    thread = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+", verbose_name=_("thread"))
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    name = models.CharField(_("name"), max_length=60)
    body = models.TextField(_("comment"))
    # Only for reply notifications, and only once its owner has followed the link we sent.
    email = models.EmailField(_("email"), blank=True)
    email_confirmed = models.BooleanField(_("email confirmed"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    # Why a comment waits (a word, links, a flood, the policy): shown to moderators.
    held_for = models.CharField(_("held because"), max_length=120, blank=True)
    # A rotating salted hash of the client's address (samizdat.clients), never the address.
    client = models.CharField(_("client"), max_length=32, db_index=True, editable=False)
    reports = models.PositiveIntegerField(_("reports"), default=0)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("moderated by"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("moderate_comment", _("Can moderate comments and ban commenters"))]
        indexes = [
            # An article's published threads, newest first, and their replies.
            models.Index(fields=["article", "status", "depth", "-id"], name="comment_threads"),
            models.Index(fields=["thread", "status", "id"], name="comment_replies"),
            # The moderation queue: reported first, then oldest waiting.
            models.Index(fields=["status", "-reports", "id"], name="comment_queue"),
            models.Index(fields=["status", "-id"], name="comment_feed"),
        ]

    def __str__(self):
        return f"{self.name}: {self.body[:60]}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"


class Report(models.Model):
    """A reader's flag on a comment; one per client and comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    client = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "client"],
                                               name="report_once_per_client")]

    def __str__(self):
        return f"report on #{self.comment_id}"


class Ban(models.Model):
    """No more comments from a client (for as long as its rotating identity lasts) or an
    email address (kept as a hash), until the ban expires."""

    client = models.CharField(_("client"), max_length=32, blank=True, db_index=True)
    email_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    name = models.CharField(_("name at the time"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    until = models.DateTimeField(_("until"))
    created_at = models.DateTimeField(_("banned"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("banned by"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        constraints = [models.CheckConstraint(condition=~Q(client="", email_hash=""),
                                              name="ban_names_someone")]

    def __str__(self):
        return self.name or self.client[:8]


class ModerationSettings(models.Model):
    """The moderators' own rules, edited in the admin (one row)."""

    hold_words = models.TextField(
        _("words that hold a comment"), blank=True,
        help_text=_("One per line. A comment containing one waits for a moderator."))
    reject_words = models.TextField(
        _("words that refuse a comment"), blank=True,
        help_text=_("One per line. A comment containing one is not accepted at all."))
    max_links = models.PositiveSmallIntegerField(
        _("links before a comment waits"), default=2,
        help_text=_("A comment with more links than this waits for a moderator."))
    reports_to_hide = models.PositiveSmallIntegerField(
        _("reports that hide a comment"), default=5,
        help_text=_("A published comment reported this many times goes back to the queue."))

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> "ModerationSettings":
        return cls.objects.first() or cls()

    def words(self, field: str) -> list[str]:
        return [w.strip().casefold() for w in getattr(self, field).splitlines() if w.strip()]
