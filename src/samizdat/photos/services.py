"""Actions on the photo library: upload, renditions, deletion, and checks before publishing."""

import logging
import os
import re
import secrets
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from . import images
from .models import GalleryItem, Photo, PlacedPhoto

log = logging.getLogger(__name__)

# A photo placed in an article's text: "[photo 123]" on a paragraph of its own.
SHORTCODE = re.compile(r"\[photo\s+(\d{1,12})\]")


def limits() -> dict:
    return {"max_bytes": settings.PHOTO_MAX_MB * 2**20,
            "max_pixels": settings.PHOTO_MAX_MEGAPIXELS * 1_000_000}


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file, refusing to read more than the limit allows."""
    limit = settings.PHOTO_MAX_MB * 2**20
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("The file is larger than %(limit)s MB.")
                              % {"limit": settings.PHOTO_MAX_MB})
    return data


def ingest(data: bytes, *, name: str = "", user=None, caption: str = "", credit: str = "",
           alt_text: str = "", make_renditions: bool = True) -> Photo:
    """Add an upload to the library, or raise ValidationError and leave nothing behind.

    The stored original is the re-encoded, metadata-free copy, never the upload itself; one
    small rendition in the fallback format is made at once so pages can show the photo
    before the task queue has made the rest.
    """
    cleaned = images.clean(data, **limits())
    photo = Photo(
        name=PurePosixPath(name).stem[:200] if name else "", caption=caption,
        credit=credit, alt_text=alt_text, uploaded_by=user, format=cleaned.format,
        source_format=cleaned.source_format, width=cleaned.width, height=cleaned.height,
        size=len(cleaned.data), has_alpha=cleaned.has_alpha,
    )
    photo.original = f"{photo.folder}/original.{images.EXTENSION[cleaned.format]}"
    written = []
    try:
        written.append(default_storage.save(photo.original, ContentFile(cleaned.data)))
        photo.original = written[0]
        image = images.load(cleaned.data, settings.PHOTO_WIDTHS[0])
        first = _widths(photo)[:1]
        written.extend(_write(photo, image, first, [photo.fallback]))
        photo.renditions = {"widths": first, "formats": [photo.fallback], "thumbs": [],
                            "focus": photo.focus}
        with transaction.atomic():
            photo.save()
            if make_renditions:
                from .tasks import make_renditions as task

                transaction.on_commit(lambda: task.enqueue(photo.pk))
    except BaseException:
        for stored in written:
            default_storage.delete(stored)
        raise
    return photo


def _widths(photo: Photo) -> list[int]:
    """The rendition widths of a photo: the configured ones it is wider than, and itself."""
    configured = sorted(settings.PHOTO_WIDTHS)
    widths = [w for w in configured if w < photo.width]
    widths.append(min(photo.width, configured[-1]))
    return sorted(set(widths))


def _write(photo, image, widths, formats, thumb=False) -> list[str]:
    written = []
    for width in widths:
        if thumb:
            scaled = images.crop(image, width, settings.PHOTO_THUMB_RATIO,
                                 (photo.focal_x, photo.focal_y))
        else:
            scaled = images.resize(image, width)
        for fmt in formats:
            name = photo.rendition_name(width, fmt, thumb)
            written.append(_replace(name, images.encode(scaled, fmt)))
    return written


def _replace(name: str, data: bytes) -> str:
    """Write a rendition under its own name, replacing any earlier copy in one step.

    Readers (and nginx, and the other machine behind a bucket) may be asked for the name while
    it is written: they get the old picture or the new one, never a missing or half-written file.
    A folder gets a file written beside it and renamed over it; a bucket's PUT replaces the
    object whole (S3 storage is configured with file_overwrite).
    """
    storage = default_storage
    if isinstance(storage, FileSystemStorage):
        path = Path(storage.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        try:
            partial.write_bytes(data)
            if storage.file_permissions_mode is not None:
                partial.chmod(storage.file_permissions_mode)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return name
    if not getattr(storage, "file_overwrite", False):
        storage.delete(name)
    return storage.save(name, ContentFile(data))


def make_renditions(photo: Photo) -> Photo:
    """Every width in every format, and the list thumbnails around the focal point."""
    with default_storage.open(photo.original, "rb") as stored:
        data = stored.read()
    formats = [*dict.fromkeys([*settings.PHOTO_FORMATS, photo.fallback])]
    widths = _widths(photo)
    thumbs = [w for w in settings.PHOTO_THUMB_WIDTHS if w <= photo.width] or [
        min(settings.PHOTO_THUMB_WIDTHS)]
    image = images.load(data, widths[-1])
    photo.renditions = {"widths": widths, "formats": formats, "thumbs": thumbs,
                        "focus": photo.focus}
    kept = set(_write(photo, image, widths, formats))
    kept |= set(_write(photo, image, thumbs, formats, thumb=True))
    kept.add(photo.original)
    _remove_others(photo, kept)
    photo.save(update_fields=["renditions"])
    return photo


def _remove_others(photo: Photo, kept: set[str]) -> None:
    """Renditions no longer named by the photo (an older focal point's thumbnails)."""
    try:
        _folders, files = default_storage.listdir(photo.folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        path = f"{photo.folder}/{name}"
        if path not in kept:
            default_storage.delete(path)


def delete_files(photo: Photo) -> None:
    try:
        _folders, files = default_storage.listdir(photo.folder)
    except FileNotFoundError:
        files = []
    for name in files:
        default_storage.delete(f"{photo.folder}/{name}")


# --- What articles use ----------------------------------------------------------------------

def placed_ids(body: str) -> list[int]:
    return [int(n) for n in dict.fromkeys(SHORTCODE.findall(body or ""))]


def sync_placements(article) -> None:
    """Record which photos the article's text places (called on every article save)."""
    wanted = set(placed_ids(article.body))
    if wanted:
        wanted &= set(Photo.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    have = set(PlacedPhoto.objects.filter(article=article).values_list("photo_id", flat=True))
    if have - wanted:
        PlacedPhoto.objects.filter(article=article, photo_id__in=have - wanted).delete()
    PlacedPhoto.objects.bulk_create(
        [PlacedPhoto(article=article, photo_id=pk) for pk in wanted - have],
        ignore_conflicts=True)


def set_gallery(article, photos: list[tuple[int, str]]) -> None:
    """Make the article's photo report exactly `photos`: (photo id, caption) in order."""
    GalleryItem.objects.filter(article=article).delete()
    GalleryItem.objects.bulk_create([
        GalleryItem(article=article, photo_id=photo_id, position=position, caption=caption)
        for position, (photo_id, caption) in enumerate(photos)])


def photos_of(article) -> list[Photo]:
    """Every photo an article shows: its hero, its photo report and those in its text."""
    ids = set(placed_ids(article.body))
    if article.hero_photo_id:
        ids.add(article.hero_photo_id)
    if article.pk:
        ids.update(GalleryItem.objects.filter(article=article).values_list("photo_id",
                                                                            flat=True))
    return list(Photo.objects.filter(pk__in=ids))


def require_alt_text(photos) -> None:
    """Raise ValidationError naming the photos without alternative text, if any."""
    missing = [p for p in photos if not p.alt_text.strip()]
    if missing:
        raise ValidationError(
            _("Write the alternative text of every photo before publishing; missing on: "
              "%(photos)s.") % {"photos": ", ".join(f"#{p.pk} {p}" for p in missing)})


def check_for_publishing(article) -> None:
    """Raise ValidationError if a photo the article shows has no alternative text or is gone."""
    check_shown(photos_of(article), placed_ids(article.body))


def check_shown(photos, placed) -> None:
    """`check_for_publishing` for an article not saved yet: the photos it would show and the
    ids its text places."""
    require_alt_text(photos)
    absent = set(placed) - {p.pk for p in photos}
    if absent:
        raise ValidationError(
            _("The text places photos that are not in the library: %(ids)s.")
            % {"ids": ", ".join(f"#{n}" for n in sorted(absent))})
