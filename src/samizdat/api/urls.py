"""The API's URLs, mounted at /api/v1/: every answer public, cacheable for a minute, cookieless.

The reader page cache never sees these paths (it takes only the editions' folders and the
site-wide feeds), so nothing here is stored or replayed by it.
"""

import functools

from django.http import Http404, JsonResponse
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _

from .api import api

CACHE_SECONDS = 60


def public(view):
    """Headers every API answer carries, whether the API or Django's URL resolver answered."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = JsonResponse({"detail": _("Not found.")}, status=404)
        # Partners' apps read the API from their own origins; nothing in it is personal.
        response["Access-Control-Allow-Origin"] = "*"
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        # One client's 429 must not be served to others by a shared cache.
        response["Cache-Control"] = ("no-store" if response.status_code == 429
                                     else f"public, max-age={CACHE_SECONDS}")
        return response

    wrapper.csrf_exempt = True
    return wrapper


def not_found(request, rest):
    raise Http404("no such API path")


_patterns, app_name, _namespace = api.urls
urlpatterns = [
    *(URLPattern(p.pattern, public(p.callback), p.default_args, p.name) for p in _patterns),
    re_path(r"^(?P<rest>.*)$", public(not_found)),
]
