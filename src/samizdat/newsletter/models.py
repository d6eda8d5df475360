"""The newsletter's data: each edition's settings, subscribers (addresses encrypted), the day's
digest as the editor arranges it, articles marked to go out as alerts, and every send with one
row per recipient, claimed and marked so a send resumes after a crash without sending twice."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samizdat.newsroom.models import Article, Edition


class EditionNewsletter(models.Model):
    """One edition's newsletter: whether readers are offered it and when the digest goes."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, related_name="newsletter",
                                   verbose_name=_("edition"))
    is_active = models.BooleanField(
        _("offer the newsletter"), default=True,
        help_text=_("Show the subscription form on this edition's pages."))
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"), default=7, validators=[MaxValueValidator(23)],
        help_text=_("The daily digest goes out at this hour (the newsroom's time zone) with "
                    "the articles published in the 24 hours before."))
    send_digest = models.BooleanField(
        _("send the daily digest"), default=True,
        help_text=_("Turn off to send no digest at all; a single day's can be held from the "
                    "digest's own page."))

    class Meta:
        verbose_name = _("newsletter settings")
        verbose_name_plural = _("newsletter settings")

    def __str__(self):
        return str(self.edition)


class Subscriber(models.Model):
    """A reader's address for one edition, stored encrypted; found by its keyed hash."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="subscribers",
                                verbose_name=_("edition"))
    address_hash = models.CharField(_("address hash"), max_length=64, editable=False)
    address_encrypted = models.TextField(_("encrypted address"), editable=False)
    digest = models.BooleanField(_("daily digest"), default=False)
    alerts = models.BooleanField(_("breaking alerts"), default=False)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    bounces = models.PositiveSmallIntegerField(
        _("refusals"), default=0,
        help_text=_("Messages the mail server refused for this address; past the limit "
                    "(SAMIZDAT_NEWSLETTER_MAX_BOUNCES) nothing more is sent to it."))

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(fields=["edition", "address_hash"],
                                    name="newsletter_subscriber_unique_address"),
        ]
        indexes = [models.Index(fields=["edition", "confirmed_at"],
                                name="newsletter_subscriber_list")]

    def __str__(self):
        # Never the address: this string reaches logs, the audit log and admin messages.
        return _("Subscriber %(id)s") % {"id": self.pk}

    @property
    def address(self) -> str:
        from .crypto import decrypt

        return decrypt(self.address_encrypted)


class ArticleAlert(models.Model):
    """An editor's mark that an article goes to the alert subscribers as soon as it is
    published (at once, when it already is)."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="email_alert",
                                   verbose_name=_("article"))
    send_alert = models.BooleanField(
        _("send as an email alert"), default=False,
        help_text=_("Mailed to the edition's alert subscribers when published (at once if "
                    "it already is). An alert goes once per article."))

    class Meta:
        verbose_name = _("email alert")
        verbose_name_plural = _("email alerts")

    def __str__(self):
        return str(self.article)


class Digest(models.Model):
    """One edition's digest of one day: the articles, in the order the editor left them."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="digests",
                                verbose_name=_("edition"))
    day = models.DateField(_("day"))
    send_at = models.DateTimeField(_("goes out at"))
    hold = models.BooleanField(
        _("hold"), default=False,
        help_text=_("Do not send this day's digest."))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-day", "edition"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["edition", "day"], name="newsletter_digest_unique_day"),
        ]

    def __str__(self):
        return f"{self.edition.language} {self.day.isoformat()}"


class DigestItem(models.Model):
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("article"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    included = models.BooleanField(_("include"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")
        constraints = [
            models.UniqueConstraint(fields=["digest", "article"],
                                    name="newsletter_digest_item_unique"),
        ]

    def __str__(self):
        return str(self.article_id)


class Send(models.Model):
    """One mailing: a digest or an alert to the subscribers of its list."""

    class Kind(models.TextChoices):
        DIGEST = "digest", _("Daily digest")
        ALERT = "alert", _("Alert")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("edition"))
    digest = models.OneToOneField(Digest, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="send")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", verbose_name=_("article"))
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    prepared_at = models.DateTimeField(_("recipients listed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("refused"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        constraints = [
            # An alert goes once per article, whatever path asked for it how often.
            models.UniqueConstraint(fields=["article"], condition=Q(kind="alert"),
                                    name="newsletter_send_one_alert"),
        ]
        indexes = [models.Index(fields=["finished_at"], name="newsletter_send_open")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.edition.language} #{self.pk}"


class Delivery(models.Model):
    """One recipient of one send. A task claims a batch of pending rows; each row is marked
    sent just before its message goes, so a task run again after its worker died resumes
    with the rows not marked and sends nobody twice."""

    class State(models.IntegerChoices):
        PENDING = 0, _("waiting")
        SENT = 1, _("sent")
        REFUSED = 2, _("refused")

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="deliveries")
    # Unsubscribing deletes the subscriber and with it what is still to be sent to them.
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["send", "subscriber"],
                                    name="newsletter_delivery_unique"),
        ]
        indexes = [models.Index(fields=["send", "state", "id"], name="newsletter_delivery_todo")]

    def __str__(self):
        return f"{self.send_id}:{self.subscriber_id}"

