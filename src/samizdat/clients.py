"""Who is asking, without keeping who they are: client addresses become rotating salted hashes."""

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.utils import timezone


def client_address(request) -> str:
    """The address the request came from, as the nearest trusted proxy saw it.

    With SAMIZDAT_PROXY_COUNT = n, the n-th address from the right of X-Forwarded-For is the
    client (each proxy appends the address it received from); anything to its left is what
    the client claimed and is ignored.
    """
    hops = settings.PROXY_COUNT
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _digest(purpose: str, address: str, days: int = 1) -> bytes:
    """HMAC of the address under a key that changes every `days` UTC days: no lasting
    identity."""
    period = timezone.now().date().toordinal() // days
    key = hashlib.sha256(f"samizdat.clients.{days}.{period}.{settings.SECRET_KEY}".encode()
                         ).digest()
    return hmac.new(key, f"{purpose}\0{address}".encode(), hashlib.sha256).digest()


def client_key(request, purpose: str, days: int = 1) -> str:
    """A short, rotating, purpose-bound identifier for rate limits and bans; it changes
    every `days` days, after which nobody can link it to the earlier one."""
    return _digest(purpose, client_address(request), days).hex()[:32]


def pseudonymous_ip(request) -> str:
    """An IPv6 unique-local address derived from the hashed client address.

    Libraries that insist on storing an "IP address" (django-axes for staff sign-in
    throttling) get this instead: it groups one client's attempts for a day and cannot be
    turned back into the real address.
    """
    return str(ipaddress.IPv6Address(b"\xfd" + _digest("ip", client_address(request))[:15]))
