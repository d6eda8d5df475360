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
from django.core import serializers
from django.core.cache import caches
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from .backup import (
    FORMAT,
    MANIFEST,
    VERSION,
    BackupError,
    Target,
    cleared_models,
    dumped_models,
    passphrase,
    passphrase_identity,
    read_identities,
    sha256_file,
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
        raise BackupError(f"{location}: no such archive") from None
    identities = read_identities(identity_files)
    secret = passphrase(ask=ask and not identities)
    if secret:
        try:
            identities.append(passphrase_identity(target, secret, create=False))
        except BackupError:
            if not identities:
                raise
    if not identities:
        raise BackupError("nothing to decrypt with: give the private key with --identity FILE, "
                          "or the passphrase in SAMIZDAT_BACKUP_PASSPHRASE")
    plain = work / "archive.tar.gz"
    try:
        with open(sealed, "rb") as source, open(plain, "wb") as out:
            pyrage.decrypt_io(source, out, identities)
    except pyrage.DecryptError:
        raise BackupError(f"{location}: none of the given keys opens this archive "
                          "(wrong key or passphrase)") from None
    except OSError:
        raise BackupError(f"{location}: the archive is damaged or truncated (its "
                          "authentication failed); use another one") from None
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
                    raise BackupError(f"{location}: unexpected member {member.name!r}")
                out = folder.joinpath(*path.parts)
                out.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, open(out, "wb") as copy:
                    shutil.copyfileobj(source, copy, 1 << 20)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"{location}: the archive's contents are damaged ({error})") from None


def _check_manifest(folder: Path, location: str) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"{location}: no readable manifest; not a Samizdat backup") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{location}: not a Samizdat backup")
    if manifest.get("version") != VERSION:
        raise BackupError(f"{location}: backup format version {manifest.get('version')!r}; "
                          f"this Samizdat reads version {VERSION}: restore with a newer one")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    present.discard(MANIFEST)
    listed = set(manifest["members"])
    if present != listed:
        raise BackupError(f"{location}: members differ from the manifest: "
                          f"{sorted(present ^ listed)[:5]}")
    for member, expected in manifest["members"].items():
        if sha256_file(folder / member) != expected["sha256"]:
            raise BackupError(f"{location}: {member} does not match its checksum")
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
            raise BackupError(f"{location}: the photo file {name} is missing from "
                              f"{target.url('files')}") from None
        except (pyrage.DecryptError, OSError):
            raise BackupError(f"{location}: the photo file {name} does not decrypt "
                              "(damaged, or encrypted to another key)") from None
        if sha256_file(path) != entry["sha256"]:
            raise BackupError(f"{location}: the photo file {name} does not match its checksum")
        fetched[entry["blob"]] = path
    (out / ".blob.age").unlink(missing_ok=True)


def _safe(name: str, location: str) -> Path:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"{location}: unexpected file name {name!r}")
    return Path(*path.parts)


def check_schema(manifest: dict) -> list[str]:
    """Refuse an archive from a newer schema; returns notes about an older one."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    theirs = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(theirs - known)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"the archive comes from a newer Samizdat: its database has migrations this one "
            f"does not know ({listed}{' …' if len(unknown) > 5 else ''}). Install the "
            f"version that made it ({manifest.get('samizdat_version') or 'unknown'}) or a "
            "newer one, then restore")
    ours = {key for key in known if key[0] in {app for app, _n in theirs}}
    older = sorted(ours - theirs)
    if older:
        return [f"the archive's schema is older than this Samizdat's ({len(older)} migrations "
                "newer here); fields added since take their defaults"]
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
            ask: bool = False) -> Restored:
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
                raise BackupError(
                    f"this database is not empty ({', '.join(found[:4])} …): restore into a "
                    "fresh install, or give --replace to delete everything in it first")
        counts = _load(work / "archive", manifest, work / "files")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        _write_keys(work / "archive" / "keys", notes)
    call_command("search_index", stdout=io.StringIO(), stderr=io.StringIO())
    from samizdat.newsroom.services import content_changed

    for alias in settings.CACHES:
        caches[alias].clear()
    content_changed.send(sender=restore)
    return Restored(counts=counts, files=len(manifest["files"]),
                    seconds=time.monotonic() - clock, notes=notes)


def _load(folder: Path, manifest: dict, files: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    models = {m._meta.label_lower: m for m in dumped_models()}
    missing = [t["model"] for t in manifest["tables"] if t["model"] not in models]
    if missing:
        raise BackupError(f"the archive has tables this Samizdat does not: {missing}")
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                for model in cleared_models():
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            for table in manifest["tables"]:
                model = models[table["model"]]
                counts[table["model"]] = _load_table(model, folder / table["member"])
                if counts[table["model"]] != manifest["counts"][table["model"]]:
                    raise BackupError(f"{table['model']}: {counts[table['model']]} rows loaded, "
                                      f"the manifest says {manifest['counts'][table['model']]}")
            statements = connection.ops.sequence_reset_sql(no_style(), list(models.values()))
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
            _move_files(files, manifest)
    except (DatabaseError, serializers.base.DeserializationError) as error:
        raise BackupError(f"the database could not be loaded, nothing was changed: {error}"
                          ) from None
    return counts


def _load_table(model, path: Path) -> int:
    fields = model._meta.local_concrete_fields
    size = max(1, connection.ops.bulk_batch_size(fields, [None] * 1000) or 500)
    batch, loaded = [], 0
    with open(path, encoding="utf-8") as f:
        for item in serializers.deserialize("jsonl", f):
            batch.append(item.object)
            if len(batch) >= min(size, 500):
                loaded += _insert(model, fields, batch)
                batch = []
    if batch:
        loaded += _insert(model, fields, batch)
    return loaded


def _insert(model, fields, objects) -> int:
    # Raw inserts, as loaddata's are: no auto_now stamps, no signals (their effects, the search
    # index and the page cache, are rebuilt once at the end).
    model._base_manager._insert(objects, fields=fields, raw=True, using=connection.alias)
    return len(objects)


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
            notes.append("SAMIZDAT_SECRET_KEY is set and differs from the archive's secret key; "
                         f"the archive's is in {settings.VAR_DIR / 'secret_key.restored'}: "
                         "set SAMIZDAT_SECRET_KEY to it")
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
