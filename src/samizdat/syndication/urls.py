"""Feed, sitemap and robots.txt addresses; all of them are reader pages the page cache keeps."""

from django.urls import path

from samizdat.site.pagecache import reader_page

from . import feeds, views

app_name = "syndication"
# The forms of every feed, as the ends of their route names (syndication:edition-rss ...).
FEED_KINDS = ("rss", "atom", "json")


def feed_pair(prefix: str, feed_class, name: str) -> list:
    """RSS, Atom and JSON Feed for one kind of feed."""
    return [
        path(f"{prefix}rss.xml", reader_page(feed_class()), name=f"{name}-rss"),
        path(f"{prefix}atom.xml", reader_page(feeds.atom(feed_class)()), name=f"{name}-atom"),
        path(f"{prefix}feed.json", reader_page(feeds.json_feed(feed_class)),
             name=f"{name}-json"),
    ]


urlpatterns = [
    *feed_pair("", feeds.SiteFeed, "site"),
    *feed_pair("<str:language>/", feeds.ArticleFeed, "edition"),
    *feed_pair("<str:language>/section/<slug:slug>/", feeds.SectionFeed, "section"),
    *feed_pair("<str:language>/tag/<slug:slug>/", feeds.TagFeed, "tag"),
    *feed_pair("<str:language>/author/<slug:slug>/", feeds.AuthorFeed, "author"),
    path("sitemap.xml", reader_page(views.index), name="sitemap-index"),
    path("sitemap-<str:section>.xml", reader_page(views.chunk), name="sitemap"),
    path("news-sitemap.xml", reader_page(views.news), name="news-sitemap"),
    path("robots.txt", reader_page(views.robots), name="robots"),
]
