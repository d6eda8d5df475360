"""The newsroom app: content, workflow and editorial admin."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "samizdat.newsroom"
    label = "newsroom"
    verbose_name = _("Newsroom")

    def ready(self):
        post_migrate.connect(_after_migrate, sender=self)


def _after_migrate(sender, using="default", **kwargs):
    from .editions import ensure_editions
    from .roles import sync_roles

    ensure_editions()
    sync_roles()
