"""Newsletter actions: subscribing, confirming, unsubscribing, the day's digest, alerts and
the sending of a mailing in batches (docs/newsletter.md).

Addresses never leave this module but encrypted (crypto.py), in a message to their owner, or
in an export an administrator asked for; no log line, task argument or audit entry holds one.
"""

import datetime
import logging
import re
import smtplib
import time
from email import message_from_bytes
from email import policy as email_policy

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from samizdat.newsroom.models import Article, Edition
from samizdat.newsroom.workflow import Status

from . import crypto, mail
from .models import (
    ArticleAlert,
    Delivery,
    Digest,
    DigestItem,
    EditionNewsletter,
    Send,
    Subscriber,
)

logger = logging.getLogger("samizdat.newsletter")

CONFIRM_SALT = "samizdat.newsletter.confirm"
UNSUBSCRIBE_SALT = "samizdat.newsletter.unsubscribe"
CONFIRM_DAYS = 7
# One confirmation email per address in this long, whoever asks: the form cannot be used to
# flood someone's mailbox.
CONFIRMATION_INTERVAL = datetime.timedelta(minutes=15)
# A digest not sent within this long after its hour (the workers were down) is not sent.
DIGEST_GRACE = datetime.timedelta(hours=6)
# A 4xx (try later) answer for one recipient: tried again up to this many times.
MAX_ATTEMPTS = 3


# --- Offer ------------------------------------------------------------------------------------

def settings_for(edition: Edition) -> EditionNewsletter:
    found = EditionNewsletter.objects.filter(edition=edition).first()
    return found or EditionNewsletter(edition=edition)


def offered(edition: Edition) -> bool:
    """Whether the edition's pages show the subscription form."""
    return crypto.configured() and settings_for(edition).is_active


# --- Subscribing ------------------------------------------------------------------------------

def clean_address(value: str) -> str:
    """A deliverable address in ASCII (an international domain in its IDNA form), or
    ValidationError with a message for the reader."""
    address = value.strip()
    local, _at, domain = address.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValidationError(_("Enter a valid email address.")) from None
    address = f"{local}@{domain}"
    if len(address) > 254 or not local.isascii():
        raise ValidationError(_("Enter a valid email address."))
    validate_email(address)
    return address


def subscribe(edition: Edition, address: str, digest: bool, alerts: bool) -> None:
    """Ask the owner of `address` to confirm. Whether the address was known, confirmed or
    new, the answer is the same, so the form tells nobody who is subscribed."""
    if not (digest or alerts):
        raise ValidationError(_("Choose the daily digest, alerts or both."))
    address = clean_address(address)
    lookup = crypto.lookup_hash(address)
    with transaction.atomic():
        subscriber = (Subscriber.objects.select_for_update()
                      .filter(edition=edition, address_hash=lookup).first())
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        edition=edition, address_hash=lookup,
                        address_encrypted=crypto.encrypt(address), digest=digest, alerts=alerts)
            except IntegrityError:  # the same address, a moment ago
                return
        now = timezone.now()
        if (subscriber.confirmation_sent_at
                and now - subscriber.confirmation_sent_at < CONFIRMATION_INTERVAL):
            return
        subscriber.confirmation_sent_at = now
        subscriber.save(update_fields=["confirmation_sent_at"])
    from .tasks import send_confirmation

    transaction.on_commit(lambda: send_confirmation.enqueue(
        subscriber.pk, digest, alerts, now.isoformat()))


def confirm_token(subscriber: Subscriber, digest: bool, alerts: bool) -> str:
    return signing.dumps({"s": subscriber.pk, "h": subscriber.address_hash[:16],
                          "d": int(digest), "a": int(alerts)}, salt=CONFIRM_SALT, compress=True)


