"""Distribution: feeds, sitemaps, robots.txt and structured data."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyndicationConfig(AppConfig):
    name = "samizdat.syndication"
    label = "syndication"
    verbose_name = _("Distribution")
