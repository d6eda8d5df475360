"""Editions follow the configured languages: one per language, made when missing."""

from django.conf import settings
from django.utils.translation import override

from .models import Edition, SiteSettings

SITE_NAMES = {"be": "Самвыдат", "ru": "Самиздат", "en": "Samizdat"}


def ensure_editions() -> list[Edition]:
    editions = []
    for position, (code, _name) in enumerate(settings.LANGUAGES):
        with override(code):
            edition, _ = Edition.objects.get_or_create(
                language=code,
                defaults={"site_name": SITE_NAMES.get(code, "Samizdat"), "position": position},
            )
        SiteSettings.objects.get_or_create(edition=edition)
        editions.append(edition)
    return editions


def edition_for(language: str) -> Edition | None:
    return Edition.objects.filter(language=language).first()