def _confirmed_request(token: str) -> tuple[Subscriber, bool, bool] | None:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=86400 * CONFIRM_DAYS)
    except signing.BadSignature:
        return None
    subscriber = Subscriber.objects.select_related("edition").filter(pk=data.get("s")).first()
    if subscriber is None or not constant_time_compare(subscriber.address_hash[:16],
                                                       data.get("h", "")):
        return None
    return subscriber, bool(data.get("d")), bool(data.get("a"))


def check_confirmation(token: str) -> Subscriber | None:
    found = _confirmed_request(token)
    return found[0] if found else None


def confirm(token: str) -> Subscriber | None:
    """Apply the choice the link was sent for; None for a bad, expired or spent link."""
    found = _confirmed_request(token)
    if found is None:
        return None
    subscriber, digest, alerts = found
    subscriber.digest, subscriber.alerts = digest, alerts
    subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
    subscriber.bounces = 0
    subscriber.save(update_fields=["digest", "alerts", "confirmed_at", "bounces"])
    return subscriber


def unsubscribe_token(subscriber_id: int, address_hash: str) -> str:
    mac = salted_hmac(UNSUBSCRIBE_SALT, f"{subscriber_id}:{address_hash}",
                      algorithm="sha256").hexdigest()[:32]
    return f"{subscriber_id}-{mac}"


def subscriber_for_unsubscribe(token: str) -> Subscriber | None:
    pk, _dash, mac = token.partition("-")
    if not (pk.isascii() and pk.isdigit() and len(pk) < 12 and len(mac) == 32):
        return None
    subscriber = Subscriber.objects.select_related("edition").filter(pk=int(pk)).first()
    if subscriber is None:
        return None
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    for secret in secrets:
        expected = salted_hmac(UNSUBSCRIBE_SALT, f"{subscriber.pk}:{subscriber.address_hash}",
                               secret=secret, algorithm="sha256").hexdigest()[:32]
        if constant_time_compare(expected, mac):
            return subscriber
    return None


def unsubscribe(token: str) -> bool:
    """Delete the subscriber (and what was still to be sent to them). True when one went."""
    subscriber = subscriber_for_unsubscribe(token)
    if subscriber is None:
        return False
    subscriber.delete()
    return True


def forget_unconfirmed(now: datetime.datetime | None = None) -> int:
    """Addresses never confirmed are not kept past the life of their link."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=CONFIRM_DAYS)
    deleted, _by_model = Subscriber.objects.filter(confirmed_at__isnull=True,
                                                   created_at__lt=cutoff).delete()
    return deleted


# --- The day's digest -------------------------------------------------------------------------

def digest_time(edition_settings: EditionNewsletter, day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(
        day, datetime.time(edition_settings.digest_hour)))


def digest_for(edition: Edition, day: datetime.date | None = None) -> Digest:
    """The edition's digest of `day` (today), with every article published in the 24 hours
    before its hour added at the end of the editor's order."""
    day = day or timezone.localdate()
    send_at = digest_time(settings_for(edition), day)
    digest, _created = Digest.objects.get_or_create(edition=edition, day=day,
                                                    defaults={"send_at": send_at})
    if digest.sent_at is None:
        if digest.send_at != send_at:  # the hour was changed in the settings
            digest.send_at = send_at
            digest.save(update_fields=["send_at"])
        known = set(digest.items.values_list("article_id", flat=True))
        last = max(digest.items.values_list("position", flat=True), default=-1)
        published = (Article.objects.published()
                     .filter(edition=edition, published_at__gte=send_at - datetime.timedelta(1),
                             published_at__lt=send_at)
                     .order_by("-is_featured", "-published_at").values_list("pk", flat=True))
        new = [pk for pk in published if pk not in known]
        DigestItem.objects.bulk_create(
            [DigestItem(digest=digest, article_id=pk, position=last + 1 + n)
             for n, pk in enumerate(new)], ignore_conflicts=True)
    return digest


def digest_articles(digest: Digest) -> list[Article]:
    items = (digest.items.filter(included=True, article__status=Status.PUBLISHED)
             .select_related("article__edition", "article__section").order_by("position", "id"))
    return [item.article for item in items]


