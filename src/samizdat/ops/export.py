"""`samizdat export`: everything a newsroom owns, as JSON Lines files and photo originals.

One file per kind of thing (docs/export.md describes each field), written in an order in
which every reference points back to a line already written, so a reader can load the
files one after another. The manifest is written last: a folder without one is an export
that did not finish. Rows are read in chunks (`.iterator`) and written as they come, so
memory stays the same whatever the size of the archive.
"""

import datetime
import importlib.metadata
import json
import os
import posixpath
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from samizdat.progress import progress

SCHEMA_VERSION = 1
FORMAT = "samizdat-export"
MANIFEST = "manifest.json"
PHOTOS_DIR = "photos"
LOGOS_DIR = "logos"
CHUNK = 1000


class ExportError(Exception):
    """The export cannot be written; says why."""


@dataclass(frozen=True)
class Kind:
    """One file of the export: a model, the fields written as they are, and the references
    (field -> kind) whose ids must point at lines of that kind."""

    name: str
    model: str
    fields: tuple[str, ...]
    references: dict[str, str] = field(default_factory=dict)
    # Fields a row may omit on import (written only on request, or derived).
    optional: tuple[str, ...] = ()
    # Fields added after the schema's first version: always written, taken when a line has
    # them (an export made before they existed leaves their defaults).
    newer: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.name}.jsonl"

    def get_model(self):
        return apps.get_model(self.model)


KINDS: tuple[Kind, ...] = (
    Kind("editions", "newsroom.Edition",
         ("id", "language", "site_name", "tagline", "position", "comment_policy",
          "comment_days")),
    Kind("site_settings", "newsroom.SiteSettings",
         ("id", "edition_id", "contact_email", "contacts", "support_text"),
         {"edition_id": "editions"}, newer=("campaign_text", "campaign_url"),
         optional=("logo_file",)),
    Kind("sections", "newsroom.Section",
         ("id", "edition_id", "name", "slug", "description", "position", "show_on_home",
          "comment_policy"),
         {"edition_id": "editions"}),
    Kind("tags", "newsroom.Tag", ("id", "edition_id", "name", "slug"),
         {"edition_id": "editions"}),
    Kind("authors", "newsroom.Author", ("id", "name", "slug", "bio")),
    Kind("photos", "photos.Photo",
         ("id", "key", "original", "format", "source_format", "width", "height", "size",
          "has_alpha", "name", "caption", "credit", "alt_text", "focal_x", "focal_y",
          "renditions", "uploaded_at"),
         optional=("file",)),
    Kind("articles", "newsroom.Article",
         ("id", "edition_id", "headline", "slug", "lead", "body", "section_id",
          "hero_photo_id", "is_breaking", "is_featured", "is_photo_report", "has_video",
          "status", "publish_at", "published_at", "pub_date", "updated_at", "update_note",
          "comment_policy", "translation_key", "created_at", "modified_at"),
         {"edition_id": "editions", "section_id": "sections", "hero_photo_id": "photos"},
         optional=("url", "translation_ids")),
    Kind("revisions", "newsroom.Revision",
         ("id", "article_id", "created_at", "status", "data", "note"),
         {"article_id": "articles"}),
    Kind("redirects", "newsroom.ArticleRedirect",
         ("id", "old_path", "article_id", "created_at"), {"article_id": "articles"}),
    Kind("pages", "newsroom.Page",
         ("id", "edition_id", "kind", "title", "slug", "body", "is_published", "in_footer",
          "position", "modified_at"),
         {"edition_id": "editions"}),
    Kind("legacy_redirects", "newsroom.LegacyRedirect",
         ("id", "old_path", "query", "article_id", "page_id", "section_id", "tag_id", "target",
          "source", "created_at"),
         {"article_id": "articles", "page_id": "pages", "section_id": "sections",
          "tag_id": "tags"}),
    Kind("comments", "comments.Comment",
         ("id", "article_id", "parent_id", "thread_id", "depth", "name", "body", "status",
          "held_for", "reports", "created_at", "moderated_at"),
         {"article_id": "articles", "parent_id": "comments", "thread_id": "comments"},
         optional=("email", "email_confirmed")),
    Kind("social_accounts", "newsroom.SocialAccount",
         ("id", "edition_id", "network", "label", "url", "position"),
         {"edition_id": "editions"}),
    Kind("donation_methods", "newsroom.DonationMethod",
         ("id", "edition_id", "kind", "title", "details", "url", "address", "position"),
         {"edition_id": "editions"}),
    Kind("moderation_settings", "comments.ModerationSettings",
         ("id", "hold_words", "reject_words", "max_links", "reports_to_hide")),
)

