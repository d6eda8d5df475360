"""The photo library: safe uploads, stripped metadata, renditions, photo reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "samizdat.photos"
    label = "photos"
    verbose_name = _("Photos")

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_delete

        from .models import Photo

        post_delete.connect(_files_go_too, sender=Photo, dispatch_uid="photos-delete-files")
        post_save.connect(_shown_photo_changed, sender=Photo, dispatch_uid="photos-shown")
        pre_delete.connect(_shown_photo_changed, sender=Photo, dispatch_uid="photos-shown-del")
        post_save.connect(_article_saved, sender="newsroom.Article",
                          dispatch_uid="photos-placements")


def _shown_photo_changed(sender, instance, created=False, **kwargs):
    """Cached pages go stale when a photo they show changes (new renditions, a caption).

    Not for every upload: a newsroom adds photos all day, and each change of the content
    version makes every cached page a miss.
    """
    from django.db import transaction

    from samizdat.newsroom.models import Article
    from samizdat.newsroom.services import content_changed

    from .models import GalleryItem, PlacedPhoto

    if created:
        return
    shown = (Article.objects.filter(hero_photo_id=instance.pk).exists()
             or GalleryItem.objects.filter(photo_id=instance.pk).exists()
             or PlacedPhoto.objects.filter(photo_id=instance.pk).exists())
    if shown:
        transaction.on_commit(
            lambda: content_changed.send(sender, article=None, action="photo"))


def _article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        from .services import sync_placements

        sync_placements(instance)


def _files_go_too(sender, instance, **kwargs):
    from django.db import transaction

    from .services import delete_files

    transaction.on_commit(lambda: delete_files(instance))
