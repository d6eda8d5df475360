"""Comment addresses of one edition, under /{lang}/comments/."""

from django.urls import path, re_path

from samizdat.site.pagecache import reader_page

from . import feeds, views

app_name = "comments"

urlpatterns = [
    path("<int:article_id>/", views.article_comments, name="list"),
    re_path(r"^(?P<article_id>\d{1,12})/older/(?P<before>\d{1,12})/$", views.article_comments,
            name="list-older"),
    path("<int:article_id>/post/", views.post, name="post"),
    path("<int:article_id>/thread/<int:root_id>/", views.thread_page, name="thread"),
    re_path(r"^(?P<article_id>\d{1,12})/thread/(?P<root_id>\d{1,12})/after/(?P<after>\d{1,12})/$",
            views.thread_page, name="thread-after"),
    path("<int:article_id>/reply/<int:parent_id>/", views.reply_page, name="reply"),
    path("report/<int:comment_id>/", views.report, name="report"),
    path("email/confirm/<str:token>/", views.confirm, name="confirm"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("rss.xml", reader_page(feeds.edition_feed), name="feed"),
    path("<int:article_id>/rss.xml", reader_page(feeds.article_feed), name="article-feed"),
]
