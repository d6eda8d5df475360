"""The newsletter's messages: rendered once per send, made personal per recipient.

A send's message (both parts, every header) is built once with placeholders for what differs
between recipients (the address, the unsubscribe link, the Message-ID); each recipient's copy
is that text with the placeholders replaced, DKIM-signed when a key is configured. Parts are
8-bit UTF-8 with short lines, so a replacement never meets an encoding.

Nothing in a message loads anything: no images, no pixels, no rewritten links; every link
points at SAMIZDAT_SITE_URL.
"""

import datetime
import functools
import textwrap
from dataclasses import dataclass
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from samizdat.newsroom.models import Article, Edition

TO = "samizdat-recipient@placeholder.invalid"
UNSUBSCRIBE = "SAMIZDATUNSUBSCRIBETOKEN"
MESSAGE_ID = "SAMIZDATMESSAGEID"
# Headers a DKIM signature covers (those present), as RFC 6376 and RFC 8058 advise.
SIGNED = (b"from", b"to", b"subject", b"date", b"message-id", b"mime-version",
          b"content-type", b"list-id", b"list-unsubscribe", b"list-unsubscribe-post")
LONGEST_LINE = 900


@dataclass(frozen=True)
class Prepared:
    """One send's message with placeholders, and who it comes from."""

    sender: str  # the envelope sender (bounces go there): the From address
    raw: bytes


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def absolute(path: str) -> str:
    return site_url() + path


def sender_address() -> str:
    return parseaddr(settings.NEWSLETTER_FROM)[1]


def from_header(edition: Edition) -> str:
    name, address = parseaddr(settings.NEWSLETTER_FROM)
    return f"{edition.site_name or name} <{address}>"


