"""`samizdat restore ARCHIVE`: a backup (ops/backup.py) back into a migrated, empty site.

Everything is checked before anything changes: the archive decrypts (age authenticates every
chunk, so a flipped byte or a cut-off end fails here), every member and every photo file
matches the manifest's checksum, and the code knows every migration the archive's database
had. Then the tables are loaded in one transaction and the photo files, decrypted into a
folder beside the media, are moved in before it commits; the keys are written last.
"""

import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from samizdat.newsroom.bulk import analyze, insert_values

from .backup import (
    FORMAT,
    MANIFEST,
    NATURAL,
    VERSION,
    BackupError,
    Target,
    cleared_models,
    dumped_models,
    passphrase,
    passphrase_identity,
    read_identities,
    sha256_file,
    shown_progress,
    split_archive,
)

# Rows `migrate` itself makes (the role groups, one edition per language and its settings):
# a database holding only these is a fresh install.
SEEDED = frozenset({"auth.group", "auth.group_permissions", "newsroom.edition",
                    "newsroom.sitesettings"})


@dataclass
class Restored:
    counts: dict[str, int]
    files: int
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def open_archive(location: str, work: Path, identity_files=(), ask: bool = False) -> dict:
    """Decrypt and unpack the archive into `work` and check it against its manifest; returns
    the manifest. Raises BackupError saying what is wrong."""
    import pyrage

    target, name = split_archive(location)
    sealed = work / "archive.age"
    try:
        target.get(name, sealed)
    except FileNotFoundError:
        raise BackupError(_("%(archive)s: no such archive") % {"archive": location}) from None
    identities = read_identities(identity_files)
    secret = passphrase(ask=ask and not identities)
    if secret:
        try:
            identities.append(passphrase_identity(target, secret, create=False))
        except BackupError:
            if not identities:
                raise
    if not identities:
        raise BackupError(_("nothing to decrypt with: give the private key with --identity "
                            "FILE, or the passphrase in SAMIZDAT_BACKUP_PASSPHRASE"))
    plain = work / "archive.tar.gz"
    try:
        with open(sealed, "rb") as source, open(plain, "wb") as out:
            pyrage.decrypt_io(source, out, identities)
    except pyrage.DecryptError:
        raise BackupError(_("%(archive)s: none of the given keys opens this archive (wrong "
                            "key or passphrase)") % {"archive": location}) from None
    except OSError:
        raise BackupError(_("%(archive)s: the archive is damaged or truncated (its "
                            "authentication failed); use another one")
                          % {"archive": location}) from None
    sealed.unlink()
    folder = work / "archive"
    _unpack(plain, folder, location)
    plain.unlink()
    manifest = _check_manifest(folder, location)
    _fetch_files(target, manifest, work / "files", identities, location)
    return manifest


def _unpack(plain: Path, folder: Path, location: str) -> None:
    folder.mkdir()
    try:
        with tarfile.open(plain, "r:gz") as tar:
            for member in tar:
                path = PurePosixPath(member.name)
                if not member.isfile() or path.is_absolute() or ".." in path.parts:
                    raise BackupError(_("%(archive)s: unexpected member %(member)r")
                                      % {"archive": location, "member": member.name})
                out = folder.joinpath(*path.parts)
                out.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, open(out, "wb") as copy:
                    shutil.copyfileobj(source, copy, 1 << 20)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(_("%(archive)s: the archive's contents are damaged (%(error)s)")
                          % {"archive": location, "error": error}) from None


def _check_manifest(folder: Path, location: str) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(_("%(archive)s: no readable manifest; not a Samizdat backup")
                          % {"archive": location}) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(_("%(archive)s: not a Samizdat backup") % {"archive": location})
    if manifest.get("version") != VERSION:
        raise BackupError(_("%(archive)s: backup format version %(theirs)r; this Samizdat "
                            "reads version %(ours)s: restore with a newer one")
                          % {"archive": location, "theirs": manifest.get("version"),
                             "ours": VERSION})
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    present.discard(MANIFEST)
    listed = set(manifest["members"])
    if present != listed:
        raise BackupError(_("%(archive)s: members differ from the manifest: %(members)s")
                          % {"archive": location, "members": sorted(present ^ listed)[:5]})
    for member, expected in manifest["members"].items():
        if sha256_file(folder / member) != expected["sha256"]:
            raise BackupError(_("%(archive)s: %(member)s does not match its checksum")
                              % {"archive": location, "member": member})
    return manifest


