"""The photo library: safe uploads, stripped metadata, renditions, photo reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "samizdat.photos"
    label = "photos"
    verbose_name = _("Photos")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate
        from pillow_heif import register_heif_opener

        from .models import Photo

        # Phones send HEIC; with this opener Pillow reads it like any other format.
        register_heif_opener()
        post_delete.connect(_files_go_too, sender=Photo, dispatch_uid="photos-delete-files")
        # The roles are set after the newsroom migrates, before this app's permissions
        # exist on a new database: set them again once they do.
        post_migrate.connect(_roles, sender=self, dispatch_uid="photos-roles")


def _roles(sender, **kwargs):
    from samizdat.newsroom.roles import sync_roles

    sync_roles()


def _files_go_too(sender, instance, **kwargs):
    from django.db import transaction

    from .services import delete_files

    transaction.on_commit(lambda: delete_files(instance))
