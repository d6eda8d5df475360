"""JSON-LD for article pages: NewsArticle and BreadcrumbList, escaped for a <script> block."""

import json

from django.conf import settings
from django.utils.safestring import mark_safe

from samizdat.site.helpers import absolute

# The escaping of Django's json_script (its table is private): <, > and & can never close
# the block or open a comment.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _dump(data) -> str:
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308


def article_json_ld(article, edition, bylines):
    url = settings.SITE_URL + article.get_absolute_url()
    home = settings.SITE_URL + edition.get_absolute_url()
    news = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline[:110],
        "description": article.lead,
        "inLanguage": edition.language,
        "mainEntityOfPage": url,
        "url": url,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": (article.updated_at or article.published_at).isoformat()
        if article.published_at else None,
        "author": [{"@type": "Person", "name": a.name,
                    "url": settings.SITE_URL + a.get_absolute_url(edition.language)}
                   for a in bylines],
        "publisher": {"@type": "Organization", "name": edition.site_name, "url": home},
    }
    if article.section_id:
        news["articleSection"] = article.section.name
    if article.hero_photo_id:
        photo = article.hero_photo
        name, width = photo.share_rendition()
        news["image"] = [{"@type": "ImageObject", "url": absolute(photo.url(name)),
                          "width": width, "height": photo.height_for(width)}]
    crumbs = [(edition.site_name, home)]
    if article.section_id:
        section_url = settings.SITE_URL + article.section.get_absolute_url()
        crumbs.append((article.section.name, section_url))
    crumbs.append((article.headline, url))
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": item}
            for i, (name, item) in enumerate(crumbs, start=1)
        ],
    }
    return _dump([news, breadcrumbs])
