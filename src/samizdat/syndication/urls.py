"""Feed, sitemap and robots.txt addresses (outside the edition prefix, named per edition)."""

from django.urls import path

from . import feeds

app_name = "syndication"

urlpatterns = [
    path("<str:language>/rss.xml", feeds.EditionFeed(), name="edition-rss"),
    path("<str:language>/atom.xml", feeds.EditionAtomFeed(), name="edition-atom"),
]
