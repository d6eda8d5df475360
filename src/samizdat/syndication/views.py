"""Sitemap index and chunks, the news sitemap and robots.txt."""

import datetime
import re

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from samizdat.newsroom.models import Article

from . import sitemaps as maps

CHUNK = re.compile(r"^(?P<language>[a-z]{2,3})-(?P<year>\d{4})-(?P<month>\d{2})$")
STATIC_CHUNKS = {"sections": maps.SectionSitemap, "tags": maps.TagSitemap,
                 "pages": maps.PageSitemap}


def index(request):
    """Lists the chunks without counting them: one small query whatever the archive size."""
    sections = [*STATIC_CHUNKS, *(f"{c}-{y}-{m:02d}" for c, y, m in maps.month_chunks())]
    locations = [settings.SITE_URL + reverse("syndication:sitemap", args=[s]) for s in sections]
    return TemplateResponse(request, "syndication/sitemap_index.xml",
                            {"locations": locations}, content_type="application/xml")


def chunk(request, section):
    match = CHUNK.match(section)
    if match:
        language = match["language"]
        year, month = int(match["year"]), int(match["month"])
        if language not in {c for c, _ in settings.LANGUAGES} or not 1 <= month <= 12:
            raise Http404("no such sitemap")
        sitemap = maps.MonthSitemap(language, year, month)
    elif section in STATIC_CHUNKS:
        sitemap = STATIC_CHUNKS[section]()
    else:
        raise Http404("no such sitemap")
    return sitemap_views.sitemap(request, {section: sitemap}, section=section)


def news(request):
    """Google News sitemap: what was published in the last two days."""
    since = timezone.now() - datetime.timedelta(days=2)
    articles = (
        Article.objects.published().filter(published_at__gte=since)
        .select_related("edition").order_by("-published_at", "-id")[:1000]
    )
    return TemplateResponse(request, "syndication/news_sitemap.xml",
                            {"articles": articles, "site_url": settings.SITE_URL},
                            content_type="application/xml")


def robots(request):
    lines = [
        "User-agent: *",
        f"Disallow: /{settings.ADMIN_PATH}/",
        "Disallow: /*/preview/",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('syndication:sitemap-index')}",
        f"Sitemap: {settings.SITE_URL}{reverse('syndication:news-sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
