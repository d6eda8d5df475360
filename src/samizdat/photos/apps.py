"""The photo library: safe uploads, stripped metadata, renditions, photo reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "samizdat.photos"
    label = "photos"
    verbose_name = _("Photos")

    def ready(self):
        from django.db.models.signals import post_delete
        from pillow_heif import register_heif_opener

        from .models import Photo

        # Phones send HEIC; with this opener Pillow reads it like any other format.
        register_heif_opener()
        post_delete.connect(_files_go_too, sender=Photo, dispatch_uid="photos-delete-files")


def _files_go_too(sender, instance, **kwargs):
    from django.db import transaction

    from .services import delete_files

    transaction.on_commit(lambda: delete_files(instance))