def send_due_digests(now: datetime.datetime | None = None) -> list[int]:
    """Start every digest whose hour has come (the worker's sweep calls this); ids of the
    mailings started."""
    now = now or timezone.now()
    started = []
    if not crypto.configured():
        return started
    for edition_settings in (EditionNewsletter.objects.filter(send_digest=True)
                             .select_related("edition")):
        day = timezone.localtime(now).date()
        send_at = digest_time(edition_settings, day)
        if not send_at <= now < send_at + DIGEST_GRACE:
            continue
        if Digest.objects.filter(edition=edition_settings.edition, day=day).filter(
                Q(sent_at__isnull=False) | Q(hold=True)).exists():
            continue
        with transaction.atomic():
            digest = digest_for(edition_settings.edition, day)
            digest = Digest.objects.select_for_update().get(pk=digest.pk)
            if digest.sent_at or digest.hold:
                continue
            digest.sent_at = now
            digest.save(update_fields=["sent_at"])
            if not digest_articles(digest):
                continue  # a day without news: no email
            send = Send.objects.create(kind=Send.Kind.DIGEST, edition=digest.edition,
                                       digest=digest)
        _enqueue(send)
        started.append(send.pk)
    return started


# --- Alerts -----------------------------------------------------------------------------------

def request_alert(article: Article) -> Send | None:
    """Mail a published article to its edition's alert subscribers, once per article."""
    if not crypto.configured() or article.status != Status.PUBLISHED:
        return None
    try:
        with transaction.atomic():
            send = Send.objects.create(kind=Send.Kind.ALERT, edition_id=article.edition_id,
                                       article=article)
    except IntegrityError:
        return None  # already sent or being sent
    _enqueue(send)
    return send


def on_content_changed(sender, article=None, action="", **kwargs):
    """The newsroom's announcement after a commit: a published article marked as an alert
    goes out now."""
    if article is None or action != "publish":
        return
    if ArticleAlert.objects.filter(article_id=article.pk, send_alert=True).exists():
        request_alert(article)


def on_alert_saved(sender, instance, created=False, raw=False, **kwargs):
    """An editor ticked "send as alert" on an article that is already published."""
    if raw or not instance.send_alert:
        return
    article_id = instance.article_id

    def later():
        article = Article.objects.filter(pk=article_id, status=Status.PUBLISHED).first()
        if article is not None:
            request_alert(article)

    transaction.on_commit(later)


# --- Sending ----------------------------------------------------------------------------------

def _enqueue(send: Send) -> None:
    from .tasks import deliver

    def go():
        result = deliver.enqueue(send.pk)
        Send.objects.filter(pk=send.pk).update(task_id=str(result.id))

    transaction.on_commit(go)


def prepare(send: Send) -> None:
    """List the recipients, one row each, in one statement; done once per mailing."""
    if send.prepared_at:
        return
    wanted = "digest" if send.kind == Send.Kind.DIGEST else "alerts"
    delivery, subscriber = Delivery._meta.db_table, Subscriber._meta.db_table
    with transaction.atomic():
        locked = Send.objects.select_for_update().get(pk=send.pk)
        if locked.prepared_at:
            send.prepared_at = locked.prepared_at
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {delivery} (send_id, subscriber_id, state, attempts, claimed_by) "  # noqa: S608 - table names
                f"SELECT %s, id, %s, 0, '' FROM {subscriber} WHERE edition_id = %s AND "
                f"confirmed_at IS NOT NULL AND {wanted} = %s AND bounces < %s "
                "ON CONFLICT DO NOTHING",
                [send.pk, Delivery.State.PENDING, send.edition_id, True,
                 settings.NEWSLETTER_MAX_BOUNCES])
        send.prepared_at = timezone.now()
        send.recipients = Delivery.objects.filter(send=send).count()
        Send.objects.filter(pk=send.pk).update(prepared_at=send.prepared_at,
                                               recipients=send.recipients)