def _fetch_files(target: Target, manifest: dict, out: Path, identities, location: str) -> None:
    """Every photo file the archive names, decrypted into `out` and checked."""
    import pyrage

    out.mkdir()
    fetched: dict[str, Path] = {}
    for name, entry in manifest["files"].items():
        path = out / _safe(name, location)
        path.parent.mkdir(parents=True, exist_ok=True)
        if entry["blob"] in fetched:
            shutil.copyfile(fetched[entry["blob"]], path)
            continue
        sealed = out / ".blob.age"
        try:
            target.get(Target.blob_name(entry["blob"]), sealed)
            with open(sealed, "rb") as source, open(path, "wb") as copy:
                pyrage.decrypt_io(source, copy, identities)
        except FileNotFoundError:
            raise BackupError(_("%(archive)s: the photo file %(name)s is missing from "
                                "%(folder)s") % {"archive": location, "name": name,
                                                 "folder": target.url("files")}) from None
        except (pyrage.DecryptError, OSError):
            raise BackupError(_("%(archive)s: the photo file %(name)s does not decrypt "
                                "(damaged, or encrypted to another key)")
                              % {"archive": location, "name": name}) from None
        if sha256_file(path) != entry["sha256"]:
            raise BackupError(_("%(archive)s: the photo file %(name)s does not match its "
                                "checksum") % {"archive": location, "name": name})
        fetched[entry["blob"]] = path
    (out / ".blob.age").unlink(missing_ok=True)


def _safe(name: str, location: str) -> Path:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(_("%(archive)s: unexpected file name %(name)r")
                          % {"archive": location, "name": name})
    return Path(*path.parts)


