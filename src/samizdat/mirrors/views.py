import json

from django.http import HttpResponse

from samizdat.site.pagecache import reader_page
from samizdat.site.views import current_edition, render

from . import signing
from .models import Mirror


def mirrors_json(request):
    """The signed list of addresses; cacheable for a few minutes by anyone."""
    body = json.dumps(signing.signed_document(), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@reader_page
def mirrors_page(request):
    edition = current_edition()
    from django.conf import settings

    return render(request, "mirrors/mirrors.html", edition, {
        "mirrors": list(Mirror.objects.filter(is_active=True).exclude(public_url="")),
        "public_key": signing.public_key_b64(),
        "site_url": settings.SITE_URL + edition.get_absolute_url(),
        "onion": f"http://{settings.ONION_ADDRESS}{edition.get_absolute_url()}"
        if settings.ONION_ADDRESS else "",
    })
