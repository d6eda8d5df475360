"""`samizdat import_export`: an export (ops/export.py) loaded into an empty site.

Ids are kept as exported, so addresses, short links, revisions (which name sections, tags
and authors by id) and API answers stay the same. Every line is checked before it is
written (JSON, fields, types, choices, references to lines already read), and everything
happens in one transaction: a bad line names its file and line and leaves the site as it
was, photo files copied so far included.
"""

import json
import posixpath
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils.translation import override

from samizdat.progress import progress

from .export import (
    ARTICLE_LISTS,
    KINDS,
    LOGOS_DIR,
    PHOTOS_DIR,
    ExportError,
    Kind,
    read_manifest,
)

CHUNK = 500

# What makes a site not empty: anything a newsroom writes. Editions and their settings are
# made by `migrate` for the configured languages, so bare ones do not count.
CONTENT = ("newsroom.Section", "newsroom.Tag", "newsroom.Author", "newsroom.Article",
           "newsroom.Page", "newsroom.SocialAccount", "newsroom.DonationMethod",
           "newsroom.LegacyRedirect", "photos.Photo", "comments.Comment")


class LoadError(Exception):
    """The export cannot be loaded; nothing was changed."""


@dataclass
class Loaded:
    counts: dict[str, int] = field(default_factory=dict)
    photo_files: int = 0
    missing_files: list[str] = field(default_factory=list)
    photo_ids: list[int] = field(default_factory=list)


def content_left() -> list[str]:
    """The kinds of content the site already holds (empty for an empty site)."""
    from django.apps import apps

    found = []
    for label in CONTENT:
        model = apps.get_model(label)
        if model._default_manager.exists():
            with override("en"):  # the commands speak English, as Django's own do
                found.append(str(model._meta.verbose_name_plural))
    from samizdat.newsroom.models import SiteSettings

    if SiteSettings.objects.exclude(contact_email="", contacts="", support_text="").exists():
        found.append("site settings")
    return found


def load(folder, *, stream=None) -> Loaded:
    """Load the export in `folder`; raise LoadError (site unchanged) if it cannot be."""
    from django.conf import settings

    folder = Path(folder)
    try:
        manifest = read_manifest(folder)
    except ExportError as error:
        raise LoadError(str(error)) from None
    left = content_left()
    if left:
        raise LoadError("this site is not empty (it has " + ", ".join(left) + "); an export "
                        "loads only into a new site: run `samizdat flush` first if this one "
                        "may be emptied")
    configured = [code for code, _name in settings.LANGUAGES]
    for k in KINDS:
        if not (folder / k.file).is_file():
            raise LoadError(f"{k.file} is missing from {folder}")
    loaded = Loaded()
    known_missing = {entry.split(" (")[0] for entry in
                     manifest.get("photo_files", {}).get("missing", [])}
    written: list[str] = []
    total = sum(v for v in manifest.get("counts", {}).values() if isinstance(v, int))
    try:
        with transaction.atomic(), _keeping_timestamps(), \
                progress(total, "import", stream) as bar:
            _clear_bare_editions()
            seen: dict[str, set] = {k.name: set() for k in KINDS}
            for k in KINDS:
                loaded.counts[k.name] = _load_kind(folder, k, seen, written, known_missing,
                                                   loaded, bar)
                if k.name == "editions":
                    _check_languages(configured)
            _after_rows(seen)
    except (DatabaseError, IntegrityError) as error:
        _remove(written)
        raise LoadError(f"the database refused the export: {error}") from error
    except BaseException:
        _remove(written)
        raise
    from samizdat.newsroom.bulk import analyze

    analyze()
    return loaded


