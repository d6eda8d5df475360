"""`samizdat backup`: one encrypted archive of the database, keys and photos, restorable elsewhere.

A target (a folder or an S3 prefix) holds:

    samizdat-20261202-031500Z.tar.gz.age     the archive: age-encrypted tar.gz of
                                             manifest.json, db/*.jsonl, keys/*
    samizdat-20261202-031500Z.files          the photo files that archive needs (blob ids,
                                             plaintext: ids say nothing about content)
    files/ab/ab…cd.age                       each photo file once, encrypted on its own
    identity.age                             passphrase mode only: the X25519 identity the
                                             archives and files are encrypted to, itself
                                             encrypted with the passphrase

The database is dumped with Django's serializers (JSON Lines, one file per model, auto-created
many-to-many tables as models of their own), so a dump from SQLite loads into PostgreSQL and
back. Photo files already at the target are not sent again: a file's blob id is an HMAC of its
checksum under the site's secret key, so the storing machine cannot tell which known picture a
blob holds. Everything is written under a temporary name and renamed at the end: a crash or a
full disk leaves the earlier backups as they were (docs/backup.md).
"""

import datetime
import fcntl
import getpass
import hashlib
import hmac
import importlib.metadata
import json
import logging
import os
import re
import shutil
import socket
import sys
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from .export import snapshot

FORMAT = "samizdat-backup"
VERSION = 1
MANIFEST = "manifest.json"
SUFFIX = ".tar.gz.age"
NAME = re.compile(r"^samizdat-(\d{8})-(\d{6})Z(?:-(\d+))?\.tar\.gz\.age$")
FILES = "files"
IDENTITY = "identity.age"
CHUNK = 2000

logger = logging.getLogger("samizdat.backup")

# Not backed up: made again by `migrate` (content types, permissions, referred to by natural
# key), or state that means nothing on another machine or is dangerous to bring back there
# (sessions would sign people in, lockouts and attempts, the task queue and its workers —
# scheduled publishing lives in the articles themselves).
EXCLUDED = frozenset({
    "contenttypes.contenttype", "auth.permission", "sessions.session",
    "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
    "axes.accessattemptexpiration", "django_tasks_database.dbtaskresult",
    "newsroom.taskworker", "newsroom.taskonce", "ops.backuprun",
    "newsroom.articlepresence",  # who has an article open: minutes old, means nothing later
})
# Referred to by natural key, since their ids differ from one installation to the next.
NATURAL = frozenset({"contenttypes.contenttype", "auth.permission"})


class BackupError(Exception):
    """The backup or restore cannot go on; says why and what to do."""


# --- What is dumped ---------------------------------------------------------------------------
def dumped_models() -> list:
    """Every table of every app that a restore brings back, in a fixed order."""
    return [m for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy
            and m._meta.label_lower not in EXCLUDED]


def cleared_models() -> list:
    """Every table a restore empties before loading: the dumped ones and the transient ones."""
    return [m for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy
            and m._meta.label_lower not in NATURAL]


class ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a restored page must show the same ones."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(jsonl.Serializer):
    """Django's JSON Lines serializer, with natural keys only where ids are local to an
    installation, and many-to-many links left to their own tables (one query for all of them
    instead of one per object)."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = (
            field.remote_field.model._meta.label_lower in NATURAL)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        return


def _queryset(model):
    related = []
    for f in model._meta.concrete_fields:
        if f.is_relation and f.remote_field.model._meta.label_lower in NATURAL:
            label = f.remote_field.model._meta.label_lower
            related.append(f"{f.name}__content_type" if label == "auth.permission" else f.name)
    query = model._base_manager.order_by(model._meta.pk.name)
    return query.select_related(*related) if related else query


def sha256_file(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def dump_database(folder: Path, chunk: int = CHUNK, bar=None
                  ) -> tuple[list[dict], dict[str, int], dict]:
    """The database into folder/db/, each model a file; returns the files (in load order),
    the counts per model and the applied migrations, all from one snapshot. `bar` (from
    samizdat.progress) is told of every row."""
    (folder / "db").mkdir(parents=True)
    tables, counts = [], {}
    with snapshot():
        migrations = applied_migrations()
        photo_keys = _photo_keys()
        logos = _logo_names()
        for n, model in enumerate(dumped_models(), 1):
            label = model._meta.label_lower
            member = f"db/{n:03d}-{label}.jsonl"
            with open(folder / member, "w", encoding="utf-8", newline="\n") as out:
                counts[label] = 0
                for line in dumped_lines(model, chunk):
                    out.write(line)
                    counts[label] += 1
                    if bar is not None:
                        bar.update(1)
            tables.append({"model": label, "member": member})
    return tables, counts, {"migrations": migrations, "photo_keys": photo_keys,
                            "other_files": logos}


def dumped_lines(model, chunk: int = CHUNK) -> Iterator[str]:
    """The table's rows as lines of Django's JSON Lines serialization (`Serializer` below,
    which writes the same lines, is the reference the tests hold this to), read as tuples
    instead of model instances: at 1,000,000 articles the instances and Django's per-field
    serializing were most of a backup's time, and a backup shares the cores with readers."""
    label = model._meta.label_lower
    pk = model._meta.pk
    fields = [f for f in model._meta.local_fields if f.serialize]
    convert = [_to_json(f) for f in fields]
    names = [f.name for f in fields]
    query = model._base_manager.order_by(pk.attname).values_list(
        pk.attname, *(f.attname for f in fields))
    pk_convert = _to_json(pk)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for row in query.iterator(chunk_size=chunk):
        values = {name: value if to is None or value is None else to(value)
                  for name, to, value in zip(names, convert, row[1:], strict=True)}
        key = row[0] if pk_convert is None else pk_convert(row[0])
        yield dumps({"model": label, "pk": key, "fields": values}) + "\n"


def _to_json(field):
    """How a column's value becomes what Django's serializer would write, or None: as it is."""
    if field.is_relation:
        target = field.remote_field.model
        if target._meta.label_lower in NATURAL:
            query = target._base_manager.all()
            if target._meta.label_lower == "auth.permission":
                query = query.select_related("content_type")
            keys = {obj.pk: list(obj.natural_key()) for obj in query}
            return keys.__getitem__
        field = field.target_field
    if isinstance(field, models.DateTimeField | models.DateField | models.TimeField):
        return lambda value: value.isoformat()  # as ExactEncoder: to the microsecond
    if isinstance(field, models.JSONField):
        return None
    if isinstance(field, models.CharField | models.TextField | models.BooleanField
                  | models.IntegerField | models.FloatField):
        return None
    return lambda value, field=field: field.value_to_string(_Row(field.attname, value))


class _Row:
    """What Field.value_to_string reads a value from: an object with the attribute."""

    def __init__(self, attname: str, value):
        setattr(self, attname, value)


def rows_by_table() -> dict[str, list[dict]]:
    """Every row of every backed-up table, as the backup writes it (a restore's check)."""
    return {model._meta.label_lower: [json.loads(line) for line in dumped_lines(model)]
            for model in dumped_models()}


def _photo_keys() -> list[str]:
    from samizdat.photos.models import Photo

    return list(Photo.objects.order_by("pk").values_list("key", flat=True))


def _logo_names() -> list[str]:
    from samizdat.newsroom.models import SiteSettings

    return sorted(SiteSettings.objects.exclude(logo="").values_list("logo", flat=True))


def media_names(photo_keys: list[str], other_files=()) -> list[str]:
    """The stored files of the photos in the snapshot (originals and renditions), then the
    other stored files its rows name (the editions' logos)."""
    from samizdat.photos.models import Photo

    names = []
    for key in photo_keys:
        folder = Photo(key=key).folder
        try:
            _dirs, files = default_storage.listdir(folder)
        except (FileNotFoundError, OSError):
            files = []
        names += [f"{folder}/{name}" for name in sorted(files)]
    return names + [name for name in other_files if default_storage.exists(name)]


# --- Encryption -------------------------------------------------------------------------------
def configured_recipients() -> list:
    import pyrage

    found = []
    for text in (settings.BACKUP_RECIPIENTS or []):
        text = text.strip()
        if not text:
            continue
        try:
            if text.startswith("ssh-"):
                found.append(pyrage.ssh.Recipient.from_str(text))
            else:
                found.append(pyrage.x25519.Recipient.from_str(text))
        except pyrage.RecipientError as error:
            raise BackupError(_(
                "SAMIZDAT_BACKUP_RECIPIENTS: %(key)s… is not an age public key (age1…, from "
                "age-keygen or `samizdat backup --keygen`): %(error)s")
                % {"key": text[:20], "error": error}) from None
    return found


