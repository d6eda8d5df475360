"""The admin's Content-Security-Policy: the reader policy plus exactly what the editor needs.

The rich-text editor's import map is data the browser needs before any module loads; it
cannot be an external file. Rather than allow inline scripts, each admin response that
carries one gets that exact map's SHA-256 added to its script-src. The editor and Django's
admin also set style attributes, so admin pages (staff only, never reader content rendered
raw) allow inline styles; reader pages keep style-src 'self'.
"""

import base64
import hashlib
import re

from django.conf import settings

IMPORTMAP = re.compile(rb'<script type="importmap"[^>]*>(.*?)</script>', re.S)


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
