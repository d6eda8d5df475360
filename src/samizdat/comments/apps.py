"""Reader comments: posting without an account, moderation, abuse protection."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "samizdat.comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self):
        from django.db.models.signals import post_migrate

        from samizdat.photos.apps import _roles

        # Like the photos: the moderator role's permissions exist only after this migrates.
        post_migrate.connect(_roles, sender=self, dispatch_uid="comments-roles")
