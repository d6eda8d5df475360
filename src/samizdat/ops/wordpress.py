"""Importing a WordPress export (WXR) into one edition, again and again without duplicates.

The file is read twice, streaming: first for what items refer to (attachments, terms,
authors; a malformed file stops here, before anything is written), then for the posts and
pages, written in batches of BATCH items, each batch one transaction. Every object made is
recorded against its WordPress id (ImportRecord) in the same transaction, so a rerun skips
what is unchanged, updates what changed, and continues an interrupted run where it stopped.
New posts are written a batch at a time through the newsroom's bulk action
(`import_articles`: the state the actions would leave, one revision each, one audit entry
per batch) with their comments, tags, bylines and old addresses in a few statements;
changed posts go through the actions one by one (update, submit, schedule, publish).
Bodies go through the editor's sanitiser, images through the photo pipeline.
"""

import datetime
import hashlib
import html
import json
import os
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, unquote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from samizdat.bake import tasks as bake_tasks
from samizdat.comments import services as comment_services
from samizdat.comments import text as comment_text
from samizdat.comments.models import Comment
from samizdat.comments.models import Status as CommentStatus
from samizdat.newsroom import bulk, redirects, services
from samizdat.newsroom.demo import TRANSLIT
from samizdat.newsroom.html import ALLOWED_TAGS, sanitize_html
from samizdat.newsroom.models import (
    FUTURE_TOLERANCE,
    Article,
    Author,
    Byline,
    Edition,
    LegacyRedirect,
    Page,
    Revision,
    Section,
    Tag,
    local_date,
)
from samizdat.newsroom.reserved import taken_by_the_site
from samizdat.newsroom.workflow import Status
from samizdat.photos import services as photo_services
from samizdat.photos.embeds import video_link
from samizdat.photos.models import GalleryItem, Photo
from samizdat.progress import progress

from . import wxr
from .models import ImportRecord

BATCH = 500
SOURCE = "wordpress"
# Imported comments have no client: this marker stands where a hashed address would be
# (no real client key looks like it, so no ban or limit of a reader ever matches it).
IMPORTED_CLIENT = "imported-from-wordpress"
# Statuses of posts and what they become. private: kept as a draft, never public.
POST_STATUSES = {"publish": Status.PUBLISHED, "future": Status.SCHEDULED,
                 "draft": Status.DRAFT, "pending": Status.REVIEW, "private": Status.DRAFT}
# Shortcodes this importer turns into the platform's own things.
KNOWN_SHORTCODES = {"caption", "wp_caption", "gallery", "embed"}
# Tags the sanitiser drops with their content or meaning: worth a warning when a body had them.
DROPPED_TAGS = {"script", "iframe", "object", "embed", "video", "audio", "form", "style",
                "input", "button", "svg", "canvas"}

CAPTION = re.compile(r"\[(?:wp_)?caption\b([^\]]*)\](.*?)\[/(?:wp_)?caption\]", re.S | re.I)
GALLERY = re.compile(r"\[gallery\b([^\]]*)\]", re.I)
EMBED = re.compile(r"\[embed\b[^\]]*\]\s*(https?://[^\s\[<]+)\s*\[/embed\]", re.I)
SHORTCODE = re.compile(r"\[([a-zA-Z][\w-]*)(?=[\s\]/])[^\]\[]*\]")
BLOCK_GALLERY = re.compile(r"<!--\s*wp:gallery\b.*?-->(.*?)<!--\s*/wp:gallery\s*-->", re.S)
BLOCK_IMAGE = re.compile(r"<!--\s*wp:image\b.*?-->(.*?)<!--\s*/wp:image\s*-->", re.S)
IMAGE = re.compile(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", re.I)
IFRAME = re.compile(r"<iframe\b[^>]*\bsrc=[\"']([^\"']+)[\"'][^>]*>\s*(?:</iframe>)?", re.I)
FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.S | re.I)
ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'\]]+))""")
WP_IMAGE = re.compile(r"\bwp-image-(\d+)\b")
SRC = re.compile(r"""\bsrc\s*=\s*["']([^"']+)["']""", re.I)
ALT = re.compile(r"""\balt\s*=\s*["']([^"']*)["']""", re.I)
HREF = re.compile(r"""(\bhref\s*=\s*)(["'])([^"']*)\2""", re.I)
SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)|-scaled(?=\.\w+$)")
BLOCK_START = re.compile(
    r"^\s*<(?:p|h[1-6]|ul|ol|li|blockquote|figure|table|pre|hr|div|dl|address|section)\b",
    re.I)
TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b")
EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")
# A word left once tags are taken out: text survived (a cheaper test than plain()).
TAG = re.compile(r"<[^>]*>")
WORD = re.compile(r"\w")
UPLOADS = "/wp-content/uploads/"
# Latin letters that do not decompose into a base letter and a mark.
LATIN = str.maketrans({"ł": "l", "ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "œ": "oe"})


# --- Text helpers ---------------------------------------------------------------------------

def latin_slug(text: str, max_length: int) -> str:
    """A slug in Latin letters, digits and hyphens: percent-encoded and Cyrillic slugs are
    decoded and transliterated (the site's slugs are ASCII)."""
    text = unquote(text).lower().translate(TRANSLIT).translate(LATIN)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in text).split()
    slug = "-".join(words)[:max_length]
    return slug.strip("-")


def plain(text: str) -> str:
    """HTML or entity-laden text as plain text."""
    text = re.sub(r"<br\s*/?>|</p>", "\n", text or "", flags=re.I)
    return html.unescape(strip_tags(text)).strip()


def autop(text: str) -> str:
    """WordPress's wpautop, roughly: blank lines part paragraphs, single newlines break."""
    out = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        block = block.strip()
        if not block:
            continue
        if BLOCK_START.match(block):
            out.append(block)
        else:
            out.append("<p>" + block.replace("\n", "<br>\n") + "</p>")
    return "\n".join(out)


def attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in ATTRIBUTE.finditer(text)}


def parse_gmt(value: str) -> datetime.datetime | None:
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.datetime.strptime(value.strip() + " +0000", "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None


def digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True,
                                     default=str).encode()).hexdigest()


def parse_section_map(value: str) -> dict[str, str]:
    """`--section-map`: "category=section,..." pairs, or a file of such lines (# comments)."""
    if not value:
        return {}
    path = Path(value)
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else value.split(",")
    mapping = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            raise ValueError(_("“%(line)s” is not category=section.") % {"line": line})
        category, section = (part.strip() for part in line.split("=", 1))
        mapping[unquote(category).lower()] = section
    return mapping


# --- The report -----------------------------------------------------------------------------

