"""The bot token at rest: Fernet, with a key derived from SECRET_KEY (or an older one of
SECRET_KEY_FALLBACKS, so a key rotation does not lose the token)."""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PURPOSE = b"samizdat.telegram.bot-token"


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(s) for s in secrets])


def encrypt(token: str) -> str:
    return _keys().encrypt(token.encode()).decode()


def decrypt(stored: str) -> str:
    try:
        return _keys().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "The Telegram bot token stored in the admin cannot be decrypted with "
            "SAMIZDAT_SECRET_KEY (was the key changed without keeping the old one in "
            "SECRET_KEY_FALLBACKS?): enter the token again under Telegram channels.") from None
