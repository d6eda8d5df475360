"""The newsroom app: content, workflow and editorial admin."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "samizdat.newsroom"
    label = "newsroom"
    verbose_name = _("Newsroom")

    def ready(self):
        # After the last app has migrated: every app's permissions exist by then, so the
        # roles can hold those of apps installed after this one (photos, comments).
        last = [c for c in self.apps.get_app_configs() if c.models_module is not None][-1]
        post_migrate.connect(_after_migrate, sender=last, dispatch_uid="newsroom-after-migrate")


def _after_migrate(sender, using="default", **kwargs):
    from .editions import ensure_editions
    from .roles import sync_roles

    ensure_editions()
    sync_roles()
