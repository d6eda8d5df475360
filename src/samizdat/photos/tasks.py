"""Background work of the photo library, run by the task queue's worker."""

from django_tasks import task

from . import services
from .models import Photo


@task()
def make_renditions(photo_id: int) -> list[int]:
    """Make every rendition of a photo; enqueued on upload and when its focal point moves."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:  # deleted before the worker got to it
        return []
    return services.make_renditions(photo).renditions["widths"]
