"""Who is asking, without keeping who they are: client addresses become rotating salted hashes.

Two kinds of address stand for more than one reader, and are treated so:
- an IPv6 client owns a whole /64 (phones and home routers hand out addresses from it at
  will), so IPv6 addresses are grouped by their /64;
- every onion reader arrives from the local tor daemon (127.0.0.1). Where tor tells circuits
  apart (HiddenServiceExportCircuitID with the PROXY protocol, docs/deployment.md), each
  circuit arrives as its own address in fc00:dead:beef:4dad::/64 and counts as one client;
  otherwise the address is *shared*: limits give it a budget for the whole onion audience
  (SAMIZDAT_ONION_LIMIT_FACTOR times one client's) and bans never name it.
"""

import hashlib
import hmac
import ipaddress
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

# Where tor's HiddenServiceExportCircuitID puts each circuit: the global circuit id is the
# address's last 32 bits.
TOR_CIRCUITS = ipaddress.IPv6Network("fc00:dead:beef:4dad::/64")
# Client keys of a shared address begin with this (never a hex digit): bans skip them.
SHARED_MARK = "~"


def _forwarded_address(request) -> str:
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


def client_address(request) -> str:
    """The client as far as limits are concerned: its address, an IPv6 one as its /64
    (a tor circuit's whole), an IPv4-mapped one as the IPv4 address."""
    address = _forwarded_address(request)
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address[:100]
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        if ip not in TOR_CIRCUITS:
            return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def on_onion(request) -> bool:
    """Whether the request came to the site's onion address (read from the Host header
    as sent: Django's get_host() would raise on a host it does not serve)."""
    onion = settings.ONION_ADDRESS
    host = request.META.get("HTTP_HOST", "").rsplit(":", 1)[0].lower()
    return bool(onion) and host == onion


def is_shared(request, address: str | None = None) -> bool:
    """An onion request from the tor daemon on this machine (loopback) whose circuit tor did
    not tell us: the address is every onion reader's at once. A clearnet client naming the
    onion host keeps its own address, so it cannot hide among them. `address`: the
    request's client_address, when the caller has it already."""
    if not on_onion(request):
        return False
    try:
        return ipaddress.ip_address(address or client_address(request)).is_loopback
    except ValueError:
        return False


def is_shared_key(key: str) -> bool:
    return key.startswith(SHARED_MARK)


def shared_limit(limit: int, shared: bool) -> int:
    """One client's limit, or the budget of everyone behind a shared address."""
    return limit * settings.ONION_LIMIT_FACTOR if shared else limit


def _digest(purpose: str, address: str, days: int = 1) -> bytes:
    """HMAC of the address under a key that changes every `days` UTC days: no lasting
    identity."""
    period = timezone.now().date().toordinal() // days
    key = hashlib.sha256(f"samizdat.clients.{days}.{period}.{settings.SECRET_KEY}".encode()
                         ).digest()
    return hmac.new(key, f"{purpose}\0{address}".encode(), hashlib.sha256).digest()


def client_key(request, purpose: str, days: int = 1) -> str:
    """A short, rotating, purpose-bound identifier for rate limits and bans; it changes
    every `days` days, after which nobody can link it to the earlier one. A shared
    address's key is marked (SHARED_MARK) so that nothing bans it."""
    address = client_address(request)
    digest = _digest(purpose, address, days).hex()
    return SHARED_MARK + digest[:31] if is_shared(request, address) else digest[:32]


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
    `limit` in the current `window` seconds (a shared address: the onion budget)."""
    key = client_key(request, purpose)
    return hit(f"{purpose}:{key}", window) > shared_limit(limit, is_shared_key(key))
