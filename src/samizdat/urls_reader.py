"""The URLconf for reader host names when the admin has a host of its own."""

from samizdat.urls import handler404, handler500, reader_urlpatterns

urlpatterns = reader_urlpatterns
__all__ = ["handler404", "handler500", "urlpatterns"]
