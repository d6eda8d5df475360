"""RSS 2.0 and Atom feeds built on Django's syndication framework."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import activate

from samizdat.newsroom.models import Article, Edition

ITEMS = 30


class EditionFeed(Feed):
    """The latest articles of one edition."""

    def get_object(self, request, language):
        activate(language)
        return get_object_or_404(Edition, language=language)

    def title(self, edition):
        return edition.site_name

    def link(self, edition):
        return edition.get_absolute_url()

    def description(self, edition):
        return edition.tagline or edition.site_name

    def items(self, edition):
        return (
            Article.objects.published().filter(edition=edition)
            .select_related("edition").order_by("-published_at", "-id")[:ITEMS]
        )

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return item.lead

    def item_pubdate(self, item):
        return item.published_at

    def item_guid(self, item):
        return f"{settings.SITE_URL}{item.get_short_url()}"

    item_guid_is_permalink = True


class EditionAtomFeed(EditionFeed):
    feed_type = Atom1Feed
    subtitle = EditionFeed.description
