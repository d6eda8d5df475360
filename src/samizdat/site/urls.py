"""Reader URLs of one edition; the root URLconf mounts them under /{lang}/."""

from django.urls import path, re_path

from . import views

app_name = "site"

_cursor = r"(?P<cursor>\d{1,20}-\d{1,20})"
_date = r"news/(?P<year>\d{4})/(?:(?P<month>\d{2})/(?:(?P<day>\d{2})/)?)?"


def _listing(route, view, name):
    """A list page and its keyset pages ("older" and "newer" than a cursor)."""
    return [
        re_path(rf"^{route}$", view, name=name),
        re_path(rf"^{route}older/{_cursor}/$", view, {"direction": "older"}, name=f"{name}-older"),
        re_path(rf"^{route}newer/{_cursor}/$", view, {"direction": "newer"}, name=f"{name}-newer"),
    ]


urlpatterns = [
    path("", views.home, name="home"),
    re_path(
        r"^news/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<slug>[-a-zA-Z0-9_]+)/$",
        views.article_detail,
        name="article",
    ),
    *_listing("news/", views.latest, "latest"),
    *_listing(_date, views.archive, "archive"),
    *_listing(r"section/(?P<slug>[-a-zA-Z0-9_]+)/", views.section_detail, "section"),
    *_listing(r"tag/(?P<slug>[-a-zA-Z0-9_]+)/", views.tag_detail, "tag"),
    *_listing(r"author/(?P<slug>[-a-zA-Z0-9_]+)/", views.author_detail, "author"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("<slug:slug>/", views.page_detail, name="page"),
]
