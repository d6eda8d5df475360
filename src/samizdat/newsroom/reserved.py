"""Addresses a static page cannot take: those the site answers with pages of its own.

A page lives at /{language}/{slug}/, the last route of an edition (site/urls.py), so a
page slugged "search", "news" or "popular" would never be shown: the search page, the
latest news or the most read list answer there instead. "lite" is the text-only edition's
prefix (site.middleware), which no route names.
"""

from django.urls import Resolver404, resolve
from django.utils.translation import override

PREFIXES = frozenset({"lite"})


def taken_by_the_site(language: str, slug: str) -> bool:
    """Whether /{language}/{slug}/ answers with something other than a static page."""
    if slug in PREFIXES:
        return True
    with override(language):  # i18n_patterns match the active language's prefix only
        try:
            match = resolve(f"/{language}/{slug}/")
        except Resolver404:
            return False
    return match.view_name != "site:page"
