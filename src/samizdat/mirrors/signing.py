"""mirrors.json: where the site can be read, signed with the newsroom's Ed25519 key.

The signature covers the payload's canonical JSON (sorted keys, no spaces), so anyone with
the public key can check a copy found on any mirror. The private key is made on first use
in SAMIZDAT_VAR_DIR (readable by the site's user only) unless SAMIZDAT_SIGNING_KEY_FILE
names one; back it up, since apps trust the public key.
"""

import base64
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.utils import timezone


def key_path() -> Path:
    return Path(settings.SIGNING_KEY_FILE or settings.VAR_DIR / "mirrors-ed25519.pem")


def private_key() -> Ed25519PrivateKey:
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(pem)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_key_b64() -> str:
    raw = private_key().public_key().public_bytes(serialization.Encoding.Raw,
                                                  serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def payload() -> dict:
    from .models import Mirror

    return {
        "site": settings.SITE_URL,
        "onion": f"http://{settings.ONION_ADDRESS}" if settings.ONION_ADDRESS else None,
        "mirrors": [m.public_url for m in Mirror.objects.filter(is_active=True)
                    .exclude(public_url="")],
        "editions": {e.language: {"home": e.get_absolute_url(),
                                  "lite": e.get_absolute_url() + "lite/"}
                     for e in _editions()},
        "updated": timezone.now().replace(microsecond=0).isoformat(),
    }


def _editions():
    from samizdat.newsroom.models import Edition

    return Edition.objects.all()


def signed_document(data: dict | None = None) -> dict:
    data = payload() if data is None else data
    signature = private_key().sign(canonical(data))
    return {"payload": data, "signature": base64.b64encode(signature).decode(),
            "algorithm": "ed25519", "public_key": public_key_b64()}


def verify(document: dict, public_key: str) -> bool:
    """Check a mirrors.json against a public key the reader already trusts (base64, raw)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        key.verify(base64.b64decode(document["signature"]), canonical(document["payload"]))
    except (InvalidSignature, KeyError, TypeError, ValueError):
        return False
    return True
