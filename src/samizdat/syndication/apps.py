"""Distribution: feeds, sitemaps, robots.txt and structured data."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyndicationConfig(AppConfig):
    name = "samizdat.syndication"
    label = "syndication"
    verbose_name = _("Distribution")

    def ready(self):
        from samizdat.newsroom.services import content_changed

        from . import websub

        content_changed.connect(websub.on_content_changed, dispatch_uid="syndication-websub")
