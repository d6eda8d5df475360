"""What an import brought in (each item of the source recorded against its id there), and
the backups made (by hand or by the worker's schedule) with their outcome."""

from django.db import models
from django.utils import timezone
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


class BackupRun(models.Model):
    """One backup (ops/backup.py), made by hand or claimed by the worker's schedule: what the
    admin and the health check show. Kept in the database, so every machine and every worker
    sees the same record, and a scheduled one is claimed exactly once."""

    class Result(models.TextChoices):
        WAITING = "waiting", _("waiting")
        RUNNING = "running", _("running")
        OK = "ok", _("ok")
        FAILED = "failed", _("failed")

    # The moment of the schedule this run is for (None: made by hand). Unique: of all the
    # workers that find that moment due, the one whose row goes in runs it.
    slot = models.DateTimeField(_("scheduled for"), null=True, blank=True, unique=True)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices,
                              default=Result.RUNNING)
    target = models.CharField(_("target"), max_length=500, blank=True)
    archive = models.CharField(_("archive"), max_length=1000, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    files = models.PositiveIntegerField(_("photo files"), default=0)
    files_sent = models.PositiveIntegerField(_("photo files sent"), default=0)
    message = models.TextField(_("message"), blank=True)
    host = models.CharField(_("machine"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["result", "finished_at"], name="backup_run_result"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.result}"
