"""The Content-Security-Policy: django-csp's, the reader policy built once per process, and
in the admin the reader policy plus exactly what the editor needs.

The rich-text editor's import map is data the browser needs before any module loads; it
cannot be an external file. Rather than allow inline scripts, each admin response that
carries one gets that exact map's SHA-256 added to its script-src. The editor and Django's
admin also set style attributes, so admin pages (staff only, never reader content rendered
raw) allow inline styles; reader pages keep style-src 'self'.
"""

import base64
import hashlib
import re

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

IMPORTMAP = re.compile(rb'<script type="importmap"[^>]*>(.*?)</script>', re.S)


class CSPMiddleware(LibraryCSPMiddleware):
    """django-csp's middleware, except that the policy of a response that changes nothing in
    it (no nonce, no decorator, no update: every reader page) is built once per process.

    django-csp builds it from the settings twice per response (once for the report-only
    header); on a page-cache miss that was a tenth of a millisecond. Anything else, and any
    setting the shortcut does not cover (report-only, excluded prefixes, DEBUG), goes to
    django-csp unchanged.
    """

    _built = (None, None, None)  # the settings it was built from, and the header

    def process_response(self, request, response):
        policy = self._settings_policy()
        if (policy is None or settings.DEBUG or request.__dict__.get("_csp_nonce") is not None
                or any(name.startswith("_csp") for name in vars(response))):
            return super().process_response(request, response)
        response.setdefault(HEADER, policy)
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _settings_policy(self) -> str | None:
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        if self._built[0] is not config or self._built[1] is not report_only:
            simple = config and not config.get("EXCLUDE_URL_PREFIXES") and not report_only
            self._built = (config, report_only, build_policy() if simple else None)
        return self._built[2]


class AdminCSPMiddleware:
    """Placed after django-csp's middleware, so the policy it writes includes the hash."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(f"/{settings.ADMIN_PATH}/"):
            return response  # reader pages carry no inline script at all
        if getattr(response, "streaming", False) or b"text/html" not in response.get(
            "Content-Type", ""
        ).encode():
            return response
        update = getattr(response, "_csp_update", None) or {}
        update["style-src"] = [*update.get("style-src", []), "'unsafe-inline'"]
        response._csp_update = update
        hashes = [
            "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for body in IMPORTMAP.findall(response.content)
        ]
        if hashes:
            update["script-src"] = [*update.get("script-src", []), *hashes]
        return response