def check_schema(manifest: dict) -> list[str]:
    """Refuse an archive from a newer schema; returns notes about an older one."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    theirs = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(theirs - known)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(_(
            "the archive comes from a newer Samizdat: its database has migrations this one "
            "does not know (%(migrations)s). Install the version that made it (%(version)s) "
            "or a newer one, then restore") % {
            "migrations": listed + (" …" if len(unknown) > 5 else ""),
            "version": manifest.get("samizdat_version") or "?"})
    ours = {key for key in known if key[0] in {app for app, _n in theirs}}
    older = sorted(ours - theirs)
    if older:
        return [_("the archive's schema is older than this Samizdat's (%(count)d migrations "
                  "newer here); fields added since take their defaults") % {"count": len(older)}]
    return []


def _migrate() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


def occupied() -> list[str]:
    """What the database holds beyond what `migrate` makes."""
    return [m._meta.label_lower for m in dumped_models()
            if m._meta.label_lower not in SEEDED and m._base_manager.exists()]


def restore(location: str, *, identity_files=(), replace: bool = False,
            ask: bool = False, stream=None) -> Restored:
    """Bring the archive back (see the module's docstring); with a `stream`, its progress
    is shown there."""
    import time

    clock = time.monotonic()
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.VAR_DIR, prefix=".restore-") as tmp:
        work = Path(tmp)
        manifest = open_archive(location, work, identity_files, ask)
        notes = check_schema(manifest)
        _migrate()
        if not replace:
            found = occupied()
            if found:
                raise BackupError(_(
                    "this database is not empty (%(tables)s …): restore into a fresh install, "
                    "or give --replace to delete everything in it first")
                    % {"tables": ", ".join(found[:4])})
        with shown_progress(sum(manifest["counts"].values()), "restore: database rows",
                       stream) as bar:
            counts = _load(work / "archive", manifest, work / "files", bar)
        analyze()
        _write_keys(work / "archive" / "keys", notes)
    call_command("search_index", stdout=io.StringIO(), stderr=stream or io.StringIO())
    from samizdat.newsroom.services import content_changed

    for alias in settings.CACHES:
        caches[alias].clear()
    content_changed.send(sender=restore)
    return Restored(counts=counts, files=len(manifest["files"]),
                    seconds=time.monotonic() - clock, notes=notes)


def _load(folder: Path, manifest: dict, files: Path, bar) -> dict[str, int]:
    counts: dict[str, int] = {}
    models = {m._meta.label_lower: m for m in dumped_models()}
    missing = [t["model"] for t in manifest["tables"] if t["model"] not in models]
    if missing:
        raise BackupError(_("the archive has tables this Samizdat does not: %(tables)s")
                          % {"tables": missing})
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                for model in cleared_models():
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            for table in manifest["tables"]:
                model = models[table["model"]]
                counts[table["model"]] = _load_table(model, folder / table["member"], bar)
                if counts[table["model"]] != manifest["counts"][table["model"]]:
                    raise BackupError(_("%(table)s: %(loaded)d rows loaded, the manifest says "
                                        "%(listed)d") % {
                        "table": table["model"], "loaded": counts[table["model"]],
                        "listed": manifest["counts"][table["model"]]})
            statements = connection.ops.sequence_reset_sql(no_style(), list(models.values()))
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
            _move_files(files, manifest)
    except (DatabaseError, ValueError, KeyError, TypeError, ValidationError,
            ObjectDoesNotExist) as error:
        raise BackupError(_("the database could not be loaded, nothing was changed: "
                            "%(error)s") % {"error": error}) from None
    return counts


# Columns whose values come out of the JSON as the driver takes them.
_AS_THEY_ARE = frozenset({
    models.AutoField, models.BigAutoField, models.SmallAutoField, models.CharField,
    models.TextField, models.SlugField, models.EmailField, models.URLField,
    models.BooleanField, models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
    models.PositiveIntegerField, models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField, models.FloatField,
})
ROWS_AT_ONCE = 2000


def _converter(field, natural: dict):
    """How one column's value in a dumped line becomes the value the database is sent.

    What Django's deserializer and a raw save would do (to_python, then get_db_prep_save),
    without a model instance per row: a restore of 1,000,000 articles loads millions of rows.
    Keys into the tables referred to by natural key are looked up once per distinct key.
    """
    if field.is_relation:
        target = field.remote_field.model
        if target._meta.label_lower in NATURAL:
            def by_natural_key(value, manager=target._default_manager):
                if value is None:
                    return None
                key = tuple(value)
                if key not in natural:
                    natural[key] = manager.get_by_natural_key(*key).pk
                return natural[key]
            return by_natural_key
        field = field.target_field
    if type(field) in _AS_THEY_ARE:
        return None
    return lambda value: None if value is None else field.get_db_prep_save(
        field.to_python(value), connection)


def _default(field):
    """The value a field added since the archive was made takes, as a model instance would
    have it: computed for each row when the default is a callable (a new key, a UUID)."""
    def prepared():
        value = field.get_default()
        return None if value is None else field.get_db_prep_save(value, connection)

    if field.has_default() and callable(field.default):
        return prepared
    value = prepared()
    return lambda: value


def _load_table(model, path: Path, bar) -> int:
    fields = model._meta.local_concrete_fields
    natural: dict = {}
    pk = model._meta.pk
    columns = []  # (name in the dumped line, converter, default for a field added since)
    for column in fields:
        columns.append((column.name, _converter(column, natural), _default(column)))
    batch, loaded = [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            values = item["fields"]
            values[pk.name] = item["pk"]
            row = []
            for name, convert, default in columns:
                if name not in values:
                    row.append(default())
                    continue
                value = values[name]
                row.append(value if convert is None else convert(value))
            batch.append(row)
            if len(batch) >= ROWS_AT_ONCE:
                insert_values(model, fields, batch)
                loaded += len(batch)
                bar.update(len(batch))
                batch = []
    if batch:
        insert_values(model, fields, batch)
        loaded += len(batch)
        bar.update(len(batch))
    return loaded


def _move_files(files: Path, manifest: dict) -> None:
    names = list(manifest["files"])
    if isinstance(default_storage, FileSystemStorage):
        root = Path(default_storage.location)
        for name in names:
            destination = root / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(files / name, destination)
        return
    for name in names:
        if default_storage.exists(name):
            default_storage.delete(name)
        with open(files / name, "rb") as f:
            default_storage.save(name, File(f))


def _write_keys(keys: Path, notes: list[str]) -> None:
    """The site's secret key and the mirrors' signing key, the earlier ones kept beside."""
    from samizdat.mirrors import signing

    secret = (keys / "secret_key").read_text().strip()
    if os.environ.get("SAMIZDAT_SECRET_KEY"):
        if secret != settings.SECRET_KEY:
            notes.append(_("SAMIZDAT_SECRET_KEY is set and differs from the archive's secret "
                           "key; the archive's is in %(file)s: set SAMIZDAT_SECRET_KEY to it")
                         % {"file": settings.VAR_DIR / "secret_key.restored"})
            _replace(settings.VAR_DIR / "secret_key.restored", secret.encode())
    else:
        _replace(settings.VAR_DIR / "secret_key", secret.encode())
    pem = keys / "mirrors-ed25519.pem"
    if pem.exists():
        _replace(signing.key_path(), pem.read_bytes())


def _replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() != data:
        shutil.copyfile(path, path.with_name(path.name + ".before-restore"))
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    os.replace(temporary, path)
