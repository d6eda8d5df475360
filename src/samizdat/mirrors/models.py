"""Mirrors: where copies of the baked site are sent, and where readers find them."""

import importlib.util

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Mirror(models.Model):
    """Where a copy of the baked site is sent, and where readers find it."""

    class Kind(models.TextChoices):
        FOLDER = "folder", _("Local folder")
        S3 = "s3", _("S3-compatible bucket")
        RSYNC = "rsync", _("Host over SSH (rsync)")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    target = models.CharField(
        _("target"), max_length=500,
        help_text=_("Folder: an absolute path. Bucket: the bucket name. SSH: "
                    "user@host:/path/."))
    endpoint_url = models.URLField(
        _("S3 endpoint"), blank=True,
        help_text=_("For buckets outside AWS (the provider's S3 address). Credentials come "
                    "from the worker's environment (AWS_ACCESS_KEY_ID, "
                    "AWS_SECRET_ACCESS_KEY)."))
    public_url = models.URLField(
        _("public address"), blank=True,
        help_text=_("Where readers reach this copy. Listed on the Mirrors page and in "
                    "mirrors.json; leave empty for a private copy."))
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    last_attempt = models.DateTimeField(_("last attempt"), null=True, blank=True,
                                        editable=False)
    last_success = models.DateTimeField(_("last success"), null=True, blank=True,
                                        editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    files_sent = models.PositiveIntegerField(_("files sent"), default=0, editable=False)
    files_deleted = models.PositiveIntegerField(_("files deleted"), default=0, editable=False)
    files_kept = models.PositiveIntegerField(_("files unchanged"), default=0, editable=False)
    seconds = models.FloatField(_("seconds"), default=0, editable=False)
    # How far this mirror has the copy: the copy's folder and the last entry of its journal
    # sent (bake/state.py). A later update sends only what came after it.
    synced_copy = models.CharField(max_length=200, blank=True, editable=False)
    synced_entry = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("mirror")
        verbose_name_plural = _("mirrors")

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.FOLDER and not self.target.startswith("/"):
            raise ValidationError({"target": _("Give an absolute path, starting with /.")})
        if self.kind == self.Kind.RSYNC and ":" not in self.target:
            raise ValidationError({"target": _("Write it as user@host:/path/.")})
        if self.kind == self.Kind.S3 and ("/" in self.target or not self.target):
            raise ValidationError({"target": _("Give the bucket's name only.")})
        if self.kind == self.Kind.S3 and not s3_installed():
            raise ValidationError({"kind": _(
                "Buckets need the S3 client, which this installation lacks: pip install "
                "'samizdat[s3]' on the server, then save again.")})


def s3_installed() -> bool:
    """Whether boto3 (the `s3` extra: pip install 'samizdat[s3]') is there."""
    return importlib.util.find_spec("boto3") is not None
