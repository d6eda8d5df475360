"""Serve reader pages whole from the cache, compressed, with ETags and public Cache-Control."""

import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from zlib_ng import gzip_ng

from samizdat.monitoring.metrics import PAGE_CACHE_HIT, PAGE_CACHE_MISS, RENDER_SECONDS

from . import pagecache

# Reader answers outside the editions' folders: site-wide feeds, sitemaps, robots.txt.
ROOT_READER_PATHS = re.compile(
    r"^/(rss\.xml|atom\.xml|feed\.json|robots\.txt|(news-)?sitemap[-\w]*\.xml)$")

# Headers that belong to one exchange, not to the page: never stored, never replayed.
EXCHANGE_HEADERS = {"set-cookie", "date", "content-length", "x-page-cache", "etag",
                    "content-encoding"}


class ReaderPageCacheMiddleware:
    """A hit answers before any other middleware runs and without touching the database.

    It stands first in MIDDLEWARE: a miss passes through the whole stack, and the finished
    response, security headers and all, is stored with a gzip copy; a hit replays it. Only
    views marked with `reader_page` take part, so the admin, previews and anything personal
    never enter the cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        with pagecache.pinned_version() as version:
            return self._respond(request, version)

    def _respond(self, request, version):
        if request.method not in ("GET", "HEAD") or not self._candidate(request.path):
            return self.get_response(request)
        key = pagecache.page_key(request, version)
        hit = cache.get(key)
        if hit is None or not pagecache.usable(hit):
            # A page the last publications did not change: the earlier version's entry
            # (render on write, bake/onwrite.py).
            hit = pagecache.carried(request, version)
        if hit is not None:
            PAGE_CACHE_HIT.inc()
            if hit["status"] == 200:
                # Rendered by another machine on the shared cache, or carried: this
                # machine's nginx asked, so it has no file of the page yet; now it has.
                pagecache.keep_page_file(request.path, version, hit["content"], hit["gzip"])
            return self._answer(request, hit, "HIT")
        started = time.perf_counter()
        response = self.get_response(request)
        if not getattr(response, "reader_page", False) or response.status_code not in (200, 404):
            return response
        PAGE_CACHE_MISS.inc()
        RENDER_SECONDS.observe(time.perf_counter() - started)
        if response.cookies or response.streaming:
            return response
        patch_cache_control(response, public=True, max_age=settings.BROWSER_CACHE_SECONDS)
        patch_vary_headers(response, ["Accept-Encoding"])
        content = response.content
        depends = getattr(request, "page_depends", None)  # see pagecache.depends_on
        etag = hashlib.blake2b(content, digest_size=12).hexdigest()
        # zlib-ng: the same gzip at the same level as the standard zlib, in about half its time
        # (docs/benchmarks.md, "What a miss costs").
        entry = {
            "status": response.status_code,
            "content": content,
            "gzip": gzip_ng.compress(content, compresslevel=6, mtime=0),
            "etag": f'"{etag}"',
            "gzip_etag": f'"{etag}-gz"',
            "headers": [(k, v) for k, v in response.items() if k.lower() not in EXCHANGE_HEADERS],
            "depends": depends,
            "rendered": time.time(),  # carried forward only while recent (pagecache)
        }
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        if entry["status"] == 200:
            pagecache.write_page_file(request.path, version, content, entry["gzip"])
        return self._answer(request, entry, "MISS")

    def _candidate(self, path: str) -> bool:
        if ROOT_READER_PATHS.match(path):
            return True
        prefix = path.split("/", 2)[1] if path.count("/") >= 2 else ""
        return prefix in self.languages and "/preview/" not in path

    def _answer(self, request, entry, state):
        meta = request.META
        compressed = "gzip" in meta.get("HTTP_ACCEPT_ENCODING", "")
        etag = entry["gzip_etag"] if compressed else entry["etag"]
        response = None
        if "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta:
            response = get_conditional_response(request, etag=etag)
        if response is None:
            body = entry["gzip"] if compressed else entry["content"]
            response = HttpResponse(body if request.method == "GET" else b"",
                                    status=entry["status"], headers=entry["headers"])
            response["Content-Length"] = str(len(body))
            if compressed:
                response["Content-Encoding"] = "gzip"
        else:
            for name, value in entry["headers"]:
                if name.lower() != "content-type":
                    response[name] = value
        response["ETag"] = etag
        response["X-Page-Cache"] = state
        return response


class LiteEditionMiddleware:
    """/{lang}/lite/… is the text-only edition of /{lang}/…: the same view answers, and
    `request.lite` makes it render the lite templates (site.views.render).

    It stands before the locale middleware and URL resolution, which then see the full
    site's path; the page cache, which comes first, keys the lite page by its own address.
    """

    PATH = re.compile(r"^/([a-z]{2,3}(?:-[a-z0-9]{1,8})?)/lite/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = self.PATH.match(request.path_info)
        if match:
            request.lite = True
            request.path_info = f"/{match.group(1)}/" + request.path_info[match.end():]
        return self.get_response(request)