def _remove(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _check_languages(configured: list[str]) -> None:
    """An edition in a language the site does not serve would have no address."""
    from samizdat.newsroom.models import Edition

    languages = list(Edition.objects.order_by("position", "language")
                     .values_list("language", flat=True))
    unknown = [code for code in languages if code not in configured]
    if unknown:
        raise LoadError(
            f"the export has editions in {', '.join(languages)}; this site is set up for "
            f"{', '.join(configured)}: set SAMIZDAT_LANGUAGES to include {', '.join(unknown)}")


@contextmanager
def _keeping_timestamps():
    """Dates set by Django when a row is added or saved (auto_now) take the exported value."""
    changed = []
    for k in KINDS:
        for f in k.get_model()._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                changed.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in changed:
            f.auto_now, f.auto_now_add = now, add


def _clear_bare_editions() -> None:
    """The editions `migrate` made hold nothing yet; the export's take their place."""
    from samizdat.comments.models import ModerationSettings
    from samizdat.newsroom.models import Edition, SiteSettings

    SiteSettings.objects.all().delete()
    Edition.objects.all().delete()
    ModerationSettings.objects.all().delete()


def _load_kind(folder: Path, k: Kind, seen: dict, written: list, known_missing: set,
               loaded: Loaded, bar) -> int:
    model = k.get_model()
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
    others = [f.name for f in model._meta.concrete_fields
              if f.attname not in (*k.fields, *k.newer) and not f.is_relation]
    batch: list = []
    extras: dict[type, list] = {}
    count = 0
    first = 1
    with open(folder / k.file, encoding="utf-8") as lines:
        lineno = 0
        try:
            for lineno, line in enumerate(lines, 1):  # noqa: B007 (read after the loop)
                where = f"{k.file}, line {lineno}"
                if not line.strip():
                    continue
                row = _parse(line, where)
                instance = _instance(k, model, row, where, by_attname, relations, others)
                _check_references(k, instance, seen, where)
                if instance.pk in seen[k.name]:
                    raise LoadError(f"{where}: id {instance.pk} appears twice")
                seen[k.name].add(instance.pk)
                if k.name == "articles":
                    _article_lists(instance, row, seen, where, extras)
                elif k.name == "photos":
                    _photo_file(folder, instance, row, where, written, known_missing, loaded)
                elif k.name == "comments":
                    _comment(instance, row, where)
                elif k.name == "site_settings" and row.get("logo_file") is not None:
                    _logo_file(folder, instance, row["logo_file"], where, written)
                if not batch:
                    first = lineno
                batch.append(instance)
                count += 1
                bar.update(1)
                if len(batch) >= CHUNK:
                    _insert(model, batch, extras, k, first, lineno)
                    batch, extras = [], {}
        except UnicodeDecodeError:
            raise LoadError(f"{k.file}, line {lineno + 1}: not UTF-8 text") from None
        _insert(model, batch, extras, k, first, lineno)
    return count


def _parse(line: str, where: str) -> dict:
    try:
        row = json.loads(line)
    except ValueError as error:
        raise LoadError(f"{where}: not valid JSON ({error})") from None
    if not isinstance(row, dict):
        raise LoadError(f"{where}: a line must be a JSON object")
    return row


def _instance(k: Kind, model, row: dict, where: str, by_attname: dict, relations: list,
              others: list):
    missing = [name for name in k.fields if name not in row]
    if missing:
        raise LoadError(f"{where}: missing {', '.join(missing)}")
    values = {}
    for name in k.fields:
        value = row[name]
        f = by_attname[name]
        if f.is_relation or f.primary_key:
            if not (value is None or (isinstance(value, int) and not isinstance(value, bool))):
                raise LoadError(f"{where}: {name} must be a whole number or null")
            if value is None and not f.null:
                raise LoadError(f"{where}: {name} cannot be null")
        values[name] = value
    absent = []  # newer fields this line does not have: their defaults, unchecked
    for name in k.newer:
        if name in row:
            values[name] = row[name]
        else:
            absent.append(name)
    if row["id"] is None or row["id"] < 1:
        raise LoadError(f"{where}: id must be 1 or more")
    instance = model(**values)
    try:
        instance.clean_fields(exclude=relations + others + absent)
    except ValidationError as error:
        problems = "; ".join(f"{name}: {' '.join(messages)}"
                             for name, messages in error.message_dict.items())
        raise LoadError(f"{where}: {problems}") from None
    for f in model._meta.concrete_fields:
        value = getattr(instance, f.attname)
        # Django validates editable fields only; the workflow's status is not one.
        if f.choices and not f.editable and value not in {v for v, _ in f.flatchoices}:
            raise LoadError(f"{where}: {f.attname}: {value!r} is not one of "
                            f"{', '.join(str(v) for v, _ in f.flatchoices)}")
        if isinstance(f, models.DateTimeField) and value is not None and value.tzinfo is None:
            raise LoadError(f"{where}: {f.attname} needs a time zone (…Z or +hh:mm)")
    if k.name in ("articles", "pages"):
        from samizdat.newsroom.html import sanitize_html

        instance.body = sanitize_html(instance.body)
    return instance


def _check_references(k: Kind, instance, seen: dict, where: str) -> None:
    for name, target in k.references.items():
        value = getattr(instance, name)
        if value is not None and value not in seen[target]:
            raise LoadError(f"{where}: {name} {value} names no earlier line of "
                            f"{target}.jsonl")


def _id_list(row: dict, name: str, where: str) -> list:
    value = row.get(name, [])
    if not isinstance(value, list):
        raise LoadError(f"{where}: {name} must be a list")
    return value


def _article_lists(article, row: dict, seen: dict, where: str, extras: dict) -> None:
    from samizdat.newsroom.models import Article, Byline
    from samizdat.photos.models import GalleryItem

    def ref(value, target, what):
        if not isinstance(value, int) or isinstance(value, bool) or value not in seen[target]:
            raise LoadError(f"{where}: {what} {value!r} names no earlier line of "
                            f"{target}.jsonl")
        return value

    def position(item, what):
        value = item.get("position", 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise LoadError(f"{where}: {what} position must be 0 or more")
        return value

    def objects(name, what):
        items = _id_list(row, name, where)
        if not all(isinstance(item, dict) for item in items):
            raise LoadError(f"{where}: {name} must be a list of objects")
        return items

    sections = Article.extra_sections.through
    tags = Article.tags.through
    for value in dict.fromkeys(_id_list(row, "extra_section_ids", where)):
        extras.setdefault(sections, []).append(sections(
            article_id=article.pk,
            section_id=ref(value, ARTICLE_LISTS["extra_section_ids"], "section")))
    for value in dict.fromkeys(_id_list(row, "tag_ids", where)):
        extras.setdefault(tags, []).append(tags(
            article_id=article.pk, tag_id=ref(value, ARTICLE_LISTS["tag_ids"], "tag")))
    authors = set()
    for item in objects("bylines", "byline"):
        author = ref(item.get("author_id"), "authors", "byline author_id")
        if author in authors:
            raise LoadError(f"{where}: author {author} has two bylines")
        authors.add(author)
        extras.setdefault(Byline, []).append(Byline(
            article_id=article.pk, author_id=author, position=position(item, "byline")))
    for item in objects("gallery", "gallery item"):
        caption = item.get("caption", "")
        if not isinstance(caption, str):
            raise LoadError(f"{where}: gallery caption must be text")
        extras.setdefault(GalleryItem, []).append(GalleryItem(
            article_id=article.pk, photo_id=ref(item.get("photo_id"), "photos",
                                                "gallery photo_id"),
            position=position(item, "gallery"), caption=caption))


def _photo_file(folder: Path, photo, row: dict, where: str, written: list,
                known_missing: set, loaded: Loaded) -> None:
    """The original back into storage, under the name the row gives it."""
    relative = row.get("file") or f"{PHOTOS_DIR}/{photo.key}/{posixpath.basename(photo.original)}"
    clean = posixpath.normpath(str(relative))
    if (not isinstance(relative, str) or clean.startswith(("/", "..")) or
            not clean.startswith(f"{PHOTOS_DIR}/")):
        raise LoadError(f"{where}: file must name a file under {PHOTOS_DIR}/")
    name = posixpath.normpath(photo.original)
    if name.startswith(("/", "..")):
        raise LoadError(f"{where}: original must be a relative storage name")
    source = folder / clean
    loaded.photo_ids.append(photo.pk)
    if not source.is_file():
        if photo.original in known_missing:
            loaded.missing_files.append(photo.original)
            return
        raise LoadError(f"{where}: its file {clean} is not in the export")
    _check_image(source, photo, where)
    default_storage.delete(name)  # an earlier site's leftover under the same key
    with open(source, "rb") as data:
        stored = default_storage.save(name, File(data))
    written.append(stored)
    photo.original = stored
    loaded.photo_files += 1


def _logo_file(folder: Path, settings_row, relative, where: str, written: list) -> None:
    """An edition's logo, through the admin's own checks (newsroom/logo.py), stored under
    the name the admin gives it."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from samizdat.newsroom import logo
    from samizdat.newsroom.models import Edition

    clean = posixpath.normpath(str(relative))
    if not isinstance(relative, str) or not clean.startswith(f"{LOGOS_DIR}/"):
        raise LoadError(f"{where}: logo_file must name a file under {LOGOS_DIR}/")
    source = folder / clean
    if not source.is_file():
        raise LoadError(f"{where}: its logo {clean} is not in the export")
    with open(source, "rb") as f:
        data = f.read(settings.PHOTO_MAX_MB * 2**20 + 1)
    language = Edition.objects.get(pk=settings_row.edition_id).language
    try:
        cleaned = logo.clean(SimpleUploadedFile(posixpath.basename(clean), data), language)
    except ValidationError as error:
        raise LoadError(f"{where}: its logo was refused: {' '.join(error.messages)}") from None
    field = settings_row._meta.get_field("logo")
    default_storage.delete(field.generate_filename(settings_row, cleaned.name))  # a leftover
    settings_row.logo.save(cleaned.name, cleaned, save=False)
    written.append(settings_row.logo.name)


def _check_image(source: Path, photo, where: str) -> None:
    """The file goes through the upload's own checks (a photo, not a page or a script, not
    a bomb, nothing hidden after it) and must be the picture its line describes. What is
    stored is the exported file itself: re-encoding would lose quality at every move."""
    from django.conf import settings

    from samizdat.photos import images

    limit = settings.PHOTO_MAX_MB * 2**20
    with open(source, "rb") as f:
        data = f.read(limit + 1)
    try:
        cleaned = images.clean(data, max_bytes=limit,
                               max_pixels=settings.PHOTO_MAX_MEGAPIXELS * 1_000_000)
    except ValidationError as error:
        raise LoadError(f"{where}: its file was refused: {' '.join(error.messages)}") from None
    if (cleaned.width, cleaned.height) != (photo.width, photo.height):
        raise LoadError(f"{where}: its file is {cleaned.width}×{cleaned.height} pixels, the "
                        f"line says {photo.width}×{photo.height}")


def _comment(comment, row: dict, where: str) -> None:
    email = row.get("email", "")
    if not isinstance(email, str):
        raise LoadError(f"{where}: email must be text")
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            raise LoadError(f"{where}: email is not an email address") from None
    comment.email = email
    comment.email_confirmed = bool(email) and row.get("email_confirmed") is True
    # The reader's client hash is never exported; a mark no real client can have keeps a
    # ban of an imported comment's writer from catching anyone else.
    comment.client = f"imported:{comment.pk}"[:32]


def _insert(model, batch: list, extras: dict, k: Kind, first: int, last: int) -> None:
    if not batch:
        return
    try:
        with transaction.atomic():
            model._default_manager.bulk_create(batch)
            for through, rows in extras.items():
                through._default_manager.bulk_create(rows)
    except IntegrityError as error:
        lines = f"line {first}" if first == last else f"lines {first}-{last}"
        raise LoadError(f"{k.file}, {lines}: the database refused them ({error})") from None


def _after_rows(seen: dict) -> None:
    """What the site derives from the rows: editions for configured languages the export
    lacks, photos placed in texts, the search index, the id sequences; then every cached
    page goes stale."""
    from samizdat.newsroom.editions import ensure_editions
    from samizdat.newsroom.models import Article
    from samizdat.newsroom.services import content_changed
    from samizdat.photos.models import PlacedPhoto
    from samizdat.photos.services import placed_ids
    from samizdat.search.indexing import index_articles

    from .export import chunks

    _reset_sequences()
    ensure_editions()
    photos = seen["photos"]
    for batch in chunks(Article.objects.order_by("pk").values_list("pk", "body")
                        .iterator(chunk_size=CHUNK), CHUNK):
        PlacedPhoto.objects.bulk_create(
            [PlacedPhoto(article_id=pk, photo_id=photo) for pk, body in batch
             for photo in placed_ids(body) if photo in photos])
    index_articles(sorted(seen["articles"]))
    transaction.on_commit(lambda: content_changed.send(None, article=None, action="import"))


def _reset_sequences() -> None:
    """Rows went in with their own ids; the next row a newsroom adds takes the next one."""
    from django.apps import apps

    models_ = [k.get_model() for k in KINDS]
    models_ += [apps.get_model(label) for label in ("newsroom.Byline", "photos.GalleryItem",
                                                    "photos.PlacedPhoto")]
    models_ += [m for model in models_ for m in _throughs(model)]
    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _throughs(model) -> list:
    return [f.remote_field.through for f in model._meta.local_many_to_many
            if f.remote_field.through._meta.auto_created]


def make_renditions(photo_ids: list[int], *, queue: bool, stream=None) -> list[str]:
    """Renditions of imported photos, at once or through the task queue's worker; returns
    the photos whose renditions could not be made (the import itself stands)."""
    from samizdat.photos import services, tasks
    from samizdat.photos.models import Photo

    failed = []
    with progress(len(photo_ids), "renditions", stream) as bar:
        for photo in Photo.objects.filter(pk__in=photo_ids).iterator(chunk_size=100):
            if queue:
                tasks.make_renditions.enqueue(photo.pk)
            elif default_storage.exists(photo.original):
                try:
                    services.make_renditions(photo)
                except Exception as error:  # noqa: BLE001 (one bad file must not stop the rest)
                    failed.append(f"photo {photo.pk} ({photo.original}): {error}")
            bar.update(1)
    return failed