# What an article carries besides its own fields: lists of references, in reading order.
ARTICLE_LISTS = {
    "extra_section_ids": "sections",
    "tag_ids": "tags",
    "bylines": "authors",     # [{"author_id", "position"}]
    "gallery": "photos",      # [{"photo_id", "position", "caption"}]
}


def kind(name: str) -> Kind:
    return next(k for k in KINDS if k.name == name)


def plain(value):
    """A field's value as JSON has it: aware datetimes in UTC, dates, UUIDs as text."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@dataclass
class Summary:
    out: Path
    counts: dict[str, int]
    photo_files: int = 0
    photo_bytes: int = 0
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def articles_per_second(self) -> float:
        return self.counts.get("articles", 0) / self.seconds if self.seconds else 0.0


def chunks(rows: Iterable, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@contextmanager
def snapshot():
    """Every query of the export sees the database as it was when the export began, so
    references between the files hold even while the newsroom keeps working."""
    if connection.in_atomic_block:  # already inside a transaction (tests): its view
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        # A deferred transaction reads one snapshot of the WAL without taking the write
        # lock (Django's own atomic() begins IMMEDIATE here, which would stop the newsroom
        # from saving anything until the export ends).
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    yield


def _rows(k: Kind, chunk: int, emails: bool) -> Iterator[dict]:
    """The lines of one kind, in id order."""
    model = k.get_model()
    if k.name == "articles":
        yield from _articles(chunk)
        return
    names = [*k.fields, *k.newer]
    if k.name == "comments" and emails:
        names += ["email", "email_confirmed"]
    if k.name == "site_settings":
        names += ["logo"]
    query = model._default_manager.order_by("pk").values_list(*names)
    for values in query.iterator(chunk_size=chunk):
        row = {name: plain(value) for name, value in zip(names, values, strict=True)}
        if k.name == "photos":
            row["file"] = _photo_file(row["key"], row["original"])
        if k.name == "site_settings":
            logo = row.pop("logo")
            if logo:  # the stored file travels beside the lines (_copy_logo)
                row["logo_file"] = f"{LOGOS_DIR}/{posixpath.basename(logo)}"
                row["_stored"] = logo
        yield row


def _photo_file(key: str, original: str) -> str:
    """Where a photo's original goes inside the export: photos/<key>/<its file name>."""
    return f"{PHOTOS_DIR}/{key}/{os.path.basename(original)}"


def _articles(chunk: int) -> Iterator[dict]:
    from samizdat.newsroom.models import Article, Byline
    from samizdat.photos.models import GalleryItem

    names = kind("articles").fields
    query = (
        Article.objects.order_by("pk")
        .select_related("edition")
        .prefetch_related(
            Prefetch("tags", queryset=_ids_only("newsroom.Tag")),
            Prefetch("extra_sections", queryset=_ids_only("newsroom.Section")),
            Prefetch("bylines", queryset=Byline.objects.order_by("position", "id")),
            Prefetch("gallery", queryset=GalleryItem.objects.order_by("position", "id")),
        )
    )
    for batch in chunks(query.iterator(chunk_size=chunk), chunk):
        groups: dict[uuid.UUID, list[int]] = {}
        for key, pk in (Article.objects.filter(
                translation_key__in={a.translation_key for a in batch})
                .order_by("pk").values_list("translation_key", "pk")):
            groups.setdefault(key, []).append(pk)
        for article in batch:
            row = {name: plain(getattr(article, name)) for name in names}
            row["url"] = article.get_absolute_url() if article.pub_date else None
            row["translation_ids"] = [pk for pk in groups.get(article.translation_key, [])
                                      if pk != article.pk]
            row["extra_section_ids"] = sorted(s.pk for s in article.extra_sections.all())
            row["tag_ids"] = sorted(t.pk for t in article.tags.all())
            row["bylines"] = [{"author_id": b.author_id, "position": b.position}
                              for b in article.bylines.all()]
            row["gallery"] = [{"photo_id": g.photo_id, "position": g.position,
                               "caption": g.caption} for g in article.gallery.all()]
            yield row


