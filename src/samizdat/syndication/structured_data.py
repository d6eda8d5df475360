"""JSON-LD for article pages: NewsArticle and BreadcrumbList, escaped for a <script> block."""

import json

from django.conf import settings
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe


def _dump(data) -> str:
    # The same escaping as django's json_script: <, > and & can never close the block.
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_json_script_escapes))  # noqa: S308


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
