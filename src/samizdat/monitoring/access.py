"""Who may see the site's internals (/healthz/deep, /metrics): a bearer token, or a program
on this machine talking to the application directly."""

import hmac
import ipaddress

from django.conf import settings

# Headers a proxy adds: a request carrying one came through nginx (or tor through nginx),
# so its loopback address is the proxy's, not a local program's.
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def direct_from_loopback(request) -> bool:
    """A connection from this machine straight to the application's port.

    Every onion reader arrives from the tor daemon on loopback too. Behind nginx (the
    documented set-up, SAMIZDAT_PROXY_COUNT >= 1) tor's requests carry X-Forwarded-For and
    are refused here; with an onion address and no proxy, tor may be pointed at the
    application itself, so loopback counts for nothing and only the token opens the door.
    """
    meta = request.META
    if any(name in meta for name in PROXY_HEADERS):
        return False
    if settings.ONION_ADDRESS and not settings.PROXY_COUNT:
        return False
    try:
        return ipaddress.ip_address(meta.get("REMOTE_ADDR", "").strip("[]")).is_loopback
    except ValueError:
        return False


def has_token(request, token: str) -> bool:
    """`Authorization: Bearer <token>` with the configured token (never in the query
    string, which would end up in proxies' logs)."""
    if not token:
        return False
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode())


def allowed(request, token: str) -> bool:
    return has_token(request, token) or direct_from_loopback(request)