def compose(send: Send) -> mail.Prepared | None:
    if send.kind == Send.Kind.DIGEST:
        articles = digest_articles(send.digest)
        day = send.digest.day
    else:
        articles = [a for a in [Article.objects.select_related("edition", "section")
                                .filter(pk=send.article_id).first()] if a]
        day = None
    if not articles:
        return None
    return mail.compose(send.edition, send.kind, articles, day)


class Stop(Exception):  # noqa: N818 - a reason to stop the run, not an error of ours
    """The mail server cannot take messages now; the mailing goes on later."""


def _claim(send: Send, claimer: str, size: int) -> list[tuple]:
    """Up to `size` rows no one else is working on: unclaimed, claimed by this run (a task
    run again after its worker died), or claimed so long ago that their worker is gone."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.TASK_WORKER_LEASE_SECONDS)
    todo = (Delivery.objects.filter(send=send, state=Delivery.State.PENDING)
            .filter(Q(claimed_by=claimer) | Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .order_by("id"))
    ids = list(todo.values_list("pk", flat=True)[:size])
    if not ids:
        return []
    Delivery.objects.filter(pk__in=ids, state=Delivery.State.PENDING).update(
        claimed_at=now, claimed_by=claimer)
    return list(Delivery.objects.filter(pk__in=ids, state=Delivery.State.PENDING,
                                        claimed_by=claimer)
                .order_by("id")
                .values_list("pk", "subscriber_id", "subscriber__address_hash",
                             "subscriber__address_encrypted", "attempts"))


def _mark(delivery_id: int) -> bool:
    """Mark the row sent before its message goes: True for the one run that marked it. A
    worker killed between the mark and the send loses that one message, and never sends
    one twice (docs/newsletter.md, "Sending")."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Delivery._meta.db_table} SET state = %s "  # noqa: S608
                       "WHERE id = %s AND state = %s",
                       [Delivery.State.SENT, delivery_id, Delivery.State.PENDING])
        return cursor.rowcount == 1


def _again_later(delivery_id: int, attempts: int) -> None:
    state = Delivery.State.REFUSED if attempts + 1 >= MAX_ATTEMPTS else Delivery.State.PENDING
    Delivery.objects.filter(pk=delivery_id).update(state=state, attempts=attempts + 1,
                                                   claimed_by="", claimed_at=timezone.now())


def _refused(delivery_id: int, subscriber_id: int) -> None:
    from django.db.models import F

    Delivery.objects.filter(pk=delivery_id).update(state=Delivery.State.REFUSED)
    Subscriber.objects.filter(pk=subscriber_id).update(bounces=F("bounces") + 1)


class _Raw(EmailMessage):
    """A finished message for a mail backend other than SMTP (the console, tests)."""

    def __init__(self, raw: bytes, sender: str, to: str):
        super().__init__(from_email=sender, to=[to])
        self.raw = raw

    def message(self, *, policy=None):
        return message_from_bytes(self.raw, policy=email_policy.compat32)


class Outbox:
    """One connection to the mail server for one batch."""

    def __init__(self):
        self.backend = get_connection(fail_silently=False)
        self.smtp = None

    def __enter__(self):
        self.backend.open()
        self.smtp = getattr(self.backend, "connection", None)
        return self

    def __exit__(self, *exc):
        self.backend.close()

    def send(self, sender: str, to: str, raw: bytes) -> None:
        if isinstance(self.smtp, smtplib.SMTP):
            self.smtp.sendmail(sender, [to], raw)
        else:
            self.backend.send_messages([_Raw(raw, sender, to)])


# An email address in a mail server's answer: kept out of the mailing's error and the log,
# which are not encrypted as the subscribers' addresses are.
ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+")


def without_addresses(text: str) -> str:
    return ADDRESS.sub("[address]", text)