@dataclass
class Report:
    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    reasons: dict = field(default_factory=lambda: defaultdict(Counter))
    shortcodes: Counter = field(default_factory=Counter)
    warnings: list = field(default_factory=list)
    addresses: int = 0
    links: Counter = field(default_factory=Counter)
    MAX_WARNINGS = 200

    def add(self, kind: str, outcome: str, reason: str = "") -> None:
        self.counts[kind][outcome] += 1
        if reason:
            self.reasons[(kind, outcome)][reason] += 1

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def lines(self) -> list[str]:
        out = []
        for kind in sorted(self.counts):
            done = self.counts[kind]
            out.append(f"{kind}: " + ", ".join(f"{outcome} {n}" for outcome, n in
                                                 sorted(done.items())))
            for outcome in sorted(done):
                for reason, n in self.reasons[(kind, outcome)].most_common():
                    out.append(f"    {outcome}, {reason}: {n}")
        if self.shortcodes:
            out.append(_("Unknown shortcodes, kept as text: %(list)s") % {"list": ", ".join(
                f"[{name}] {n}" for name, n in self.shortcodes.most_common())})
        if self.links:
            out.append(_("Links to the old site: %(list)s") % {"list": ", ".join(
                f"{what} {n}" for what, n in sorted(self.links.items()))})
        out.append(_("Old addresses recorded: %(n)s") % {"n": self.addresses})
        if self.warnings:
            out.append(_("Warnings: %(n)s") % {"n": len(self.warnings)})
            out.extend(f"  - {w}" for w in self.warnings[:self.MAX_WARNINGS])
            if len(self.warnings) > self.MAX_WARNINGS:
                out.append(_("  … and %(n)s more") % {
                    "n": len(self.warnings) - self.MAX_WARNINGS})
        return out


