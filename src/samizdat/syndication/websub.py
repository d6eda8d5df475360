"""WebSub (W3C Recommendation): each feed names its hubs (feeds.py), and a publication tells
them which feeds changed, so feed readers and search engines that subscribed come at once
instead of polling.

The hubs are told by the task queue (tasks.ping_hubs), after the commit, never while an
editor waits; a hub that does not answer is tried again a few times, then given up on (its
subscribers still poll).
"""

import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.urls import reverse

from samizdat.newsroom.models import Article, Edition

from .urls import FEED_KINDS

logger = logging.getLogger(__name__)
TIMEOUT = 10


def topics(article: Article | None) -> list[str]:
    """The feeds (full addresses) that show `article`: the site's, its edition's, its
    section's, its tags' and its authors'. None: the site's and every edition's."""
    named: list[tuple[str, dict]] = [("site", {})]
    if article is None:
        named += [("edition", {"language": code})
                  for code in Edition.objects.values_list("language", flat=True)]
    else:
        language = article.edition.language
        named.append(("edition", {"language": language}))
        if article.section_id:
            named.append(("section", {"language": language, "slug": article.section.slug}))
        named += [("tag", {"language": language, "slug": slug})
                  for slug in article.tags.values_list("slug", flat=True)]
        named += [("author", {"language": language, "slug": slug})
                  for slug in article.bylines.values_list("author__slug", flat=True)]
    return [settings.SITE_URL + reverse(f"syndication:{name}-{kind}", kwargs=kwargs)
            for name, kwargs in named for kind in FEED_KINDS]


def ping(hub: str, topic: str) -> None:
    """Tell `hub` that `topic` changed (hub.mode=publish); raises OSError when it refuses."""
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": topic}).encode()
    request = urllib.request.Request(  # noqa: S310 (the operator's configured https hub)
        hub, data=body, method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "User-Agent": "Samizdat WebSub publisher"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
        answer.read(1024)


def ping_all(urls: list[str], hubs: list[str]) -> list[tuple[str, str]]:
    """Ping every hub for every topic; return the (hub, topic) pairs that failed."""
    failed = []
    for hub in hubs:
        for topic in urls:
            try:
                ping(hub, topic)
            except (OSError, ValueError) as error:  # URLError and HTTPError are OSErrors
                logger.warning("WebSub hub %s refused %s: %s", hub, topic, error)
                failed.append((hub, topic))
    return failed


def on_content_changed(sender, article=None, action="", **kwargs):
    """content_changed's receiver (sent after the commit): the feeds showing what changed."""
    if article is not None and article.__dict__.pop("_websub_after_render", False):
        return  # render on write tells the hubs once the new feeds are served
    if not settings.WEBSUB_HUBS or action == "redirects":
        return
    from .tasks import ping_hubs

    ping_hubs.enqueue(topics(article))
