"""Feed, sitemap and robots.txt addresses."""

from django.urls import path

from . import feeds, views

app_name = "syndication"

urlpatterns = [
    path("rss.xml", feeds.SiteFeed(), name="site-rss"),
    path("atom.xml", feeds.atom(feeds.SiteFeed)(), name="site-atom"),
    path("<str:language>/rss.xml", feeds.ArticleFeed(), name="edition-rss"),
    path("<str:language>/atom.xml", feeds.atom(feeds.ArticleFeed)(), name="edition-atom"),
    path("<str:language>/section/<slug:slug>/rss.xml", feeds.SectionFeed(), name="section-rss"),
    path("<str:language>/section/<slug:slug>/atom.xml", feeds.atom(feeds.SectionFeed)(),
         name="section-atom"),
    path("<str:language>/tag/<slug:slug>/rss.xml", feeds.TagFeed(), name="tag-rss"),
    path("<str:language>/tag/<slug:slug>/atom.xml", feeds.atom(feeds.TagFeed)(), name="tag-atom"),
    path("<str:language>/author/<slug:slug>/rss.xml", feeds.AuthorFeed(), name="author-rss"),
    path("<str:language>/author/<slug:slug>/atom.xml", feeds.atom(feeds.AuthorFeed)(),
         name="author-atom"),
    path("sitemap.xml", views.index, name="sitemap-index"),
    path("sitemap-<str:section>.xml", views.chunk, name="sitemap"),
    path("news-sitemap.xml", views.news, name="news-sitemap"),
    path("robots.txt", views.robots, name="robots"),
]
