"""The API object: its OpenAPI description, rate limit and JSON errors."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled, ValidationError

from .throttles import ClientThrottle
from .views import router

DESCRIPTION = """\
Published articles, sections, tags, authors and editions of this site, read-only.

Lists are newest first (articles) or by id (tags, authors) and are paginated by cursor: pass
the `next` value of one page as `cursor` to get the next. Every answer may be cached for a
minute. Each client may make a limited number of requests a minute; over it, the answer is
429 with a `Retry-After` header. Errors are JSON: `{"detail": "..."}`.
"""

api = NinjaAPI(
    title="Samizdat API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    # Swagger UI would load scripts from a CDN and break the site's CSP: no docs page, only
    # the schema, for partners' own tools.
    docs_url=None,
    throttle=[ClientThrottle()],
)
api.add_router("", router)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if isinstance(exc, Throttled):
        message = _("Too many requests. Please wait a minute.")
    else:
        message = str(exc)
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    # Pydantic's own words, for programmers; `detail` is the sentence for people.
    errors = [{"loc": [part if isinstance(part, int) else str(part)
                       for part in error.get("loc", ())],
               "msg": str(error.get("msg", "")), "type": str(error.get("type", ""))}
              for error in exc.errors]
    names = sorted({str(e["loc"][-1]) for e in errors if e["loc"]})
    return api.create_response(request, {
        "detail": _("Check these parameters: %(names)s.") % {"names": ", ".join(names)},
        "errors": errors,
    }, status=422)
