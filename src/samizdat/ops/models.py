"""What an import brought in: each item of the source recorded against its id there."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportRecord(models.Model):
    """One item of a WordPress site (a post, page, attachment, term, author or comment) and
    the object it became. Written in the same transaction as that object, so a rerun of
    an interrupted import knows exactly what is already there."""

    class Kind(models.TextChoices):
        POST = "post", _("post")
        PAGE = "page", _("page")
        ATTACHMENT = "attachment", _("attachment")
        CATEGORY = "category", _("category")
        TAG = "tag", _("tag")
        AUTHOR = "author", _("author")
        COMMENT = "comment", _("comment")

    # The site exported (its wp:base_site_url, without the scheme): ids are unique there.
    source = models.CharField(_("source"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The WordPress id; for terms and authors their slug or login, which is what items name.
    wp_id = models.CharField(_("WordPress id"), max_length=200)
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    checksum = models.CharField(_("checksum"), max_length=64, blank=True)
    # Links in its text to old-site items not imported yet: fixed at the end of the run.
    pending_links = models.BooleanField(_("links to fix"), default=False)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("imported item")
        verbose_name_plural = _("imported items")
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "wp_id"],
                                    name="import_record_once"),
        ]
        indexes = [
            models.Index(fields=["source", "pending_links"], name="import_record_pending"),
        ]

    def __str__(self):
        return f"{self.source} {self.kind} {self.wp_id}"