def deliver(send_id: int, claimer: str) -> dict:
    """Send a mailing to every recipient not yet marked, batch by batch (one connection
    each), at most SAMIZDAT_NEWSLETTER_RATE messages a second. Safe to run again and from
    several workers at once."""
    send = Send.objects.select_related("edition", "digest").filter(pk=send_id).first()
    if send is None or send.finished_at:
        return {"sent": 0}
    prepare(send)
    prepared = compose(send)
    sent = 0
    rate = settings.NEWSLETTER_RATE
    started = time.monotonic()
    try:
        if prepared is None:  # the article was unpublished, the digest emptied
            Delivery.objects.filter(send=send, state=Delivery.State.PENDING).delete()
        while prepared is not None:
            batch = _claim(send, claimer, settings.NEWSLETTER_BATCH_SIZE)
            if not batch:
                break
            with Outbox() as outbox:
                for delivery_id, subscriber_id, lookup, encrypted, attempts in batch:
                    if not _mark(delivery_id):
                        continue
                    address = crypto.decrypt(encrypted)
                    raw = mail.personal(
                        prepared, address, unsubscribe_token(subscriber_id, lookup),
                        f"{send.pk}.{delivery_id}")
                    try:
                        outbox.send(prepared.sender, address, raw)
                    except smtplib.SMTPRecipientsRefused as refusal:
                        code = next(iter(refusal.recipients.values()))[0]
                        if code >= 500:
                            _refused(delivery_id, subscriber_id)
                        else:
                            _again_later(delivery_id, attempts)
                        continue
                    except smtplib.SMTPDataError as refusal:
                        if refusal.smtp_code >= 500:
                            _refused(delivery_id, subscriber_id)
                        else:
                            _again_later(delivery_id, attempts)
                        continue
                    except (smtplib.SMTPException, OSError) as error:
                        # Not taken (the sender refused, the server gone): not a send.
                        Delivery.objects.filter(pk=delivery_id).update(
                            state=Delivery.State.PENDING, claimed_by="")
                        raise Stop(without_addresses(f"{type(error).__name__}: {error}")
                                   ) from error
                    sent += 1
                    if rate:
                        ahead = sent / rate - (time.monotonic() - started)
                        if ahead > 0:
                            time.sleep(ahead)
            _count(send)
    except Stop as stop:
        Send.objects.filter(pk=send.pk).update(last_error=str(stop)[:1000])
        logger.warning("Mailing %s paused: %s", send.pk, stop)
        _count(send)
        return {"sent": sent, "error": str(stop)}
    _finish_if_done(send)
    return {"sent": sent}


def _count(send: Send) -> None:
    deliveries = Delivery.objects.filter(send=send)
    Send.objects.filter(pk=send.pk).update(
        sent=deliveries.filter(state=Delivery.State.SENT).count(),
        failed=deliveries.filter(state=Delivery.State.REFUSED).count())


def _finish_if_done(send: Send) -> None:
    _count(send)
    if not Delivery.objects.filter(send=send, state=Delivery.State.PENDING).exists():
        Send.objects.filter(pk=send.pk, finished_at__isnull=True).update(
            finished_at=timezone.now(), last_error="")


def resume_stalled(now: datetime.datetime | None = None) -> list[int]:
    """Mailings not finished whose task is over (stopped by a mail server error) or lost:
    enqueued again, at most once a minute each. The worker's sweep calls this."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    again = []
    for send in Send.objects.filter(finished_at__isnull=True).only("pk", "task_id"):
        task = DBTaskResult.objects.filter(pk=send.task_id).only(
            "status", "finished_at").first() if send.task_id else None
        if task is not None and task.status in (TaskResultStatus.READY,
                                                TaskResultStatus.RUNNING):
            continue
        if task is not None and task.finished_at and (
                now - task.finished_at < datetime.timedelta(minutes=1)):
            continue
        _enqueue(send)
        again.append(send.pk)
    return again


def sweep(now: datetime.datetime | None = None) -> None:
    """The newsletter's part of the worker's sweep."""
    send_due_digests(now)
    resume_stalled(now)
    forget_unconfirmed(now)
