"""The site's URLconf and a view that fails, naming its client the way careless code would."""

import logging

from django.urls import path

from samizdat.urls import handler404, handler500
from samizdat.urls import urlpatterns as site_urlpatterns

logger = logging.getLogger("samizdat.tests")


def boom(request):
    address = request.META["REMOTE_ADDR"]
    logger.warning("about to fail for %s", address)
    raise RuntimeError(f"failed for {address} via {request.META.get('HTTP_X_FORWARDED_FOR')}")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
__all__ = ["handler404", "handler500", "urlpatterns"]
