"""The search page of an edition: not cached (every query differs), rate-limited per client."""

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from samizdat import clients
from samizdat.newsroom.models import Author
from samizdat.site import chrome
from samizdat.site.views import current_edition, render

from .forms import SearchForm
from .query import Results, search

WINDOW = 60




@require_GET
def search_page(request):
    edition = current_edition()
    form = SearchForm(request.GET, edition=edition, editions=chrome.editions(),
                      sections=chrome.site_chrome(edition)["sections"],
                      authors=Author.objects.order_by("name").values_list("slug", "name"))
    results, status = None, 200
    if request.GET.get("q") is not None:
        if clients.over_limit(request, "search", settings.SEARCH_RATE_LIMIT, WINDOW):
            results, status = Results(error=_(
                "Too many searches from your connection. Please wait a minute.")), 429
        elif not form.is_valid():
            results, status = Results(error=" ".join(
                str(m) for messages in form.errors.values() for m in messages)), 400
        else:
            data = form.cleaned_data
            results = search(data["q"], editions=data["editions"], section=data["section"],
                             author=data["author"], date_from=data["date_from"],
                             date_to=data["date_to"], page=data["page"] or 1)
            status = 400 if results.error else 200
    response = render(request, "search/search.html", edition, {
        "form": form, "results": results, "page_link": _page_link(request),
        "counts": _counts(results),
    }, status=status)
    response["Cache-Control"] = "private, max-age=60"
    response["X-Robots-Tag"] = "noindex"
    if status == 429:
        response["Retry-After"] = str(WINDOW)
    return response


def _counts(results: Results | None) -> dict:
    if not results or not results.hits:
        return {}
    if results.capped:
        found = _("More than %(n)s articles found; the newest of them are ranked here.") % {
            "n": results.total}
    else:
        found = ngettext("%(n)s article found", "%(n)s articles found", results.total) % {
            "n": results.total}
    return {"found": found, "page": _("Page %(page)s of %(pages)s") % {
        "page": results.page, "pages": results.pages}}


def _page_link(request):
    def link(number: int) -> str:
        query = QueryDict(mutable=True)
        query.update({k: v for k, v in request.GET.items() if k != "page" and v})
        query["page"] = str(number)
        return f"?{query.urlencode()}"
    return link
