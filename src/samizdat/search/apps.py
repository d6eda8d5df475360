"""Search: one interface over SQLite FTS5 and PostgreSQL full-text search."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "samizdat.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self):
        from . import indexing

        indexing.connect()
