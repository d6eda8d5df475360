"""Sitemaps: one chunk per edition and month, so a million-article archive stays cheap to list."""

import datetime
import zoneinfo

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.utils import timezone

from samizdat.newsroom.models import Article, Page, Section, Tag


class _Absolute(Sitemap):
    """Locations name the main site (settings.SITE_URL), whatever host served the request."""

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["location"] = settings.SITE_URL + url["item"].get_absolute_url()
        return urls


class MonthSitemap(_Absolute):
    """The articles of one edition published in one month: an indexed, bounded range."""

    changefreq = "monthly"

    def __init__(self, language: str, year: int, month: int):
        self.language, self.year, self.month = language, year, month

    def items(self):
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        start = datetime.datetime(self.year, self.month, 1, tzinfo=tz)
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        return (
            Article.objects.published()
            .filter(edition__language=self.language, published_at__gte=start, published_at__lt=end)
            .select_related("edition").only("slug", "pub_date", "published_at", "updated_at",
                                            "edition__language")
            .order_by("published_at", "id")
        )

    def lastmod(self, item):
        return item.updated_at or item.published_at


class SectionSitemap(_Absolute):
    changefreq = "hourly"

    def items(self):
        return Section.objects.select_related("edition").order_by("id")


class TagSitemap(_Absolute):
    changefreq = "daily"

    def items(self):
        return Tag.objects.select_related("edition").order_by("id")


class PageSitemap(_Absolute):
    def items(self):
        return Page.objects.filter(is_published=True).select_related("edition").order_by("id")


def month_chunks() -> list[tuple[str, int, int]]:
    """(language, year, month) for every month that has published articles, newest first."""
    first = Article.objects.published().order_by("published_at").values_list(
        "published_at", flat=True).first()
    if first is None:
        return []
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start, now = first.astimezone(tz), timezone.now().astimezone(tz)
    months = []
    year, month = now.year, now.month
    while (year, month) >= (start.year, start.month):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return [(code, y, m) for code, _ in settings.LANGUAGES for y, m in months]


def sitemaps() -> dict[str, Sitemap]:
    maps: dict[str, Sitemap] = {
        "sections": SectionSitemap(), "tags": TagSitemap(), "pages": PageSitemap(),
    }
    for language, year, month in month_chunks():
        maps[f"{language}-{year}-{month:02d}"] = MonthSitemap(language, year, month)
    return maps
