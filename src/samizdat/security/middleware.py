"""Security middleware: headers on every response, host separation, revoked sessions."""

from django.conf import settings
from django.contrib.auth import logout

from .services import session_is_revoked

# Features no reader page and no admin screen ever needs.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
    "geolocation", "gyroscope", "hid", "interest-cohort", "magnetometer", "microphone",
    "midi", "payment", "serial", "usb", "xr-spatial-tracking",
))


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set, on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
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
