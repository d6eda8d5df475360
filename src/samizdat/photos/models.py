"""The photo library: stripped originals, their renditions, and photo reports' galleries."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .images import EXTENSION, MIME


def new_key() -> str:
    """A random name for a photo's files: nothing about the upload leaks into its address."""
    return secrets.token_hex(8)


def _fraction(label):
    return models.FloatField(label, default=0.5,
                             validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])


class Photo(models.Model):
    key = models.CharField(max_length=16, unique=True, default=new_key, editable=False)
    original = models.CharField(_("stored original"), max_length=200, editable=False)
    format = models.CharField(_("format"), max_length=8, editable=False)
    source_format = models.CharField(_("uploaded as"), max_length=8, editable=False)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    size = models.PositiveIntegerField(_("bytes"), editable=False)
    has_alpha = models.BooleanField(default=False, editable=False)
    # Editors' own label (the uploaded file name by default); shown in the admin only.
    name = models.CharField(_("name"), max_length=200, blank=True)
    caption = models.TextField(_("caption"), blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True,
                              help_text=_("Who took the photo, as readers see it."))
    alt_text = models.CharField(
        _("alternative text"), max_length=400, blank=True,
        help_text=_("What the photo shows, for readers who cannot see it. Required before "
                    "an article with this photo is published."))
    focal_x = _fraction(_("focal point, across"))
    focal_y = _fraction(_("focal point, down"))
    # What the task queue has made: {"widths": [...], "formats": [...], "thumbs": [...],
    # "focus": "50-50"}. Read by the reader pages without another query.
    renditions = models.JSONField(default=dict, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False, verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.name or self.caption[:60] or f"#{self.pk}"

    def get_absolute_url(self):
        return self.url(self.largest())

    # --- Files --------------------------------------------------------------------------
    @property
    def folder(self) -> str:
        return f"photos/{self.key[:2]}/{self.key}"

    @property
    def fallback(self) -> str:
        """The format every browser shows: JPEG, or PNG where the photo is transparent."""
        return "png" if self.has_alpha else "jpeg"

    @property
    def focus(self) -> str:
        return f"{round(self.focal_x * 100)}-{round(self.focal_y * 100)}"

    def rendition_name(self, width: int, fmt: str, thumb: bool = False) -> str:
        prefix = f"t{self.renditions.get('focus', self.focus)}-" if thumb else ""
        return f"{self.folder}/{prefix}{width}.{EXTENSION[fmt]}"

    def url(self, name: str) -> str:
        return settings.MEDIA_URL + name

    def preview_url(self) -> str:
        """The smallest fallback rendition, made at upload: what the admin shows."""
        widths = self.renditions.get("widths") or []
        return self.url(self.rendition_name(widths[0], self.fallback) if widths
                        else self.original)

    def largest(self) -> str:
        widths = self.renditions.get("widths") or []
        return self.rendition_name(widths[-1], self.fallback) if widths else self.original

    def share_rendition(self, most: int = 1200) -> tuple[str, int]:
        """The picture a link preview shows (og:image, feeds, NewsArticle): the widest
        rendition in the format every client reads, at most `most` pixels wide."""
        widths = self.renditions.get("widths") or []
        fitting = [w for w in widths if w <= most] or widths[:1]
        if not fitting:
            return self.original, self.width
        return self.rendition_name(fitting[-1], self.fallback), fitting[-1]

    def height_for(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))

    def sources(self, thumb: bool = False) -> dict:
        """What a <picture> needs: modern sources, the fallback srcset, src, width, height."""
        made = self.renditions
        widths = made.get("thumbs" if thumb else "widths") or []
        if not widths:
            return {}
        ratio = settings.PHOTO_THUMB_RATIO
        formats = [f for f in made.get("formats", []) if f != self.fallback]

        def srcset(fmt):
            return ", ".join(f"{self.url(self.rendition_name(w, fmt, thumb))} {w}w"
                             for w in widths)

        middle = widths[min(len(widths) - 1, 1)]
        return {
            "modern": [(MIME[f], srcset(f)) for f in formats],
            "srcset": srcset(self.fallback),
            "src": self.url(self.rendition_name(middle, self.fallback, thumb)),
            "width": widths[-1],
            "height": round(widths[-1] / ratio) if thumb else self.height_for(widths[-1]),
        }


class GalleryItem(models.Model):
    """A photo in an article's photo report, in the order readers page through it."""

    article = models.ForeignKey("newsroom.Article", on_delete=models.CASCADE,
                                related_name="gallery", verbose_name=_("article"))
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("photo"))
    position = models.PositiveIntegerField(_("position"), default=0)
    caption = models.TextField(_("caption"), blank=True,
                               help_text=_("Leave empty to use the photo's own caption."))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("photo in the report")
        verbose_name_plural = _("photo report")
        indexes = [models.Index(fields=["article", "position"], name="gallery_order")]

    def __str__(self):
        return str(self.photo)

    @property
    def text(self) -> str:
        return self.caption or self.photo.caption


class PlacedPhoto(models.Model):
    """A photo placed in an article's text with [photo N], kept in step on every save: so
    a change to the photo reaches the article's cached page, and the photo cannot be deleted
    while a text shows it."""

    article = models.ForeignKey("newsroom.Article", on_delete=models.CASCADE, related_name="+")
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="placements")

    class Meta:
        verbose_name = _("photo in a text")
        verbose_name_plural = _("photos in texts")
        constraints = [models.UniqueConstraint(fields=["article", "photo"],
                                               name="placed_photo_once")]

    def __str__(self):
        return f"#{self.photo_id} in #{self.article_id}"