def read_identities(paths: Iterable) -> list:
    """age identity files (AGE-SECRET-KEY-1… lines, # comments) as pyrage identities."""
    import pyrage

    found = []
    for path in paths:
        try:
            lines = Path(path).read_text().splitlines()
        except OSError as error:
            raise BackupError(_("cannot read the identity file %(path)s: %(error)s")
                              % {"path": path, "error": error}) from None
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#"):
                try:
                    found.append(pyrage.x25519.Identity.from_str(line))
                except pyrage.IdentityError:
                    raise BackupError(_("%(path)s: not an age identity file "
                                        "(AGE-SECRET-KEY-1…)") % {"path": path}) from None
    return found


def passphrase(ask: bool, confirm: bool = False) -> str:
    """SAMIZDAT_BACKUP_PASSPHRASE, or asked on the terminal (never echoed) when there is one."""
    if settings.BACKUP_PASSPHRASE:
        return settings.BACKUP_PASSPHRASE
    if not ask or not sys.stdin.isatty():
        return ""
    first = getpass.getpass(_("Backup passphrase: "))
    if confirm and first and getpass.getpass(_("The same passphrase again: ")) != first:
        raise BackupError(_("the two passphrases differ"))
    return first


def passphrase_identity(target: "Target", secret: str, create: bool):
    """The target's X25519 identity, kept there encrypted with the passphrase (one slow scrypt
    per run, instead of one per archive and per photo file)."""
    import pyrage

    sealed = target.read_small(IDENTITY)
    if sealed is None:
        if not create:
            raise BackupError(_("%(file)s is missing: this target holds no "
                                "passphrase-encrypted backups") % {"file": target.url(IDENTITY)})
        identity = pyrage.x25519.Identity.generate()
        target.write_small(IDENTITY, pyrage.passphrase.encrypt(str(identity).encode(), secret))
        return identity
    try:
        return pyrage.x25519.Identity.from_str(
            pyrage.passphrase.decrypt(sealed, secret).decode().strip())
    except (pyrage.DecryptError, pyrage.IdentityError, ValueError):
        raise BackupError(_("%(file)s does not open with this passphrase")
                          % {"file": target.url(IDENTITY)}) from None