def _ids_only(label: str):
    return apps.get_model(label).objects.only("pk").order_by()


def export(out, *, wxr: bool = False, emails: bool = False, chunk: int = CHUNK,
           stream=None) -> Summary:
    """Write the export into `out` (a new or empty folder); returns what was written."""
    started = timezone.now()
    clock = time.monotonic()
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} exists and is not an empty folder; name a new one")
    out.mkdir(parents=True, exist_ok=True)
    summary = Summary(out=out, counts={})
    with snapshot():
        totals = {k.name: k.get_model()._default_manager.count() for k in KINDS}
        with progress(sum(totals.values()), "export", stream) as bar:
            for k in KINDS:
                summary.counts[k.name] = _write_kind(out, k, chunk, emails, summary, bar)
        if wxr:
            from .export_wxr import write_wxr

            write_wxr(out / "wordpress.xml", emails=emails, chunk=chunk, stream=stream)
    manifest = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "created_at": plain(started),
        "samizdat_version": _version(),
        "site_url": settings.SITE_URL,
        "time_zone": settings.TIME_ZONE,
        "languages": [code for code, _name in settings.LANGUAGES],
        "comment_emails": emails,
        "files": {k.name: k.file for k in KINDS},
        "counts": summary.counts,
        "photo_files": {"count": summary.photo_files, "bytes": summary.photo_bytes,
                        "missing": summary.missing},
        "wordpress": "wordpress.xml" if wxr else None,
    }
    _write_json(out / MANIFEST, manifest)
    summary.seconds = time.monotonic() - clock
    return summary


def _version() -> str:
    try:
        return importlib.metadata.version("samizdat")
    except importlib.metadata.PackageNotFoundError:
        return ""


def _write_kind(out: Path, k: Kind, chunk: int, emails: bool, summary: Summary, bar) -> int:
    written = 0
    with open(out / k.file, "w", encoding="utf-8", newline="\n") as f:
        for row in _rows(k, chunk, emails):
            if "_stored" in row:
                _copy_logo(out, row.pop("_stored"), row)
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
            f.write("\n")
            if k.name == "photos":
                _copy_photo(out, row, summary)
            written += 1
            bar.update(1)
    return written


def _copy_photo(out: Path, row: dict, summary: Summary) -> None:
    """The stored original (local folder or bucket) into photos/<key>/; renditions are
    left out, they are made again from it."""
    target = out / row["file"]
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with default_storage.open(row["original"], "rb") as source, open(target, "wb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
    except (FileNotFoundError, OSError) as error:
        if target.exists():
            target.unlink()
        summary.missing.append(f"{row['original']} ({error.__class__.__name__})")
        return
    summary.photo_files += 1
    summary.photo_bytes += target.stat().st_size


def _copy_logo(out: Path, stored: str, row: dict) -> None:
    """An edition's logo into logos/; a stored name whose file is gone exports no logo."""
    target = out / row["logo_file"]
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with default_storage.open(stored, "rb") as source, open(target, "wb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
    except OSError:
        target.unlink(missing_ok=True)
        del row["logo_file"]


def _write_json(path: Path, data) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    os.replace(temporary, path)


def read_manifest(folder) -> dict:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise ExportError(f"{path} is missing: not an export, or one that did not finish")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ExportError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ExportError(f"{path}: not a Samizdat export manifest")
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise ExportError(f"{path}: schema version {manifest.get('schema_version')!r}; this "
                          f"Samizdat reads version {SCHEMA_VERSION}")
    return manifest
