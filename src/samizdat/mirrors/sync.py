"""Sending the baked copy to each mirror: only files whose content changed, and removing
the ones that are gone.

A copy's state is a manifest, {path: sha256}, kept at the mirror itself
(`.samizdat-manifest.json`) and written last: a sync that dies half-way leaves the old
manifest, and the next one sends whatever still differs. rsync compares checksums itself.
"""

import json
import mimetypes
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from samizdat.bake.state import State, digests, path_for

from .models import Mirror

MANIFEST = ".samizdat-manifest.json"


@dataclass
class Outcome:
    sent: int = 0
    deleted: int = 0
    kept: int = 0


def manifest(root: Path) -> dict[str, str]:
    """The copy's files and their digests: kept by the bake for its copies (bake.state),
    computed for any other folder."""
    state = path_for(root)
    if state.exists():
        with State(root) as known:
            if known.has_files():
                return known.files()
    return digests(root, skip=MANIFEST)


def _plan(new: dict[str, str], old: dict[str, str]) -> tuple[list[str], list[str], int]:
    changed = sorted(p for p, digest in new.items() if old.get(p) != digest)
    gone = sorted(p for p in old if p not in new)
    return changed, gone, len(new) - len(changed)


def _to_folder(mirror: Mirror, source: Path, files: dict[str, str]) -> Outcome:
    target = Path(mirror.target)
    target.mkdir(parents=True, exist_ok=True)
    try:
        old = json.loads((target / MANIFEST).read_text())
    except (FileNotFoundError, ValueError):
        old = {}
    changed, gone, kept = _plan(files, old)
    for relative in changed:
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        temporary = destination.with_name(f".{destination.name}.part")
        shutil.copyfile(source / relative, temporary)
        os.replace(temporary, destination)  # a reader of the folder never sees half a file
    for relative in gone:
        (target / relative).unlink(missing_ok=True)
    _write_atomic(target / MANIFEST, json.dumps(files).encode())
    return Outcome(len(changed), len(gone), kept)


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _s3_client(mirror: Mirror):
    try:
        import boto3
    except ImportError as error:  # shown as the mirror's last error in the admin
        raise RuntimeError("The S3 client is not installed: pip install 'samizdat[s3]'."
                           ) from error

    return boto3.client("s3", endpoint_url=mirror.endpoint_url or None)


def _to_s3(mirror: Mirror, source: Path, files: dict[str, str]) -> Outcome:
    s3 = _s3_client(mirror)
    try:
        body = s3.get_object(Bucket=mirror.target, Key=MANIFEST)["Body"].read()
        old = json.loads(body)
    except s3.exceptions.NoSuchKey:
        old = {}
    changed, gone, kept = _plan(files, old)
    for relative in changed:
        kind = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "application/xml"):
            kind += "; charset=utf-8"
        s3.upload_file(str(source / relative), mirror.target, relative,
                       ExtraArgs={"ContentType": kind, "CacheControl": "public, max-age=300"})
    for start in range(0, len(gone), 1000):
        s3.delete_objects(Bucket=mirror.target, Delete={
            "Objects": [{"Key": key} for key in gone[start:start + 1000]], "Quiet": True})
    s3.put_object(Bucket=mirror.target, Key=MANIFEST, Body=json.dumps(files).encode(),
                  ContentType="application/json")
    return Outcome(len(changed), len(gone), kept)


def _to_rsync(mirror: Mirror, source: Path, files: dict[str, str]) -> Outcome:
    # rsync finds the changed files itself (--checksum) and reports what it did.
    rsync = shutil.which("rsync")
    if rsync is None:
        raise RuntimeError("rsync is not installed on this machine (apt-get install rsync)")
    result = subprocess.run(  # noqa: S603 - fixed arguments, the target is the admin's
        [rsync, "--recursive", "--checksum", "--delete", "--delay-updates",
         "--copy-links", "--itemize-changes", "--exclude", MANIFEST,
         "-e", settings.RSYNC_SSH, f"{source}/", mirror.target],
        capture_output=True, text=True, timeout=3600, check=False)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip()[-2000:] or f"rsync exited {result.returncode}")
    lines = result.stdout.splitlines()
    sent = sum(1 for line in lines if line[:2] in ("<f", ">f"))
    deleted = sum(1 for line in lines if line.startswith("*deleting") and not
                  line.endswith("/"))
    return Outcome(sent, deleted, len(files) - sent)


SENDERS = {Mirror.Kind.FOLDER: _to_folder, Mirror.Kind.S3: _to_s3, Mirror.Kind.RSYNC: _to_rsync}


def sync(mirror: Mirror, source: Path, files: dict[str, str] | None = None) -> Outcome | None:
    """Send `source` (the baked copy) to `mirror`; record the outcome on the mirror."""
    started = time.monotonic()
    mirror.last_attempt = timezone.now()
    try:
        outcome = SENDERS[mirror.kind](mirror, Path(source),
                                       files if files is not None else manifest(Path(source)))
    except Exception as error:  # any failure is the mirror's status, not the caller's crash
        mirror.last_error = f"{type(error).__name__}: {error}"[:2000]
        mirror.seconds = time.monotonic() - started
        mirror.save(update_fields=["last_attempt", "last_error", "seconds"])
        return None
    mirror.last_success, mirror.last_error = mirror.last_attempt, ""
    mirror.files_sent, mirror.files_deleted, mirror.files_kept = (
        outcome.sent, outcome.deleted, outcome.kept)
    mirror.seconds = time.monotonic() - started
    mirror.save(update_fields=["last_attempt", "last_success", "last_error", "files_sent",
                               "files_deleted", "files_kept", "seconds"])
    return outcome


def sync_all(source: Path) -> dict[str, Outcome | None]:
    # The baked copy is a link to its current version: follow it once, so a bake that
    # switches versions meanwhile cannot pull files from under this sync.
    source = Path(source).resolve()
    files = manifest(source)
    return {m.name: sync(m, source, files) for m in Mirror.objects.filter(is_active=True)}
