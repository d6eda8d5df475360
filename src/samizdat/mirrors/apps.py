"""Mirrors: copies of the baked site on hosts a censor cannot block cheaply, and a signed
list of where they are."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MirrorsConfig(AppConfig):
    name = "samizdat.mirrors"
    label = "mirrors"
    verbose_name = _("Mirrors")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Mirror

        # The Mirrors page and mirrors.json list them: a change makes cached pages stale.
        for signal in (post_save, post_delete):
            signal.connect(_listed_changed, sender=Mirror, dispatch_uid=f"mirrors-{signal}")


def _listed_changed(sender, instance, update_fields=None, **kwargs):
    # A sync records its status on the mirror: that changes no page.
    if update_fields and set(update_fields) <= STATUS_FIELDS:
        return
    from django.db import transaction

    from samizdat.site.pagecache import on_model_changed

    from .unavailable import write_unavailable_pages

    on_model_changed(sender)
    # The page nginx shows while the application is down lists the mirrors too.
    transaction.on_commit(write_unavailable_pages)


STATUS_FIELDS = {"last_attempt", "last_success", "last_error", "files_sent", "files_deleted",
                 "files_kept", "seconds"}
