"""Most-read articles, counted on the server without cookies or a record of who read what."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PopularConfig(AppConfig):
    name = "samizdat.popular"
    label = "popular"
    verbose_name = _("Most read")

    def ready(self):
        import atexit

        from .counting import flush_quietly

        # A worker that stops cleanly writes what it has counted; a crash loses at most
        # FLUSH_SECONDS of counts (never an article or a comment).
        atexit.register(flush_quietly)
