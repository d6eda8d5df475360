"""Security middleware: headers on every response, host separation, revoked sessions."""

from django.conf import settings
from django.contrib.auth import logout
from django.middleware.security import SecurityMiddleware

from samizdat.clients import on_onion

from .services import session_is_revoked

# Features no reader page and no admin screen ever needs.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
    "geolocation", "gyroscope", "hid", "interest-cohort", "magnetometer", "microphone",
    "midi", "payment", "serial", "usb", "xr-spatial-tracking",
))


# An address longer than this gets no Onion-Location: the header would outgrow a proxy's
# buffer for response headers (nginx's is 4-8 KB, and it answers 502 beyond), and no real
# page has such an address.
ONION_LOCATION_MAX_PATH = 1024


class OnionAwareSecurityMiddleware(SecurityMiddleware):
    """Django's SecurityMiddleware, except that the onion address is not sent to HTTPS.

    An onion service is reached over plain HTTP (Tor encrypts and authenticates it end to
    end; Tor Browser treats it as a secure context), and no certificate exists for it.
    HSTS is only ever sent over HTTPS, so the onion host gets none either.
    """

    def process_request(self, request):
        if on_onion(request):
            return None
        return super().process_request(request)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set, on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        onion = settings.ONION_ADDRESS
        if (onion and getattr(response, "reader_page", False) and not on_onion(request)):
            # Tor Browser offers the same page at the onion address (it heeds the header
            # on HTTPS pages only, which production serves).
            path = request.get_full_path()
            if len(path) <= ONION_LOCATION_MAX_PATH:
                response["Onion-Location"] = f"http://{onion}{path}"
        return response


class HostRoutingMiddleware:
    """With SAMIZDAT_ADMIN_HOST set, the admin exists only on that host name.

    The reader host (or hosts) gets a URLconf without the admin, so the public name that
    censors flood and scanners probe has no sign-in page at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin_host = settings.ADMIN_HOST
        if admin_host and request.get_host().split(":")[0] != admin_host:
            request.urlconf = "samizdat.urls_reader"
        return self.get_response(request)


class SessionRevocationMiddleware:
    """End a staff session begun before an administrator's "sign out everywhere".

    The request then goes on as anonymous: the admin sends it to the sign-in page, a reader
    page is simply shown.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Readers have no session cookie: no query, nothing to check.
        if (settings.SESSION_COOKIE_NAME in request.COOKIES
                and request.user.is_authenticated and session_is_revoked(request)):
            logout(request)
        return self.get_response(request)