def blob_id(sha256: str) -> str:
    """A photo file's name at the target: keyed, so a known picture cannot be recognised."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"samizdat-backup-file:{sha256}".encode(), hashlib.sha256).hexdigest()


# --- Targets ----------------------------------------------------------------------------------
class Target:
    """Where archives are kept. Writes are atomic: a name holds a whole file or nothing."""

    def url(self, name: str = "") -> str:
        raise NotImplementedError

    def names(self) -> list[str]:
        """The files at the top of the target."""
        raise NotImplementedError

    def blobs(self) -> set[str]:
        raise NotImplementedError

    def put(self, name: str, source: Path) -> None:
        raise NotImplementedError

    def get(self, name: str, destination: Path) -> None:
        raise NotImplementedError

    def delete(self, name: str) -> None:
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    def read_small(self, name: str) -> bytes | None:
        with tempfile.TemporaryDirectory() as folder:
            try:
                self.get(name, Path(folder) / "x")
            except FileNotFoundError:
                return None
            return (Path(folder) / "x").read_bytes()

    def write_small(self, name: str, data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "x").write_bytes(data)
            self.put(name, Path(folder) / "x")

    @staticmethod
    def blob_name(blob: str) -> str:
        return f"{FILES}/{blob[:2]}/{blob}.age"


class FolderTarget(Target):
    def __init__(self, root):
        self.root = Path(root).expanduser().resolve()

    def url(self, name=""):
        return str(self.root / name) if name else str(self.root)

    def names(self):
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_file())

    def blobs(self):
        folder = self.root / FILES
        if not folder.is_dir():
            return set()
        return {p.name.removesuffix(".age") for p in folder.glob("*/*.age")}

    def put(self, name, source):
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            with open(source, "rb") as f, open(temporary, "wb") as out:
                shutil.copyfileobj(f, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        _fsync_folder(path.parent)

    def get(self, name, destination):
        shutil.copyfile(self.root / name, destination)

    def delete(self, name):
        (self.root / name).unlink(missing_ok=True)

    def size(self, name):
        return (self.root / name).stat().st_size


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class S3Target(Target):
    """s3://bucket/prefix. The client takes its endpoint and keys from the environment
    (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION); an
    object appears whole or not at all, so no renaming is needed."""

    def __init__(self, url: str):
        bucket, _slash, prefix = url.removeprefix("s3://").partition("/")
        if not bucket:
            raise BackupError(_("%(url)s: name a bucket, as in s3://bucket/prefix")
                              % {"url": url})
        self.bucket, self.prefix = bucket, prefix.strip("/")
        try:
            import boto3
        except ImportError:
            raise BackupError(_("an S3 target needs the S3 client: pip install "
                                "'samizdat[s3]'")) from None
        self.client = boto3.client("s3")

    def key(self, name):
        return f"{self.prefix}/{name}" if self.prefix else name

    def url(self, name=""):
        return f"s3://{self.bucket}/{self.key(name)}".rstrip("/")

    def _keys(self, under: str):
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.key(under))
        for page in pages:
            for obj in page.get("Contents", []):
                yield obj["Key"]

    def names(self):
        start = len(self.key(""))
        return sorted(k[start:] for k in self._keys("") if "/" not in k[start:])

    def blobs(self):
        return {k.rsplit("/", 1)[1].removesuffix(".age") for k in self._keys(f"{FILES}/")}

    def put(self, name, source):
        self.client.upload_file(str(source), self.bucket, self.key(name))

    def get(self, name, destination):
        from botocore.exceptions import ClientError

        try:
            self.client.download_file(self.bucket, self.key(name), str(destination))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise FileNotFoundError(self.url(name)) from None
            raise

    def delete(self, name):
        self.client.delete_object(Bucket=self.bucket, Key=self.key(name))

    def size(self, name):
        return self.client.head_object(Bucket=self.bucket, Key=self.key(name))["ContentLength"]


def target_for(where: str) -> Target:
    if not where:
        raise BackupError(_("name a target with --to (a folder or s3://bucket/prefix) or set "
                            "SAMIZDAT_BACKUP_TO"))
    return S3Target(where) if where.startswith("s3://") else FolderTarget(where)


def split_archive(location: str) -> tuple[Target, str]:
    """An archive's path or URL as its target and its name there."""
    parent, _slash, name = location.rstrip("/").rpartition("/")
    if location.startswith("s3://"):
        return S3Target(parent), name
    path = Path(location).expanduser().resolve()
    return FolderTarget(path.parent), path.name


# --- The backup -------------------------------------------------------------------------------
@dataclass
class Result:
    url: str
    name: str
    size: int
    seconds: float
    counts: dict[str, int]
    target: str = ""
    files: int = 0
    files_sent: int = 0
    bytes_sent: int = 0
    missing: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


