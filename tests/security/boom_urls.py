"""The site's URLconf plus one view that fails, to see what a reader gets from a crash."""

from django.urls import path

from samizdat.urls import handler404, handler500
from samizdat.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("secret internal detail")


def database_away(request):
    from django.db import OperationalError

    raise OperationalError("connection failed: Connection refused")


urlpatterns = [path("boom/", boom), path("ru/database-away/", database_away),
               *site_urlpatterns]
__all__ = ["handler404", "handler500", "urlpatterns"]
