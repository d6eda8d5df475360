"""Who is asking, without keeping who they are: client addresses become rotating salted hashes."""

import hashlib
import hmac
import ipaddress
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
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


def from_this_site(request) -> bool:
    """Whether a browser sent this request from one of our own pages (Sec-Fetch-Site, else
    Origin, which a forging page cannot set); requests naming neither are not a browser's
    forgery."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site:
        return fetch_site in ("same-origin", "none")
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        return urlsplit(origin).netloc == request.get_host()
    return True  # no browser said where it came from: not a page forging a request


def pseudonymous_ip(request) -> str:
    """An IPv6 unique-local address derived from the hashed client address.

    Libraries that insist on storing an "IP address" (django-axes for staff sign-in
    throttling) get this instead: it groups one client's attempts for a day and cannot be
    turned back into the real address.
    """
    return str(ipaddress.IPv6Address(b"\xfd" + _digest("ip", client_address(request))[:15]))


# --- Rate limits: counters in the cache (shared between workers with Redis) -------------
WINDOW = 600  # seconds


def hit(name: str, window: int = WINDOW) -> int:
    """Count one event under `name` in the current window; return the count so far."""
    key = f"samizdat:rate:{name}:{int(time.time()) // window}"
    cache.add(key, 0, window * 2)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, window * 2)
        return 1


def count(name: str, window: int = WINDOW) -> int:
    key = f"samizdat:rate:{name}:{int(time.time()) // window}"
    return cache.get(key, 0)


def over_limit(request, purpose: str, limit: int, window: int) -> bool:
    """Count one more `purpose` request by this client; True when it has made more than
    `limit` in the current `window` seconds."""
    return hit(f"{purpose}:{client_key(request, purpose)}", window) > limit