class Stopped(Exception):
    """The import stopped; `message` says where and what was kept."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- What the first pass collects -----------------------------------------------------------

@dataclass
class Attachment:
    wp_id: int
    url: str
    file: str
    title: str
    caption: str
    alt: str
    parent: int


@dataclass
class Staged:
    """A new post, ready to be written with the rest of its batch."""
    item: wxr.Item
    article: Article
    tag_ids: list[int]
    extra_ids: list[int]
    author_ids: list[int]
    gallery: list[tuple[int, str]]
    addresses: list[tuple[str, dict]]
    # (WordPress comment, unsaved comment, checksum), parents before their replies.
    comments: list[tuple[wxr.Comment, Comment, str]] = field(default_factory=list)
    checksum: str = ""
    pending: bool = False


def _actor():
    """Who the actions see: a superuser that exists only in memory, so the audit log says
    "system" and no account (login, password) is made for the import."""
    return get_user_model()(username="wordpress-import", is_active=True, is_superuser=True,
                            is_staff=True)


class Importer:
    def __init__(self, path: Path, edition: Edition, *, media: Path | None = None,
                 section_map: dict[str, str] | None = None, dry_run: bool = False,
                 batch: int = BATCH, stream=None):
        self.path, self.edition, self.media = Path(path), edition, media
        self.section_map = section_map or {}
        self.dry_run, self.batch_size, self.stream = dry_run, batch, stream
        self.report = Report()
        self.channel = wxr.Channel()
        self.actor = _actor()
        self.attachments: dict[int, Attachment] = {}
        self.by_file: dict[str, int] = {}
        self.children: dict[int, list[int]] = defaultdict(list)
        self.categories: dict[str, wxr.Term] = {}
        self.tags: dict[str, wxr.Term] = {}
        self.authors: dict[str, str] = {}
        self.total = 0
        # Ids on this site of what items refer to, filled as they are made.
        self.sections: dict[str, int] = {}
        self.tag_ids: dict[str, int] = {}
        self.author_ids: dict[str, int] = {}
        self.photos: dict[int, int | None] = {}
        self.made_photos: list[Photo] = []
        self.done = 0
        self.missing = 0
        self.unchanged = False
        self.hosts: set[str] = set()
        self.source = ""
        self.default_section: Section | None = None
        # The batch being written: its items' records and objects, the slugs taken on
        # its days, and the new posts waiting to be written together.
        self.records: dict[tuple[str, str], ImportRecord] = {}
        self.objects: dict[str, dict[int, Article | Page]] = {}
        self.day_slugs: dict[datetime.date, set[str]] = {}
        self.staged: list[Staged] = []
        self.staged_ids: set[str] = set()

    # --- The run ----------------------------------------------------------------------------
    def run(self) -> Report:
        self._sweep_journal()
        self.scan()
        if self.dry_run:
            try:
                with transaction.atomic():
                    self._import()
                    transaction.set_rollback(True)
            finally:
                self._forget_photos()
        else:
            self._import()
        return self.report

    def scan(self) -> None:
        """The first pass: what items refer to, and whether the file reads to its end."""
        try:
            for thing in wxr.read(self.path, self.channel):
                if isinstance(thing, wxr.Author):
                    self.authors[thing.login] = html.unescape(thing.display_name)
                elif isinstance(thing, wxr.Term):
                    if thing.kind == "category":
                        self.categories[thing.slug] = thing
                    elif thing.kind == "post_tag":
                        self.tags[thing.slug] = thing
                elif thing.type == "attachment":
                    self._attachment(thing)
                elif thing.type in ("post", "page"):
                    self.total += 1
                    for term in thing.terms:  # terms used but not listed in the channel
                        known = self.categories if term.kind == "category" else self.tags
                        known.setdefault(term.slug, term)
        except wxr.Malformed as exc:
            raise Stopped(self._malformed(exc, scanning=True)) from None
        base = self.channel.base_site_url or self.channel.base_blog_url
        self.source = self._host(base) or self.path.name
        self.hosts = {h for h in (self._host(self.channel.base_site_url),
                                  self._host(self.channel.base_blog_url)) if h}

    def _attachment(self, item: wxr.Item) -> None:
        url = item.attachment_url or ""
        file = item.first_meta("_wp_attached_file")
        if not file and UPLOADS in url:
            file = unquote(url.split(UPLOADS, 1)[1])
        attachment = Attachment(
            wp_id=item.wp_id, url=url, file=file, title=html.unescape(item.title).strip(),
            caption=plain(item.excerpt), alt=item.first_meta("_wp_attachment_image_alt").strip(),
            parent=item.parent)
        self.attachments[item.wp_id] = attachment
        if file:
            self.by_file[file] = item.wp_id
        if item.parent:
            self.children[item.parent].append(item.wp_id)

    @staticmethod
    def _host(url: str) -> str:
        host = (urlsplit(url).hostname or "").lower()
        return host.removeprefix("www.")

    def _malformed(self, exc: wxr.Malformed, scanning: bool) -> str:
        where = (_("at line %(line)s") % {"line": exc.line}) if exc.line else ""
        message = _("%(file)s is not a readable WordPress export %(where)s: %(error)s.") % {
            "file": self.path.name, "where": where, "error": exc.message}
        if scanning:
            return message + " " + _("Nothing was imported.")
        return message + " " + self._kept()

    def _kept(self) -> str:
        return _("The %(n)s items imported before are kept; the batch being written was "
                 "undone. Run the command again: it continues where it stopped.") % {
            "n": self.done}

    def _import(self) -> None:
        with transaction.atomic():
            self._terms_and_authors()
        batch: list[wxr.Item] = []
        with progress(self.total or None, _("WordPress import"), self.stream) as bar:
            try:
                for thing in wxr.read(self.path):
                    if not isinstance(thing, wxr.Item):
                        continue
                    if thing.type not in ("post", "page"):
                        if thing.type != "attachment":
                            self.report.add(thing.type or "item", "skipped",
                                            _("not a post or a page"))
                        continue
                    batch.append(thing)
                    if len(batch) >= self.batch_size:
                        self._write(batch, bar)
                        batch = []
                self._write(batch, bar)
            except wxr.Malformed as exc:
                raise Stopped(self._malformed(exc, scanning=False)) from None
        self._fix_links()
        if not self.dry_run:
            from samizdat.search.engines import engine

            bulk.analyze(Article, Revision, Byline, Comment, ImportRecord, LegacyRedirect,
                         engine().TABLE)

    def _write(self, batch: list[wxr.Item], bar) -> None:
        if not batch:
            return
        first = len(self.made_photos)
        try:
            with transaction.atomic():
                self._look_up(batch)
                for item in batch:
                    self._item(item)
                    self.after_item(item)
                self._flush()
        except BaseException:
            self._forget_photos(first)
            raise
        finally:
            self.staged.clear()
            self.staged_ids.clear()
        self.done += len(batch)
        if not self.dry_run:
            self.made_photos.clear()
            self._journal().unlink(missing_ok=True)
        bar.update(len(batch))

    def _look_up(self, batch: list[wxr.Item]) -> None:
        """What the batch's items became before, and the slugs taken on their days: a few
        queries for the batch rather than a few per item."""
        kinds = {"post": ImportRecord.Kind.POST, "page": ImportRecord.Kind.PAGE}
        records = ImportRecord.objects.filter(
            source=self.source, kind__in=list(kinds.values()),
            wp_id__in=list({str(item.wp_id) for item in batch}))
        self.records = {(r.kind, r.wp_id): r for r in records}
        self.objects = {}
        for kind, model in ((ImportRecord.Kind.POST, Article), (ImportRecord.Kind.PAGE, Page)):
            ids = [r.object_id for r in self.records.values() if r.kind == kind]
            self.objects[kind] = model.objects.in_bulk(ids) if ids else {}
        days = set()
        for item in batch:
            when = parse_gmt(item.date_gmt) if item.type == "post" else None
            if when:
                days.add(local_date(when))
        self.day_slugs = {day: set() for day in days}
        for day, slug in Article.objects.filter(edition=self.edition, pub_date__in=days
                                                ).values_list("pub_date", "slug"):
            self.day_slugs[day].add(slug)

    def _existing(self, kind: str, wp_id) -> tuple[ImportRecord | None, object]:
        key = (kind, str(wp_id))
        if kind == ImportRecord.Kind.POST and key[1] in self.staged_ids:
            self._flush()  # the same post twice in a batch: the second sees the first
            self.records[key] = self._record(kind, wp_id)
        record = self.records.get(key)
        if record is None:
            return None, None
        model = Article if kind == ImportRecord.Kind.POST else Page
        obj = self.objects.get(kind, {}).get(record.object_id)
        if obj is None:
            obj = model.objects.filter(pk=record.object_id).first()
        return record, obj

    def _flush(self) -> None:
        """Write the staged new posts: articles, then what hangs on them."""
        staged, self.staged = self.staged, []
        self.staged_ids.clear()
        if not staged:
            return
        n = len(staged)
        services.import_articles(
            self.actor, [(s.article, s.tag_ids, s.extra_ids, s.author_ids) for s in staged],
            note=_("Imported from WordPress"),
            summary=ngettext("imported %(n)s article from WordPress",
                             "imported %(n)s articles from WordPress", n) % {"n": n})
        GalleryItem.objects.bulk_create([
            GalleryItem(article=s.article, photo_id=photo_id, position=position,
                        caption=caption)
            for s in staged for position, (photo_id, caption) in enumerate(s.gallery)])
        for s in staged:
            if "[photo" in s.article.body:
                photo_services.sync_placements(s.article)
            if s.article.status == Status.PUBLISHED:
                bake_tasks.changed(s.article.pk)
        self._write_comments(staged)
        bulk.insert(
            ImportRecord,
            [{"source": self.source, "kind": ImportRecord.Kind.POST, "wp_id": str(s.item.wp_id),
              "object_id": s.article.pk, "checksum": s.checksum, "pending_links": s.pending}
             for s in staged]
            + [{"source": self.source, "kind": ImportRecord.Kind.COMMENT,
                "wp_id": str(data.wp_id), "object_id": comment.pk, "checksum": checksum}
               for s in staged for data, comment, checksum in s.comments],
            unique_fields=["source", "kind", "wp_id"],
            update_fields=["object_id", "checksum", "pending_links", "updated_at"])
        self._addresses(address for s in staged for address in s.addresses)

    def _write_comments(self, staged: list[Staged]) -> None:
        made = [comment for s in staged for _data, comment, _checksum in s.comments]
        # Threads before replies, replies before theirs: each level knows its parents' ids.
        for depth in range(comment_services.MAX_DEPTH + 1):
            Comment.objects.bulk_create([c for c in made if c.depth == depth])
        # When they were written: created_at is auto_now_add, which bulk_create overrides,
        # and bulk_update's CASE costs more than the insert; one statement, many rows.
        column = Comment._meta.get_field("created_at")
        dated = []
        for s in staged:
            for data, comment, _checksum in s.comments:
                written = parse_gmt(data.date_gmt)
                if written:
                    comment.created_at = written
                    dated.append((column.get_db_prep_save(written, connection), comment.pk))
        if dated:
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {quote(Comment._meta.db_table)} SET {quote(column.column)} = %s "  # noqa: S608
                    f"WHERE {quote(Comment._meta.pk.column)} = %s", dated)
        comment_services.changed_many([s.article for s in staged if any(
            c.status == CommentStatus.APPROVED for _data, c, _checksum in s.comments)])

    def after_item(self, item: wxr.Item) -> None:
        """A hook between items (the tests interrupt a run here)."""

    # Photo files are written before their rows commit with the batch. A batch rolled back
    # while the importer runs takes its files away (_forget_photos); one the process died in
    # (kill -9, power) cannot, so each new photo is written down here first, and the next
    # run removes the files of those that have no row.
    @staticmethod
    def _journal() -> Path:
        return Path(settings.VAR_DIR) / "import-photos.journal"

    def _write_down(self, photo: Photo) -> None:
        with open(self._journal(), "a", encoding="ascii") as journal:
            journal.write(photo.key + "\n")
            journal.flush()
            os.fsync(journal.fileno())

    def _sweep_journal(self) -> None:
        journal = self._journal()
        if not journal.exists():
            return
        keys = set(journal.read_text(encoding="ascii").split())
        kept = set(Photo.objects.filter(key__in=keys).values_list("key", flat=True))
        for key in keys - kept:
            photo_services.delete_files(Photo(key=key))
        if keys - kept:
            self.report.warn(ngettext(
                "Removed the files of %(n)s photo an interrupted import left behind.",
                "Removed the files of %(n)s photos an interrupted import left behind.",
                len(keys - kept)) % {"n": len(keys - kept)})
        journal.unlink()

    def _forget_photos(self, first: int = 0) -> None:
        """Files of photos whose rows a rollback took away."""
        for photo in self.made_photos[first:]:
            photo_services.delete_files(photo)
            self.photos = {k: v for k, v in self.photos.items() if v != photo.pk}
        del self.made_photos[first:]
        if not self.made_photos:
            self._journal().unlink(missing_ok=True)

    # --- Records ----------------------------------------------------------------------------
    def _record(self, kind: str, wp_id) -> ImportRecord | None:
        return ImportRecord.objects.filter(source=self.source, kind=kind,
                                           wp_id=str(wp_id)).first()

    def _remember(self, kind: str, wp_id, obj, checksum: str = "", pending: bool = False):
        record, _created = ImportRecord.objects.update_or_create(
            source=self.source, kind=kind, wp_id=str(wp_id),
            defaults={"object_id": obj.pk, "checksum": checksum, "pending_links": pending})
        if kind in (ImportRecord.Kind.POST, ImportRecord.Kind.PAGE):
            self.records[(kind, str(wp_id))] = record
            self.objects.setdefault(kind, {})[obj.pk] = obj

    def _addresses(self, items: Iterable[tuple[str, dict]]) -> None:
        items = [(address, {**fields, "source": SOURCE}) for address, fields in items
                 if address]
        if items:
            self.report.addresses += redirects.add_many(items)

    # --- Terms and authors ------------------------------------------------------------------
    def _terms_and_authors(self) -> None:
        existing = {s.slug: s for s in Section.objects.filter(edition=self.edition)}
        for target in self.section_map.values():
            if target not in existing:
                raise Stopped(_("--section-map names the section “%(section)s”, which the "
                                "edition %(edition)s does not have (it has: %(list)s).") % {
                    "section": target, "edition": self.edition.language,
                    "list": ", ".join(sorted(existing)) or "-"})
        for slug, term in self.categories.items():
            self.sections[slug] = self._section(slug, term, existing).pk
        for slug, term in self.tags.items():
            self.tag_ids[slug] = self._tag(slug, term).pk
        for login, name in self.authors.items():
            self.author_ids[login] = self._author(login, name).pk

    def _category_path(self, slug: str) -> str:
        parts, seen = [], set()
        while slug and slug not in seen:
            seen.add(slug)
            parts.insert(0, slug)
            parent = self.categories.get(slug)
            slug = parent.parent if parent else ""
        return "/category/" + "/".join(parts) + "/"

    def _section(self, slug: str, term: wxr.Term, existing: dict) -> Section:
        mapped = self.section_map.get(unquote(slug).lower())
        record = self._record(ImportRecord.Kind.CATEGORY, slug)
        if mapped:
            section = existing[mapped]
            outcome = "mapped"
        elif record and Section.objects.filter(pk=record.object_id).exists():
            section = Section.objects.get(pk=record.object_id)
            outcome = "skipped"
        elif unquote(slug).lower() == "uncategorized":
            section = self._default_section()
            outcome = "default section"
        else:
            latin = latin_slug(slug, 100) or latin_slug(term.name, 100) or "section"
            section, created = Section.objects.get_or_create(
                edition=self.edition, slug=latin, defaults={
                    "name": html.unescape(term.name)[:100] or latin,
                    "position": len(existing), "show_on_home": False})
            outcome = "imported" if created else "matched"
        self.report.add("category", outcome)
        self._remember(ImportRecord.Kind.CATEGORY, slug, section)
        self._addresses([(self._category_path(slug), {"section": section})])
        return section

    def _default_section(self) -> Section:
        """Where posts without a category go: what `uncategorized` maps to, else the
        edition's first section, else a new "News" section."""
        if self.default_section is None:
            mapped = self.section_map.get("uncategorized")
            sections = Section.objects.filter(edition=self.edition)
            section = (sections.filter(slug=mapped).first() if mapped else None) or \
                sections.order_by("position", "id").first()
            if section is None:
                with override(self.edition.language):
                    section = Section.objects.create(edition=self.edition, slug="news",
                                                     name=_("News"))
            self.default_section = section
        return self.default_section

    def _tag(self, slug: str, term: wxr.Term) -> Tag:
        latin = latin_slug(slug, 100) or latin_slug(term.name, 100) or "tag"
        tag, created = Tag.objects.get_or_create(
            edition=self.edition, slug=latin,
            defaults={"name": html.unescape(term.name)[:100] or latin})
        self.report.add("tag", "imported" if created else "skipped")
        self._remember(ImportRecord.Kind.TAG, slug, tag)
        self._addresses([(f"/tag/{slug}/", {"tag": tag})])
        return tag

    def _author(self, login: str, name: str) -> Author:
        # The login names a staff account of the old site: only its hash is kept.
        key = hashlib.sha256(login.encode()).hexdigest()[:32]
        record = self._record(ImportRecord.Kind.AUTHOR, key)
        author = Author.objects.filter(pk=record.object_id).first() if record else None
        if author is None:
            slug = latin_slug(name, 120) or f"author-{key[:8]}"
            author, created = Author.objects.get_or_create(slug=slug,
                                                           defaults={"name": name[:120]})
            self.report.add("author", "imported" if created else "matched")
        else:
            self.report.add("author", "skipped")
        self._remember(ImportRecord.Kind.AUTHOR, key, author)
        self.author_ids[login] = author.pk
        return author

    # --- Items ------------------------------------------------------------------------------
    def _item(self, item: wxr.Item) -> None:
        kind = ImportRecord.Kind.POST if item.type == "post" else ImportRecord.Kind.PAGE
        if item.status not in POST_STATUSES:
            reason = {"trash": _("in the trash"), "auto-draft": _("an empty automatic draft"),
                      "inherit": _("a revision")}.get(item.status, item.status)
            self.report.add(kind, "skipped", reason)
            return
        record, obj = self._existing(kind, item.wp_id)
        checksum = self._checksum(item)
        if obj is not None and record.checksum == checksum:
            self.report.add(kind, "skipped", _("unchanged"))
            return
        self.unchanged = False
        warnings_before = len(self.report.warnings)
        photos_before = len(self.made_photos)
        try:
            with transaction.atomic():
                if kind == ImportRecord.Kind.POST:
                    obj, pending, complete = self._post(item, obj)
                else:
                    obj, pending, complete = self._page(item, obj)
                if obj is None:  # a new post, written with its batch
                    self.staged[-1].checksum = checksum if complete else ""
                    self.staged[-1].pending = pending
                else:
                    self._remember(kind, item.wp_id, obj, checksum if complete else "",
                                   pending)
        except (ValidationError, IntegrityError) as exc:
            self._forget_photos(photos_before)
            message = "; ".join(getattr(exc, "messages", None) or [str(exc)])
            self.report.warn(_("%(kind)s %(id)s “%(title)s” (line %(line)s) was not imported: "
                               "%(error)s") % {"kind": kind, "id": item.wp_id,
                                               "title": item.title[:60], "line": item.line,
                                               "error": message})
            self.report.add(kind, "skipped", _("refused"))
            return
        outcome = "updated" if record else "imported"
        if self.unchanged:
            outcome = "checked again, text unchanged"
        if len(self.report.warnings) > warnings_before:
            outcome += _(" with warnings")
        self.report.add(kind, outcome)

    def _checksum(self, item: wxr.Item) -> str:
        sections = sorted({self.sections.get(t.slug) for t in item.terms
                           if t.kind == "category"} - {None})
        return digest(item.title, item.content, item.excerpt, item.status, item.date_gmt,
                      item.name, item.is_sticky, item.creator, item.link, item.parent,
                      [(t.kind, t.slug) for t in item.terms], sections,
                      item.meta.get("_thumbnail_id"), item.meta.get("_wp_old_slug"),
                      [(c.wp_id, c.approved, c.type, c.parent, c.author, c.content,
                        c.date_gmt) for c in item.comments])

    def _title(self, item: wxr.Item) -> str:
        return plain(item.title) or _("(no title)")

    def _post(self, item: wxr.Item, article: Article | None):
        now = timezone.now()
        target = POST_STATUSES[item.status]
        when = parse_gmt(item.date_gmt)
        if item.status == "private":
            self.report.add("post", "kept as a draft", _("private: never public here"))
        if target == Status.PUBLISHED and when and when > now + FUTURE_TOLERANCE:
            target = Status.SCHEDULED
        if target == Status.SCHEDULED and (when is None or when <= now):
            target = Status.PUBLISHED if when else Status.DRAFT
        if target == Status.PUBLISHED and when is None:
            when = now
        missing = self.missing
        body, gallery, pending = self._body(item)
        hero = None
        thumbnail = item.first_meta("_thumbnail_id")
        if thumbnail.strip().isdigit():
            hero = self._photo(int(thumbnail), item)
        # An item with an image missing is done again on the next run (the folder may
        # be complete by then); the others only when they change.
        complete = self.missing == missing

        categories = [t.slug for t in item.terms if t.kind == "category"]
        section_ids = list(dict.fromkeys(self.sections[s] for s in categories
                                         if s in self.sections))
        section_id = section_ids[0] if section_ids else self._default_section().pk
        fields = {
            "headline": self._title(item)[:250],
            "lead": plain(item.excerpt),
            "body": body,
            "section_id": section_id,
            "is_featured": item.is_sticky,
            "is_photo_report": bool(gallery),
            "hero_photo_id": hero,
        }
        tag_ids = list(dict.fromkeys(self.tag_ids[t.slug] for t in item.terms
                                     if t.kind == "post_tag" and t.slug in self.tag_ids))
        extra_ids = [pk for pk in section_ids if pk != section_id]
        author_ids = [self.author_ids[item.creator]] if item.creator in self.author_ids else []
        if item.creator and not author_ids:
            self.report.warn(_("post %(id)s: its author is not in the export; no byline.")
                             % {"id": item.wp_id})
        day = when if target in (Status.PUBLISHED, Status.SCHEDULED) else None
        slug = self._slug(item, day, article)

        if article is None:
            self._stage(item, Article(edition=self.edition, slug=slug, **fields), target, when,
                        tag_ids, extra_ids, author_ids, gallery)
            return None, pending, complete
        if not self._differs(article, fields, slug, tag_ids, extra_ids, author_ids, gallery):
            self.unchanged = True
        else:
            for name, value in fields.items():
                setattr(article, name, value)
            article.slug = slug
            article.full_clean(exclude=["status"])
            article.save()
            article.tags.set(tag_ids)
            article.extra_sections.set(extra_ids)
            services.set_bylines(article, author_ids)
            photo_services.set_gallery(article, gallery)
            services.save_article(article, self.actor, note=_("Updated from WordPress"))
        self._move(article, target, when, item)
        self._comments(article, item)
        self._addresses(self._post_addresses(item, article))
        return article, pending, complete

    @staticmethod
    def _differs(article, fields, slug, tag_ids, extra_ids, author_ids, gallery) -> bool:
        """Whether an update would change the article (an item tried again because of a
        missing image usually would not: no new revision then)."""
        return (any(getattr(article, name) != value for name, value in fields.items())
                or article.slug != slug
                or set(article.tags.values_list("id", flat=True)) != set(tag_ids)
                or set(article.extra_sections.values_list("id", flat=True)) != set(extra_ids)
                or list(article.bylines.values_list("author_id", flat=True)) != author_ids
                or list(article.gallery.values_list("photo_id", "caption")) != gallery)

    def _stage(self, item: wxr.Item, article: Article, target: str, when, tag_ids: list[int],
               extra_ids: list[int], author_ids: list[int], gallery: list) -> None:
        """A new post as the actions would leave it, to be written with its batch (the
        checks `transition` makes, the address's being free aside: `_slug` saw to it)."""
        if target in (Status.PUBLISHED, Status.SCHEDULED):
            placed = photo_services.placed_ids(article.body)
            shown = {*placed, *(pk for pk, _caption in gallery), article.hero_photo_id} - {None}
            try:
                if shown:
                    photo_services.check_shown(list(Photo.objects.filter(pk__in=shown)), placed)
            except ValidationError as exc:
                self.report.warn(_("post %(id)s “%(title)s” stays %(status)s, not %(target)s: "
                                   "%(error)s") % {
                    "id": item.wp_id, "title": article.headline[:60],
                    "status": Status.DRAFT.label, "target": Status(target).label,
                    "error": "; ".join(exc.messages)})
                target = Status.DRAFT
        article.status = target
        article.published_at = when if target == Status.PUBLISHED else None
        article.publish_at = when if target == Status.SCHEDULED else None
        article.clean_fields(exclude=["edition", "section", "hero_photo", "created_by",
                                      "status"])
        staged = Staged(item=item, article=article, tag_ids=tag_ids, extra_ids=extra_ids,
                        author_ids=author_ids, gallery=gallery,
                        addresses=self._post_addresses(item, article))
        staged.comments = self._new_comments(article, item)
        self.staged.append(staged)
        self.staged_ids.add(str(item.wp_id))

    def _slug(self, item: wxr.Item, day, article: Article | None) -> str:
        """The item's slug, free on its day among this edition's articles and the batch's."""
        base = (latin_slug(item.name.removesuffix("__trashed"), 120)
                or latin_slug(plain(item.title), 120) or f"post-{item.wp_id}")
        if day is None:
            return base
        date = local_date(day)
        if date not in self.day_slugs:
            self.day_slugs[date] = set(Article.objects.filter(
                edition=self.edition, pub_date=date).values_list("slug", flat=True))
        taken = self.day_slugs[date]
        if article is not None and article.pub_date == date:
            taken = taken - {article.slug}
        slug, n = base, 1
        while slug in taken:
            n += 1
            suffix = f"-{n}"
            slug = base[:120 - len(suffix)] + suffix
        self.day_slugs[date].add(slug)
        return slug

    def _move(self, article: Article, target: str, when, item: wxr.Item) -> None:
        """Bring the article to `target` through the workflow's actions."""
        current = article.status
        if current == target == Status.SCHEDULED and article.publish_at != when:
            current = Status.DRAFT
            services.transition(article, "unschedule", self.actor)
        if current == target:
            return
        steps = {
            (Status.DRAFT, Status.REVIEW): ["submit"],
            (Status.DRAFT, Status.PUBLISHED): ["publish"],
            (Status.DRAFT, Status.SCHEDULED): ["schedule"],
            (Status.REVIEW, Status.DRAFT): ["return"],
            (Status.REVIEW, Status.PUBLISHED): ["publish"],
            (Status.REVIEW, Status.SCHEDULED): ["schedule"],
            (Status.SCHEDULED, Status.PUBLISHED): ["publish"],
            (Status.SCHEDULED, Status.DRAFT): ["unschedule"],
            (Status.SCHEDULED, Status.REVIEW): ["unschedule", "submit"],
            (Status.UNPUBLISHED, Status.PUBLISHED): ["publish"],
            (Status.UNPUBLISHED, Status.DRAFT): ["return"],
            (Status.UNPUBLISHED, Status.REVIEW): ["return", "submit"],
        }.get((current, target))
        if current == Status.PUBLISHED:
            steps = ["unpublish"]  # gone from readers on the old site: gone here too
        try:
            with transaction.atomic():
                for action in steps or []:
                    services.transition(article, action, self.actor,
                                        when if action == "schedule" else None)
        except ValidationError as exc:
            article.refresh_from_db()
            self.report.warn(_("post %(id)s “%(title)s” stays %(status)s, not %(target)s: "
                               "%(error)s") % {
                "id": item.wp_id, "title": article.headline[:60],
                "status": article.get_status_display(), "target": Status(target).label,
                "error": "; ".join(exc.messages)})

    def _post_addresses(self, item: wxr.Item, article: Article) -> list[tuple[str, dict]]:
        path = urlsplit(item.link).path if self._host(item.link) in self.hosts else ""
        addresses = [(f"/?p={item.wp_id}", {"article": article})]
        if path and path != "/" and not urlsplit(item.link).query:
            addresses.append((path, {"article": article}))
            for old in item.meta.get("_wp_old_slug", []):
                parts = path.rstrip("/").split("/")
                if old.strip() and parts[-1]:
                    parts[-1] = old.strip()
                    addresses.append(("/".join(parts) + "/", {"article": article}))
        return addresses

    def _page(self, item: wxr.Item, page: Page | None):
        body, gallery, pending = self._body(item)
        if gallery:
            body += "".join(self._figure(pk, "") for pk, _caption in gallery)
        base = latin_slug(item.name, 100) or latin_slug(plain(item.title), 100) \
            or f"page-{item.wp_id}"
        taken = Page.objects.filter(edition=self.edition, slug__startswith=base)
        if page is not None:
            taken = taken.exclude(pk=page.pk)
        taken = set(taken.values_list("slug", flat=True))
        slug, n = base, 1
        while slug in taken or taken_by_the_site(self.edition.language, slug):
            n += 1
            slug = f"{base[:95]}-{n}"
        if item.status != "publish":
            self.report.add("page", "kept unpublished", item.status)
        page = page or Page(edition=self.edition, in_footer=False)
        page.title = self._title(item)[:200]
        page.slug = slug
        page.body = body
        page.is_published = item.status == "publish"
        page.full_clean()
        page.save()
        path = urlsplit(item.link).path if self._host(item.link) in self.hosts else ""
        addresses = [(f"/?page_id={item.wp_id}", {"page": page})]
        if path and path != "/" and not urlsplit(item.link).query:
            addresses.append((path, {"page": page}))
        self._addresses(addresses)
        return page, pending, True

    # --- Comments ---------------------------------------------------------------------------
    def _comments(self, article: Article, item: wxr.Item) -> None:
        if not item.comments:
            return
        parents = {c.wp_id: c.parent for c in item.comments}
        records = {r.wp_id: r for r in ImportRecord.objects.filter(
            source=self.source, kind=ImportRecord.Kind.COMMENT,
            wp_id__in=[str(c.wp_id) for c in item.comments])}
        existing = Comment.objects.in_bulk([r.object_id for r in records.values()])
        made: dict[int, Comment] = {}
        shown = None
        for data in sorted(item.comments, key=lambda c: c.wp_id):
            record = records.get(str(data.wp_id))
            comment = existing.get(record.object_id) if record else None
            status = {"1": CommentStatus.APPROVED, "0": CommentStatus.PENDING}.get(data.approved)
            if data.type in ("pingback", "trackback"):
                self.report.add("comment", "skipped", data.type)
                continue
            if status is None:
                self.report.add("comment", "skipped", data.approved or "?")
                if comment is not None and comment.status != CommentStatus.SPAM:
                    comment_services.moderate([comment], CommentStatus.SPAM, None)
                    shown = comment
                continue
            checksum = digest(data.approved, data.author, data.content, data.date_gmt,
                              data.parent)
            if comment is not None:
                made[data.wp_id] = comment
                if record.checksum == checksum:
                    self.report.add("comment", "skipped", _("unchanged"))
                    continue
                comment.name = plain(data.author)[:60] or _("Anonymous")
                comment.body = self._comment_body(data)
                comment.save(update_fields=["name", "body"])
                if comment.status != status:
                    comment_services.moderate([comment], status, None)
                self._remember(ImportRecord.Kind.COMMENT, data.wp_id, comment, checksum)
                self.report.add("comment", "updated")
                shown = comment
                continue
            parent, depth = _thread_place(data.parent, parents, made)
            comment = Comment.objects.create(
                article=article, parent=parent,
                thread_id=(parent.thread_id or parent.pk) if parent else None, depth=depth,
                name=plain(data.author)[:60] or _("Anonymous"), body=self._comment_body(data),
                client=IMPORTED_CLIENT, status=status,
                held_for=_("imported from WordPress") if status == CommentStatus.PENDING
                else "")
            written = parse_gmt(data.date_gmt)
            if written:
                Comment.objects.filter(pk=comment.pk).update(created_at=written)
            made[data.wp_id] = comment
            self._remember(ImportRecord.Kind.COMMENT, data.wp_id, comment, checksum)
            self.report.add("comment", "imported",
                            "" if status == CommentStatus.APPROVED else _("awaiting moderation"))
            if status == CommentStatus.APPROVED:
                shown = comment
        if shown is not None:
            comment_services.changed(shown)

    def _new_comments(self, article: Article, item: wxr.Item) -> list:
        """The comments of a new post, unsaved, threaded as `_comments` threads them."""
        parents = {c.wp_id: c.parent for c in item.comments}
        made: dict[int, Comment] = {}
        out = []
        for data in sorted(item.comments, key=lambda c: c.wp_id):
            status = {"1": CommentStatus.APPROVED, "0": CommentStatus.PENDING}.get(data.approved)
            if data.type in ("pingback", "trackback"):
                self.report.add("comment", "skipped", data.type)
                continue
            if status is None:
                self.report.add("comment", "skipped", data.approved or "?")
                continue
            parent, depth = _thread_place(data.parent, parents, made)
            comment = Comment(
                article=article, parent=parent,
                thread=(parent.thread or parent) if parent else None, depth=depth,
                name=plain(data.author)[:60] or _("Anonymous"), body=self._comment_body(data),
                client=IMPORTED_CLIENT, status=status,
                held_for=_("imported from WordPress") if status == CommentStatus.PENDING
                else "")
            made[data.wp_id] = comment
            out.append((data, comment, digest(data.approved, data.author, data.content,
                                              data.date_gmt, data.parent)))
            self.report.add("comment", "imported",
                            "" if status == CommentStatus.APPROVED else _("awaiting moderation"))
        return out

    def _comment_body(self, data: wxr.Comment) -> str:
        return comment_text.clean(plain(data.content)) or "…"

    # --- Bodies -----------------------------------------------------------------------------
    def _body(self, item: wxr.Item) -> tuple[str, list[tuple[int, str]], bool]:
        """(sanitisable HTML, photo report, whether links wait for later items)."""
        text = item.content or ""
        gallery: list[tuple[int, str]] = []
        label = f"{item.type} {item.wp_id}"

        def place(photo_id: int | None, caption: str) -> str:
            if photo_id and item.type == "page":
                return f"\n\n{self._figure(photo_id, caption)}\n\n"
            if photo_id:
                return f"\n\n<p>[photo {photo_id}]</p>\n\n"
            return f"\n\n<p>{html.escape(caption)}</p>\n\n" if caption else "\n\n"

        def caption(match: re.Match) -> str:
            attrs, inner = attributes(match.group(1)), match.group(2)
            found = re.search(r"attachment_(\d+)", attrs.get("id", ""))
            wp_id = int(found.group(1)) if found else self._image_id(inner)
            text = plain(IMAGE.sub("", inner)) or attrs.get("caption", "")
            return place(self._photo(wp_id, item, text) if wp_id else None, text)

        def gallery_code(match: re.Match) -> str:
            attrs = attributes(match.group(1))
            ids = attrs.get("ids") or attrs.get("include") or ""
            wanted = [int(n) for n in re.findall(r"\d+", ids)] or sorted(
                self.children.get(item.wp_id, []))
            self._gallery(wanted, item, gallery)
            return "\n\n"

        def block_gallery(match: re.Match) -> str:
            ids = [self._image_id(m.group(0)) for m in IMAGE.finditer(match.group(1))]
            self._gallery([n for n in ids if n], item, gallery)
            return "\n\n"

        def block_image(match: re.Match) -> str:
            inner = match.group(1)
            found = FIGCAPTION.search(inner)
            text = plain(found.group(1)) if found else ""
            wp_id = self._image_id(inner)
            if wp_id is None:
                return inner
            return place(self._photo(wp_id, item, text), text)

        def image(match: re.Match) -> str:
            wp_id = self._image_id(match.group(0))
            if wp_id is None:
                src = SRC.search(match.group(0))
                if src and self._is_old(src.group(1)) and UPLOADS in src.group(1):
                    self.report.warn(_("%(item)s: the image %(src)s is not among the "
                                       "export's attachments; left out.") % {
                        "item": label, "src": src.group(1)})
                    return ""
                return match.group(0)
            alt = ALT.search(match.group(0))
            return place(self._photo(wp_id, item), alt.group(1) if alt else "")

        def iframe(match: re.Match) -> str:
            found = video_link(html.unescape(match.group(1)))
            return f"\n\n<p>{found[1]}</p>\n\n" if found else match.group(0)

        text = CAPTION.sub(caption, text)
        text = GALLERY.sub(gallery_code, text)
        text = EMBED.sub(lambda m: f"\n\n<p>{m.group(1)}</p>\n\n", text)
        text = BLOCK_GALLERY.sub(block_gallery, text)
        text = BLOCK_IMAGE.sub(block_image, text)
        text = IMAGE.sub(image, text)
        text = IFRAME.sub(iframe, text)
        for name in SHORTCODE.findall(text):
            if name.lower() not in KNOWN_SHORTCODES and name.lower() != "photo":
                self.report.shortcodes[name] += 1
        text = autop(re.sub(r"<!--.*?-->", "", text, flags=re.S))
        text, pending = self._links(text)
        dropped = sorted({t.lower() for t in TAG_NAME.findall(text)} & DROPPED_TAGS)
        if dropped:
            self.report.warn(_("%(item)s: the sanitiser removed %(tags)s.") % {
                "item": label, "tags": ", ".join(f"<{t}>" for t in dropped)})
        unknown = {t.lower() for t in TAG_NAME.findall(text)} - ALLOWED_TAGS - DROPPED_TAGS
        source = text
        text = EMPTY_PARAGRAPH.sub("", sanitize_html(text))
        text = re.sub(r"\n\s*\n+", "\n", text)
        if ("[photo" not in text and "<img" not in text and not WORD.search(TAG.sub("", text))
                and not plain(text) and plain(source)):
            self.report.warn(_("%(item)s: nothing of the text survived the sanitiser "
                               "(it had %(tags)s).") % {"item": label,
                                                        "tags": ", ".join(sorted(unknown))})
        return text.strip(), gallery, pending

    @staticmethod
    def _figure(photo_id: int, caption: str) -> str:
        """A photo in a static page's text, which shows no [photo N] placements."""
        photo = Photo.objects.get(pk=photo_id)
        caption = caption or photo.caption
        return format_html(
            '<figure><img src="{}" alt="{}" width="{}" height="{}">{}</figure>',
            photo.get_absolute_url(), photo.alt_text, photo.renditions["widths"][-1],
            photo.height_for(photo.renditions["widths"][-1]),
            format_html("<figcaption>{}</figcaption>", caption) if caption else "")

    def _gallery(self, wanted: list[int], item: wxr.Item, gallery: list) -> None:
        for wp_id in wanted:
            photo = self._photo(wp_id, item)
            if photo and photo not in (pk for pk, _caption in gallery):
                gallery.append((photo, ""))

    def _is_old(self, url: str) -> bool:
        return self._host(url) in self.hosts

    def _image_id(self, markup: str) -> int | None:
        """The attachment an <img> (or markup holding one) shows: by its wp-image-N class,
        else by its file name in the uploads folder (sizes like -300x200 taken off)."""
        found = WP_IMAGE.search(markup)
        if found and int(found.group(1)) in self.attachments:
            return int(found.group(1))
        src = SRC.search(markup)
        if src and UPLOADS in src.group(1):
            file = unquote(urlsplit(html.unescape(src.group(1))).path.split(UPLOADS, 1)[1])
            return self.by_file.get(file) or self.by_file.get(SIZE_SUFFIX.sub("", file))
        return int(found.group(1)) if found else None

    # --- Photos -----------------------------------------------------------------------------
    def _photo(self, wp_id: int, item: wxr.Item, caption: str = "") -> int | None:
        """The library photo of an attachment, made from the uploads folder on first use."""
        if wp_id in self.photos:
            self.missing += self.photos[wp_id] is None
            return self.photos[wp_id]
        label = f"{item.type} {item.wp_id}"
        record = self._record(ImportRecord.Kind.ATTACHMENT, wp_id)
        if record and Photo.objects.filter(pk=record.object_id).exists():
            self.photos[wp_id] = record.object_id
            self.report.add("attachment", "skipped", _("imported before"))
            return record.object_id
        attachment = self.attachments.get(wp_id)
        if attachment is None:
            self.report.warn(_("%(item)s: attachment %(id)s is not in the export.")
                             % {"item": label, "id": wp_id})
            return None
        if self.media is None:
            self.report.warn(_("%(item)s: no --media folder given for %(file)s.")
                             % {"item": label, "file": attachment.file or attachment.url})
            self.report.add("attachment", "missing")
            self.missing += 1
            return None
        path = (self.media / attachment.file).resolve() if attachment.file else None
        if path is None or not path.is_relative_to(self.media.resolve()) or not path.is_file():
            self.report.warn(_("%(item)s: the image %(file)s is not in the media folder.")
                             % {"item": label, "file": attachment.file or attachment.url})
            self.report.add("attachment", "missing")
            self.missing += 1
            self.photos[wp_id] = None
            return None
        alt = attachment.alt or attachment.caption or caption or attachment.title
        if not attachment.alt:
            self.report.add("attachment", "alternative text from the caption or title")
        try:
            photo = photo_services.ingest(
                path.read_bytes(), name=PurePosixPath(attachment.file).name,
                caption=attachment.caption or caption, alt_text=alt[:400])
        except ValidationError as exc:
            self.report.warn(_("%(item)s: the image %(file)s was refused: %(error)s") % {
                "item": label, "file": attachment.file, "error": "; ".join(exc.messages)})
            self.report.add("attachment", "refused")
            self.photos[wp_id] = None
            return None
        self.made_photos.append(photo)
        self._write_down(photo)
        self._remember(ImportRecord.Kind.ATTACHMENT, wp_id, photo)
        self.report.add("attachment", "imported")
        self.photos[wp_id] = photo.pk
        return photo.pk

    def _known_photo(self, wp_id: int) -> int | None:
        """The photo of an attachment imported already (this run or before), else None."""
        if wp_id not in self.photos:
            record = self._record(ImportRecord.Kind.ATTACHMENT, wp_id)
            return record.object_id if record else None
        return self.photos[wp_id]

    # --- Links ------------------------------------------------------------------------------
    def _links(self, text: str, final: bool = False) -> tuple[str, bool]:
        """Links to the old site's posts, pages, terms and uploads made the new addresses.
        Returns the text and whether some wait for items not imported yet."""
        pending = False

        def rewrite(match: re.Match) -> str:
            nonlocal pending
            address = html.unescape(match.group(3))
            if not self._is_old(address):
                return match.group(0)
            parts = urlsplit(address)
            new = None
            if UPLOADS in parts.path:
                file = unquote(parts.path.split(UPLOADS, 1)[1])
                wp_id = self.by_file.get(file) or self.by_file.get(SIZE_SUFFIX.sub("", file))
                photo_id = self._known_photo(wp_id) if wp_id else None
                photo = Photo.objects.filter(pk=photo_id).first() if photo_id else None
                new = photo.get_absolute_url() if photo else None
            else:
                new = redirects.resolve(parts.path or "/", parts.query)
            if new is None and self._p_query(parts.query) is None and parts.path in ("", "/"):
                new = "/"  # the old home page
            if new is None:
                if not final:
                    pending = True
                    return match.group(0)
                self.report.links["not matched, made relative"] += 1
                new = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            else:
                self.report.links["rewritten"] += 1
            if parts.fragment:
                new += f"#{parts.fragment}"
            return f"{match.group(1)}{match.group(2)}{html.escape(new)}{match.group(2)}"

        return HREF.sub(rewrite, text), pending

    @staticmethod
    def _p_query(query: str) -> str | None:
        keys = dict(parse_qsl(query))
        return keys.get("p") or keys.get("page_id")

    def _fix_links(self) -> None:
        """Links that named items later in the file, now that everything is in."""
        pending = ImportRecord.objects.filter(source=self.source, pending_links=True,
                                              kind__in=["post", "page"])
        for record in list(pending.iterator()):
            with transaction.atomic():
                if record.kind == ImportRecord.Kind.POST:
                    obj = Article.objects.filter(pk=record.object_id).first()
                else:
                    obj = Page.objects.filter(pk=record.object_id).first()
                if obj is not None:
                    body, _pending = self._links(obj.body, final=True)
                    if body != obj.body:
                        obj.body = body
                        obj.save()
                        if isinstance(obj, Article):
                            services.save_article(obj, self.actor,
                                                  note=_("Links to the old site rewritten"))
                ImportRecord.objects.filter(pk=record.pk).update(pending_links=False)


def _thread_place(wp_parent: int, parents: dict, made: dict) -> tuple:
    """(parent comment, depth) of a comment replying to WordPress comment `wp_parent`: the
    nearest ancestor that was imported (a reply to spam hangs one level up), and at most
    the platform's depth (deeper replies stay at the last level, under the same one)."""
    ancestor, seen = wp_parent, set()
    while ancestor and ancestor not in made and ancestor not in seen:
        seen.add(ancestor)
        ancestor = parents.get(ancestor, 0)
    parent = made.get(ancestor)
    if parent is None:
        return None, 0
    depth = min(parent.depth + 1, comment_services.MAX_DEPTH)
    if parent.depth >= comment_services.MAX_DEPTH:
        parent = parent.parent
    return parent, depth
