"""Serve reader pages whole from the cache, with ETags and public Cache-Control."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control

from . import pagecache

CACHED_HEADERS = ("Content-Type", "Content-Language", "Link", "Last-Modified")


class ReaderPageCacheMiddleware:
    """A hit answers without touching the database; misses store the rendered page.

    Only views marked with `reader_page` take part, so the admin, previews and anything
    personal never enter the cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not self._candidate(request):
            return self.get_response(request)
        version = pagecache.content_version()
        key = pagecache.page_key(request, version)
        hit = cache.get(key)
        if hit is not None:
            return self._answer(request, hit, "HIT")
        response = self.get_response(request)
        if not getattr(response, "reader_page", False) or response.status_code not in (200, 404):
            return response
        if response.cookies or response.streaming:
            return response
        content = response.content
        entry = {
            "status": response.status_code,
            "content": content,
            "etag": f'"{hashlib.blake2b(content, digest_size=12).hexdigest()}"',
            "headers": {h: response[h] for h in CACHED_HEADERS if h in response},
        }
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        return self._answer(request, entry, "MISS")

    def _candidate(self, request):
        path = request.path
        prefix = path.split("/", 2)[1] if path.count("/") >= 2 else ""
        return prefix in {code for code, _ in settings.LANGUAGES} and "/preview/" not in path

    def _answer(self, request, entry, state):
        response = get_conditional_response(request, etag=entry["etag"])
        if response is None:
            response = HttpResponse(
                entry["content"] if request.method == "GET" else b"", status=entry["status"]
            )
            for name, value in entry["headers"].items():
                response[name] = value
            response["Content-Length"] = str(len(entry["content"]))
        response["ETag"] = entry["etag"]
        response["X-Page-Cache"] = state
        patch_cache_control(response, public=True, max_age=settings.BROWSER_CACHE_SECONDS)
        return response
