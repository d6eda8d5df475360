"""The reader site: every page a reader sees, server-rendered and cacheable as a whole."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    name = "samizdat.site"
    label = "site"
    verbose_name = _("Reader site")

    def ready(self):
        from samizdat.newsroom.services import content_changed

        from .pagecache import on_content_changed

        content_changed.connect(on_content_changed, dispatch_uid="site-page-cache")
