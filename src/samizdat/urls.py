"""The root URLconf: the admin, the short links, feeds and sitemaps, and the editions."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.cache import cache_control

from samizdat.mirrors import views as mirror_views
from samizdat.photos import views as photo_views
from samizdat.popular import views as popular_views
from samizdat.site import views as site_views

# A one-colour mark, so browsers asking for /favicon.ico get an answer and not a 404.
FAVICON = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    b'<rect width="16" height="16" fill="#a4000f"/>'
    b'<path d="M5 11.5c1 .8 4.5 1 5-1S5 8 5.5 6s4-1.7 5-1" stroke="#fff" '
    b'stroke-width="2" fill="none"/></svg>'
)


@cache_control(public=True, max_age=86400 * 30)
def favicon(request):
    return HttpResponse(FAVICON, content_type="image/svg+xml")


reader_urlpatterns = [
    path("favicon.ico", favicon),
    path("a/<int:pk>/", site_views.short_link, name="short-link"),
    path("read/<int:pk>/", popular_views.reading, name="reading"),
    path("mirrors.json", mirror_views.mirrors_json, name="mirrors-json"),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", photo_views.media, name="media"),
    path("", include("samizdat.syndication.urls")),
    path("api/v1/", include("samizdat.api.urls", namespace="api-v1")),
    *i18n_patterns(path("comments/", include("samizdat.comments.urls")),
                   path("search/", include("samizdat.search.urls")),
                   path("popular/", include("samizdat.popular.urls")),
                   path("mirrors/", include("samizdat.mirrors.urls")),
                   path("newsletter/", include("samizdat.newsletter.urls")),
                   path("", include("samizdat.site.urls")), prefix_default_language=True),
]
# On one host, both; with SAMIZDAT_ADMIN_HOST set, other hosts get samizdat.urls_reader.
urlpatterns = [path(f"{settings.ADMIN_PATH}/", admin.site.urls), *reader_urlpatterns]

handler404 = "samizdat.site.views.page_not_found"
handler500 = "samizdat.site.views.server_error"
