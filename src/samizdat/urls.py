"""The root URLconf: the admin, the short links, feeds and sitemaps, and the editions."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from samizdat.site import views as site_views

urlpatterns = [
    path(f"{settings.ADMIN_PATH}/", admin.site.urls),
    path("a/<int:pk>/", site_views.short_link, name="short-link"),
    path("", include("samizdat.syndication.urls")),
    *i18n_patterns(path("", include("samizdat.site.urls")), prefix_default_language=True),
]

handler404 = "samizdat.site.views.page_not_found"
handler500 = "samizdat.site.views.server_error"
