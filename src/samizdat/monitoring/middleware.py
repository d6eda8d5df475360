"""/healthz, /healthz/deep and /metrics, answered before host routing, sessions and the
locale (no cookie, any Host a load balancer sends, the admin host too); and the request
counter by view and status.

It stands after the page cache (a hit is counted there, with one increment) and after the
security headers, before everything that would ask which host this is.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseNotFound

from . import access, health, metrics
from .logs import current_request

HEALTHZ = "/healthz"
DEEP = "/healthz/deep"
METRICS = "/metrics"
PATHS = {HEALTHZ, DEEP, METRICS}


class MonitoringMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = settings.STATIC_URL
        self._deep = async_to_sync(health.DeepHealthView.as_view())

    def __call__(self, request):
        if request.path_info in PATHS:
            return self._monitoring(request)
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        match = getattr(request, "resolver_match", None)
        if match is not None:
            view = match.view_name
        elif request.path_info.startswith(self.static_prefix):
            view = "static"
        else:
            view = "unresolved"
        metrics.REQUESTS.labels(view, str(response.status_code)).inc()
        return response

    def _monitoring(self, request):
        view = "metrics" if request.path_info == METRICS else "healthz"
        if request.method not in ("GET", "HEAD"):
            response = HttpResponseNotAllowed(["GET", "HEAD"])
        elif view == "metrics":
            response = self._metrics(request)
        elif request.path_info == DEEP or request.GET.get("deep"):
            view = "healthz-deep"
            response = self._deep_check(request)
        else:
            response = health.shallow()
        metrics.REQUESTS.labels(view, str(response.status_code)).inc()
        response["Cache-Control"] = "no-store"
        response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        return response

    def _deep_check(self, request):
        if not access.allowed(request, settings.HEALTH_TOKEN):
            return not_found()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self._deep(request)
        # This thread runs an event loop of its own (a server or a test driving a browser),
        # where async_to_sync refuses to work: the checks are run from a thread without one.
        with ThreadPoolExecutor(max_workers=1) as other:
            return other.submit(self._deep, request).result()

    def _metrics(self, request):
        if not access.allowed(request, settings.METRICS_TOKEN):
            return not_found()
        body, content_type = metrics.exposition()
        return HttpResponse(body, content_type=content_type)


def not_found() -> HttpResponse:
    """What a stranger gets: the answer for an address that does not exist."""
    return HttpResponseNotFound(b"Not found\n", content_type="text/plain; charset=utf-8")