@contextmanager
def _lock():
    """One backup at a time from this machine (a scheduled one and one by hand)."""
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    with open(settings.VAR_DIR / "backup.lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(_("another backup is running on this machine")) from None
        yield


def _version() -> str:
    try:
        return importlib.metadata.version("samizdat")
    except importlib.metadata.PackageNotFoundError:
        return ""


def archive_name(now: datetime.datetime, taken: Iterable[str]) -> str:
    stem = f"samizdat-{now.astimezone(datetime.UTC):%Y%m%d-%H%M%S}Z"
    taken = set(taken)
    name, n = f"{stem}{SUFFIX}", 1
    while name in taken or name.replace(SUFFIX, ".files") in taken:
        n += 1
        name = f"{stem}-{n}{SUFFIX}"
    return name


def encryption_recipients(target: Target, ask: bool = False) -> list:
    found = configured_recipients()
    secret = passphrase(ask=ask and not found, confirm=True)
    if secret:
        found.append(passphrase_identity(target, secret, create=True).to_public())
    if not found:
        raise BackupError(_("nothing to encrypt to: set SAMIZDAT_BACKUP_RECIPIENTS (age "
                            "public keys, age1…) or SAMIZDAT_BACKUP_PASSPHRASE"))
    return found


def backup(to: str = "", *, keep_daily: int = 0, keep_weekly: int = 0, ask: bool = False,
           chunk: int = CHUNK, run=None, stream=None) -> Result:
    """Write one archive to `to` (or SAMIZDAT_BACKUP_TO); returns where it went. The run is
    recorded, failed or not, in `run` (a BackupRun the schedule claimed) or a new one.
    With a `stream`, its progress is shown there (a bar on a terminal, plain lines else)."""
    from .models import BackupRun

    run = run or BackupRun()
    run.result, run.target, run.message = BackupRun.Result.RUNNING, to or settings.BACKUP_TO, ""
    run.host, run.started_at, run.finished_at = socket.gethostname()[:255], timezone.now(), None
    run.save()
    try:
        result = _backup(run.target, keep_daily, keep_weekly, ask, chunk, stream)
    except BaseException as error:
        _record_failure(run, error)
        raise
    run.result, run.finished_at = BackupRun.Result.OK, timezone.now()
    run.target, run.archive, run.size = result.target, result.url, result.size
    run.files, run.files_sent = result.files, result.files_sent
    run.save()
    return result


def _record_failure(run, error: BaseException) -> None:
    from .models import BackupRun

    run.result, run.finished_at = BackupRun.Result.FAILED, timezone.now()
    run.message = (str(error) if isinstance(error, BackupError)
                   else f"{type(error).__name__}: {error}")[:4000]
    try:
        run.save()
    except DatabaseError:  # the database itself is what failed: the error still goes up
        logger.warning("Could not record the failed backup: %s", run.message)


def _backup(to: str, keep_daily: int, keep_weekly: int, ask: bool, chunk: int,
            stream=None) -> Result:
    import pyrage

    clock = time.monotonic()
    target = target_for(to)
    recipients = encryption_recipients(target, ask)
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    with _lock(), tempfile.TemporaryDirectory(dir=settings.VAR_DIR, prefix=".backup-") as tmp:
        work = Path(tmp) / "archive"
        created = timezone.now()
        with shown_progress(None, "backup: database rows", stream) as bar:
            tables, counts, state = dump_database(work, chunk, bar)
        _write_keys(work)
        present = target.blobs()
        files, missing = {}, []
        names = media_names(state["photo_keys"], state["other_files"])
        with shown_progress(len(names), "backup: photo files", stream) as bar:
            sent, sent_bytes = _send_files(names, target, present, recipients, Path(tmp),
                                           files, missing, bar)
        members = {}
        for path in sorted(p for p in work.rglob("*") if p.is_file()):
            member = path.relative_to(work).as_posix()
            members[member] = {"sha256": sha256_file(path), "size": path.stat().st_size}
        manifest = {
            "format": FORMAT, "version": VERSION,
            "created_at": created.astimezone(datetime.UTC).isoformat(),
            "samizdat_version": _version(), "engine": connection.vendor,
            "site_url": settings.SITE_URL,
            "migrations": state["migrations"],
            "tables": tables, "counts": counts, "members": members,
            "files": files, "missing_files": missing,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        plain_tar = Path(tmp) / "archive.tar.gz"
        with tarfile.open(plain_tar, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            for member in members:
                tar.add(work / member, arcname=member)
        sealed = Path(tmp) / "archive.age"
        with open(plain_tar, "rb") as source, open(sealed, "wb") as out:
            pyrage.encrypt_io(source, out, recipients)
        name = archive_name(created, target.names())
        index = Path(tmp) / "index"
        index.write_text("".join(f"{b}\n" for b in sorted({f["blob"] for f in files.values()})))
        index_name = name.replace(SUFFIX, ".files")
        target.put(index_name, index)  # before the archive: see collect()
        try:
            target.put(name, sealed)
        except BaseException:  # a full disk: no index of an archive that is not there
            target.delete(index_name)
            raise
        result = Result(url=target.url(name), name=name, size=sealed.stat().st_size,
                        seconds=0.0, counts=counts, target=target.url(), files=len(files),
                        files_sent=sent, bytes_sent=sent_bytes, missing=missing)
        if keep_daily or keep_weekly:
            result.deleted = prune(target, keep_daily=keep_daily, keep_weekly=keep_weekly)
        collect(target)
    result.seconds = time.monotonic() - clock
    return result


# Where a backup made before backups were recorded in the database noted its end.
LEGACY_LAST = "backup-last.json"


def _send_files(names, target: "Target", present: set, recipients, tmp: Path, files: dict,
                missing: list, bar) -> tuple[int, int]:
    """Each photo file into `files` (checksum, size, blob), sealed and sent unless the target
    holds its blob already; returns how many were sent and their bytes."""
    import pyrage

    sent, sent_bytes = 0, 0
    for name in names:
        bar.update(1)
        plain = tmp / "file"
        try:
            with default_storage.open(name, "rb") as source, open(plain, "wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
        except (FileNotFoundError, OSError):
            missing.append(name)  # deleted since the snapshot
            continue
        digest = sha256_file(plain)
        blob = blob_id(digest)
        files[name] = {"sha256": digest, "size": plain.stat().st_size, "blob": blob}
        if blob not in present:
            sealed = tmp / "file.age"
            with open(plain, "rb") as source, open(sealed, "wb") as out:
                pyrage.encrypt_io(source, out, recipients)
            target.put(Target.blob_name(blob), sealed)
            present.add(blob)
            sent += 1
            sent_bytes += sealed.stat().st_size
    return sent, sent_bytes


@contextmanager
def shown_progress(total, desc: str, stream):
    """samizdat.progress's bar on `stream`, or one that shows nothing (scheduled runs)."""
    if stream is None:
        yield _Silent()
        return
    from samizdat.progress import progress

    with progress(total, desc, stream) as bar:
        yield bar


class _Silent:
    def update(self, n=1):
        pass


def last_finished() -> datetime.datetime | None:
    """When the last good backup of this site finished, on any machine (None: never)."""
    from .models import BackupRun

    finished = (BackupRun.objects.filter(result=BackupRun.Result.OK)
                .order_by("-finished_at").values_list("finished_at", flat=True).first())
    if finished is not None:
        return finished
    try:
        data = json.loads((settings.VAR_DIR / LEGACY_LAST).read_text())
        return datetime.datetime.fromisoformat(data["finished_at"])
    except (OSError, ValueError, KeyError):
        return None


def _write_keys(work: Path) -> None:
    from samizdat.mirrors import signing

    keys = work / "keys"
    keys.mkdir()
    (keys / "secret_key").write_text(settings.SECRET_KEY)
    if signing.key_path().exists():
        shutil.copyfile(signing.key_path(), keys / "mirrors-ed25519.pem")


# --- Retention --------------------------------------------------------------------------------
def archive_time(name: str) -> datetime.datetime | None:
    match = NAME.match(name)
    if not match:
        return None
    return datetime.datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S").replace(
        tzinfo=datetime.UTC)


def kept(names: Iterable[str], keep_daily: int, keep_weekly: int) -> set[str]:
    """The archives a policy keeps: the newest of each of the last `keep_daily` days that have
    one, and the newest of each of the last `keep_weekly` ISO weeks that have one (days and
    weeks in the newsroom's time zone). Names that are not archives are not considered."""
    dated = sorted(((archive_time(n), n) for n in names if archive_time(n)), reverse=True)
    keep: set[str] = set()
    for count, period in ((keep_daily, lambda t: t.date()),
                          (keep_weekly, lambda t: t.isocalendar()[:2])):
        seen = []
        for when, name in dated:
            key = period(timezone.localtime(when))
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(name)
    return keep


def prune(target: Target, keep_daily: int = 0, keep_weekly: int = 0) -> list[str]:
    """Delete the archives outside the policy (and their file lists); returns their names."""
    if keep_daily < 0 or keep_weekly < 0:
        raise BackupError(_("--keep-daily and --keep-weekly count archives: 0 or more"))
    archives = [n for n in target.names() if NAME.match(n)]
    keep = kept(archives, keep_daily, keep_weekly)
    gone = sorted(n for n in archives if n not in keep)
    for name in gone:
        target.delete(name)
        target.delete(name.replace(SUFFIX, ".files"))
    return gone


def collect(target: Target) -> int:
    """Delete the photo files no archive needs any more, and file lists whose archive never
    came (a run that died). Runs under the lock, after this run's archive is written."""
    names = set(target.names())
    needed: set[str] = set()
    for name in names:
        if not name.endswith(".files"):
            continue
        if name.replace(".files", SUFFIX) not in names:
            target.delete(name)
            continue
        needed.update((target.read_small(name) or b"").decode().split())
    gone = 0
    for blob in target.blobs() - needed:
        target.delete(Target.blob_name(blob))
        gone += 1
    return gone


def keygen() -> tuple[str, str]:
    """A new age key pair: (the identity file's text, the public key)."""
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    created = timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds")
    public = str(identity.to_public())
    return f"# created: {created}\n# public key: {public}\n{identity}\n", public
