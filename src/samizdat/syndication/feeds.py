"""RSS 2.0, Atom and JSON Feed 1.1, with full text, built on Django's syndication framework.

Every feed names the WebSub hubs (SAMIZDAT_WEBSUB_HUBS) that websub.py tells of changes.
"""

import copy
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import activate, get_language

from samizdat.newsroom.models import Article, Author, Byline, Edition, Section, Tag
from samizdat.site.helpers import absolute

ITEMS = 30


class FullTextRss(Rss201rev2Feed):
    """RSS 2.0 with the article body in content:encoded, as feed readers expect."""

    def rss_attributes(self):
        return {**super().rss_attributes(),
                "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)  # the atom:link rel="self" WebSub needs too
        for hub in settings.WEBSUB_HUBS:
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": hub})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_encoded"):
            handler.addQuickElement("content:encoded", item["content_encoded"])


class FullTextAtom(Atom1Feed):
    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for hub in settings.WEBSUB_HUBS:
            handler.addQuickElement("link", None, {"rel": "hub", "href": hub})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_encoded"):
            handler.addQuickElement("content", item["content_encoded"], {"type": "html"})


def as_site_url(request):
    """The request as if it came for SAMIZDAT_SITE_URL: Django's feeds make their links and
    self link absolute with the request's host and scheme, and a feed is cached for every
    host (the onion, a mirror's name, the admin's) and scheme alike."""
    site = urlsplit(settings.SITE_URL)
    canonical = copy.copy(request)
    canonical.get_host = lambda: site.netloc
    canonical.is_secure = lambda: site.scheme == "https"
    return canonical


class ArticleFeed(Feed):
    """The latest articles of an edition, or of one of its sections, tags or authors."""

    feed_type = FullTextRss
    scope = "edition"

    def get_feed(self, obj, request):
        return super().get_feed(obj, as_site_url(request))

    def get_object(self, request, language, slug=None):
        if language not in {code for code, _ in settings.LANGUAGES}:
            raise Http404("no such edition")
        activate(language)
        edition = get_object_or_404(Edition, language=language)
        target = None
        if self.scope == "section":
            target = get_object_or_404(Section, edition=edition, slug=slug)
        elif self.scope == "tag":
            target = get_object_or_404(Tag, edition=edition, slug=slug)
        elif self.scope == "author":
            target = get_object_or_404(Author, slug=slug)
        return edition, target

    def title(self, obj):
        edition, target = obj
        return f"{edition.site_name}: {target}" if target else edition.site_name

    def link(self, obj):
        edition, target = obj
        if target is None:
            return edition.get_absolute_url()
        if self.scope == "author":
            return target.get_absolute_url(edition.language)
        return target.get_absolute_url()

    def description(self, obj):
        return obj[0].tagline or obj[0].site_name

    def items(self, obj):
        edition, target = obj
        qs = Article.objects.published().filter(edition=edition).select_related("hero_photo")
        if self.scope == "section":
            qs = qs.filter(section=target)
        elif self.scope == "tag":
            qs = qs.filter(tags=target)
        elif self.scope == "author":
            qs = qs.filter(bylines__author=target)
        return (
            qs.select_related("edition", "section")
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
            .order_by("-published_at", "-id")[:ITEMS]
        )

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return item.lead

    def item_link(self, item):
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at or item.published_at

    def item_author_name(self, item):
        return ", ".join(b.author.name for b in item.bylines.all()) or None

    def item_categories(self, item):
        return [item.section.name] if item.section_id else []

    def item_guid(self, item):
        return f"{settings.SITE_URL}{item.get_short_url()}"

    item_guid_is_permalink = True

    def item_extra_kwargs(self, item):
        return {"content_encoded": item.body}


class SiteFeed(ArticleFeed):
    """Every edition's latest articles together."""

    def get_object(self, request):
        # The feed has one address for every reader: not in the language their browser
        # asks for (it is cached once for all of them), in the site's first language.
        activate(settings.LANGUAGE_CODE)
        return None

    def title(self, obj):
        return "Samizdat"

    def link(self, obj):
        return "/"

    def description(self, obj):
        return "Samizdat"

    def items(self, obj):
        return (
            Article.objects.published().select_related("edition", "section", "hero_photo")
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
            .order_by("-published_at", "-id")[:ITEMS]
        )


def json_feed(feed_class):
    """The same feed as JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    feed = feed_class()

    def view(request, *args, **kwargs):
        obj = feed.get_object(request, *args, **kwargs)
        items = []
        for article in feed.items(obj):
            item = {
                "id": feed.item_guid(article), "url": feed.item_link(article),
                "title": article.headline, "content_html": article.body,
                "date_published": article.published_at.isoformat(),
                "date_modified": feed.item_updateddate(article).isoformat(),
                "language": article.edition.language,
            }
            if article.lead:
                item["summary"] = article.lead
            authors = [{"name": b.author.name} for b in article.bylines.all()]
            if authors:
                item["authors"] = authors
            if article.section_id:
                item["tags"] = [article.section.name]
            if article.hero_photo_id:
                name, _width = article.hero_photo.share_rendition()
                item["image"] = absolute(article.hero_photo.url(name))
            items.append(item)
        data = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": feed.title(obj), "home_page_url": absolute(feed.link(obj)),
            "feed_url": absolute(request.path), "description": feed.description(obj),
            "language": get_language(), "items": items,
        }
        if settings.WEBSUB_HUBS:
            data["hubs"] = [{"type": "WebSub", "url": hub} for hub in settings.WEBSUB_HUBS]
        return HttpResponse(json.dumps(data, ensure_ascii=False, indent=1),
                            content_type="application/feed+json; charset=utf-8")

    return view


def atom(feed_class):
    return type(f"{feed_class.__name__}Atom", (feed_class,), {"feed_type": FullTextAtom,
                                                               "subtitle": feed_class.description})


SectionFeed = type("SectionFeed", (ArticleFeed,), {"scope": "section"})
TagFeed = type("TagFeed", (ArticleFeed,), {"scope": "tag"})
AuthorFeed = type("AuthorFeed", (ArticleFeed,), {"scope": "author"})
