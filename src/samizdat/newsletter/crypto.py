"""Subscribers' addresses at rest: encrypted (Fernet) and found by a keyed hash (HMAC-SHA256),
both under SAMIZDAT_SUBSCRIBER_KEY, a key kept in the environment and nowhere in the database,
the backups or the secret key, so a copied database file or backup reveals no address."""

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 32


def configured() -> bool:
    """Whether subscribers can be kept at all (the subscription form is shown only then)."""
    return bool(getattr(settings, "NEWSLETTER_SUBSCRIBER_KEY", ""))


def _key() -> str:
    key = getattr(settings, "NEWSLETTER_SUBSCRIBER_KEY", "")
    if not key:
        raise ImproperlyConfigured(
            "SAMIZDAT_SUBSCRIBER_KEY is not set: newsletter subscribers cannot be stored. Make "
            "one with `samizdat newsletter_key` and keep a copy off the server.")
    if len(key) < MIN_LENGTH:
        raise ImproperlyConfigured(
            f"SAMIZDAT_SUBSCRIBER_KEY is shorter than {MIN_LENGTH} characters: make one with "
            "`samizdat newsletter_key`.")
    return key


@functools.lru_cache(maxsize=4)
def _derived(key: str) -> tuple[Fernet, bytes]:
    def derive(purpose: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
            key.encode())

    return (Fernet(base64.urlsafe_b64encode(derive(b"samizdat.newsletter.address"))),
            derive(b"samizdat.newsletter.lookup"))


def encrypt(address: str) -> str:
    return _derived(_key())[0].encrypt(address.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    try:
        return _derived(_key())[0].decrypt(stored.encode("ascii")).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A subscriber's address cannot be decrypted with SAMIZDAT_SUBSCRIBER_KEY: the key "
            "is not the one the addresses were stored with (docs/newsletter.md, "
            "\"The subscriber key\").") from None


def lookup_hash(address: str) -> str:
    """The keyed hash that finds an address (duplicates, the admin's search), never
    reversible and, without the key, not even testable against a guessed address."""
    return hmac.new(_derived(_key())[1], normalize(address).encode(), hashlib.sha256).hexdigest()


def normalize(address: str) -> str:
    """One spelling per mailbox: trimmed, lower case (providers treat the local part so)."""
    return address.strip().lower()