def unsubscribe_url(language: str, token: str) -> str:
    with override(language):
        return absolute(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def _short_lines(text: str) -> str:
    """Every line short enough for 8-bit transfer (998 bytes), links never cut."""
    out = []
    for line in text.splitlines():
        if len(line.encode()) <= LONGEST_LINE:
            out.append(line)
        else:
            out.extend(textwrap.wrap(line, 200, break_long_words=False,
                                     break_on_hyphens=False))
    return "\n".join(out) + "\n"


def _item(article: Article) -> dict:
    return {"headline": article.headline, "lead": article.lead,
            "url": absolute(article.get_absolute_url()),
            "section": article.section.name if article.section_id else ""}


def compose(edition: Edition, kind: str, articles: list[Article], day=None) -> Prepared:
    """The message of one send: a digest of `articles` or an alert about the first."""
    with override(edition.language):
        list_name = _("daily digest") if kind == "digest" else _("breaking news alerts")
        if kind == "digest":
            when = day or timezone.localdate()
            from samizdat.site.helpers import newsdate

            subject = _("%(site)s: the news of %(day)s") % {
                "site": edition.site_name, "day": newsdate(
                    datetime.datetime.combine(when, datetime.time(12),
                                              tzinfo=timezone.get_current_timezone()),
                    with_time=False)}
        else:
            subject = articles[0].headline
        context = {
            "edition": edition, "kind": kind, "subject": subject, "list_name": list_name,
            "items": [_item(a) for a in articles], "home": absolute(edition.get_absolute_url()),
            "unsubscribe": unsubscribe_url(edition.language, UNSUBSCRIBE),
            "why": _("You get this email because you subscribed to the %(list)s of %(site)s.")
            % {"list": list_name, "site": edition.site_name},
        }
        text = render_to_string("newsletter/email.txt", context, using="jinja2")
        html = render_to_string("newsletter/email.html", context, using="jinja2")
    domain = sender_address().rpartition("@")[2] or "localhost"
    message = EmailMultiAlternatives(
        subject=subject, body=_short_lines(text), from_email=from_header(edition), to=[TO],
        headers={
            "Message-ID": f"<{MESSAGE_ID}@{domain}>",
            "Date": formatdate(localtime=False),
            "List-Id": f"{edition.site_name} <{kind}.{edition.language}.{domain}>",
            "List-Unsubscribe": f"<{context['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        })
    message.attach_alternative(_short_lines(html), "text/html")
    raw = message.message().as_bytes(linesep="\r\n")
    return Prepared(sender=sender_address(), raw=raw)


def personal(prepared: Prepared, address: str, token: str, message_id: str) -> bytes:
    """One recipient's copy, signed when a DKIM key is configured."""
    raw = (prepared.raw.replace(TO.encode(), address.encode("ascii"))
           .replace(UNSUBSCRIBE.encode(), token.encode("ascii"))
           .replace(MESSAGE_ID.encode(), message_id.encode("ascii")))
    signer = dkim_signer()
    return signer(raw) + raw if signer else raw


@functools.lru_cache(maxsize=4)
def _openssl_key(modulus, public_exponent, private_exponent, p, q, dmp1, dmq1, iqmp):
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.RSAPrivateNumbers(p, q, private_exponent, dmp1, dmq1, iqmp,
                                 rsa.RSAPublicNumbers(public_exponent, modulus)).private_key()


def _openssl_sign(digest, private_key: dict) -> bytes:
    """dkimpy's RSASSA-PKCS1-v1_5 signature made by OpenSSL (through cryptography): dkimpy
    computes it with Python integers, 7 ms a message, which capped a mailing at 130 messages
    a second on one core; OpenSSL takes a tenth of that. PKCS#1 v1.5 is deterministic, so
    the bytes are dkimpy's own (tests/newsletter/test_mail.py compares them)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, utils

    algorithm = {"sha256": hashes.SHA256(), "sha1": hashes.SHA1()}[digest.name]  # noqa: S303 - dkimpy's choice
    key = _openssl_key(private_key["modulus"], private_key["publicExponent"],
                       private_key["privateExponent"], private_key["prime1"],
                       private_key["prime2"], private_key["exponent1"],
                       private_key["exponent2"], private_key["coefficient"])
    return key.sign(digest.digest(), padding.PKCS1v15(), utils.Prehashed(algorithm))


@functools.cache
def _dkim(key_file: str, selector: str, domain: str):
    import dkim

    dkim.RSASSA_PKCS1_v1_5_sign = _openssl_sign

    try:
        with open(key_file, "rb") as f:
            key = f.read()
    except OSError as error:
        raise ImproperlyConfigured(
            f"SAMIZDAT_NEWSLETTER_DKIM_KEY_FILE={key_file!r} cannot be read ({error}): give "
            "the path of the DKIM private key (PEM), or leave it empty to send unsigned."
        ) from None

    def sign(raw: bytes) -> bytes:
        present = {line.split(b":", 1)[0].strip().lower()
                   for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n") if b":" in line}
        return dkim.sign(raw, selector.encode(), domain.encode(), key,
                         include_headers=[h for h in SIGNED if h in present],
                         linesep=b"\r\n")

    return sign


def dkim_signer():
    key_file = settings.NEWSLETTER_DKIM_KEY_FILE
    if not key_file:
        return None
    domain = settings.NEWSLETTER_DKIM_DOMAIN or sender_address().rpartition("@")[2]
    return _dkim(str(key_file), settings.NEWSLETTER_DKIM_SELECTOR, domain)


def confirmation(edition: Edition, address: str, link: str, digest: bool,
                 alerts: bool) -> EmailMessage:
    """The one message sent before confirmation: to the address, about the address."""
    with override(edition.language):
        lists = [name for wanted, name in ((digest, _("the daily digest")),
                                           (alerts, _("breaking news alerts"))) if wanted]
        context = {"edition": edition, "link": link,
                   "home": absolute(edition.get_absolute_url()),
                   "intro": _("Someone, probably you, asked to subscribe this address to "
                              "%(lists)s of %(site)s.")
                   % {"lists": _(" and ").join(lists), "site": edition.site_name}}
        subject = _("Confirm your subscription to %(site)s") % {"site": edition.site_name}
        text = render_to_string("newsletter/confirm_email.txt", context, using="jinja2")
        html = render_to_string("newsletter/confirm_email.html", context, using="jinja2")
    message = EmailMultiAlternatives(subject=subject, body=_short_lines(text),
                                     from_email=from_header(edition), to=[address],
                                     headers={"Auto-Submitted": "auto-generated"})
    message.attach_alternative(_short_lines(html), "text/html")
    return message
