from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from samizdat.clients import from_this_site
from samizdat.site import pagecache
from samizdat.site.pagecache import reader_page
from samizdat.site.views import current_edition, render

from . import counting, ranking


@csrf_exempt  # no cookies to protect; the browser's own Sec-Fetch-Site/Origin is checked
@require_POST
def reading(request, pk):
    """The article page's beacon: always an empty 204, counted or not."""
    if from_this_site(request) and 0 < pk < 2**62:
        counting.count_reading(request, pk)
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


@reader_page
def popular(request):
    edition = current_edition()
    pagecache.depends_on(request, ranking.dependency(edition.pk))
    return render(request, "popular/popular.html", edition, {
        "day": ranking.most_read(edition, "day"),
        "week": ranking.most_read(edition, "week"),
    })
