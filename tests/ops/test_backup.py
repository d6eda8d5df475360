"""Encrypted backups and their restore (docs/backup.md): the same site on another machine and
another engine, nothing readable at the target, damaged archives refused, retention exact."""

import base64
import inspect
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pyrage
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from PIL import Image

from samizdat.comments.models import Comment
from samizdat.mirrors import signing
from samizdat.mirrors.models import Mirror
from samizdat.newsroom.models import Article, Revision, Section, SiteSettings
from samizdat.ops import backup as backups
from samizdat.ops.restore import open_archive
from samizdat.photos.models import Photo
from tests.conftest import need, sign_in
from tests.ops.test_export import _english, newsroom_content, photo  # noqa: F401

PASSWORD = "correct horse battery staple"
PG = "postgres://postgres@127.0.0.1:5432"
BIN = Path(sys.executable).parent

# Run in the restored site's own process: its reader pages and API, a sign-in with password
# and TOTP code, and its mirrors.json checked against the original site's public key.
READ_BACK = r"""
import base64, json, sys
import django
django.setup()
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from samizdat.mirrors import signing
from samizdat.ops.backup import rows_by_table
paths, public_key, user, password = json.loads(sys.argv[1])
rows = rows_by_table()  # before the sign-in below stamps last_login
client = Client()
pages = {}
for path in paths:
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    pages[path] = [response.status_code, base64.b64encode(body).decode()]
device = TOTPDevice.objects.get(user__username=user)
language = {"HTTP_ACCEPT_LANGUAGE": "en"}
signed_in = client.post("/admin/login/?next=/admin/", {"username": user, "password": password,
                        "next": "/admin/"}, **language)
code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
second = client.post("/admin/second-factor/", {"code": code, "next": "/admin/"}, **language)
admin = client.get("/admin/", **language).status_code
document = json.loads(Client().get("/mirrors.json").content)
print(json.dumps({"pages": pages, "rows": rows, "password": signed_in.status_code,
                  "second": [second.status_code, second.get("Location")], "admin": admin,
                  "signed": signing.verify(document, public_key),
                  "mirrors": document["payload"]["mirrors"]}))
"""


@pytest.fixture
def key(settings, tmp_path):
    identity = pyrage.x25519.Identity.generate()
    path = tmp_path / "backup-key.txt"
    path.write_text(f"# a test key\n{identity}\n")
    settings.BACKUP_RECIPIENTS = [str(identity.to_public())]
    settings.BACKUP_PASSPHRASE = ""
    return path


@pytest.fixture
def site(newsroom_content, staff, client, django_capture_on_commit_callbacks):  # noqa: F811
    """The export tests' newsroom, plus what only a backup keeps: staff with second factors,
    the mirror list and its signing key, a photo with all its renditions."""
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, staff["administrator"])  # a confirmed TOTP device
        device = StaticDevice.objects.create(user=staff["administrator"], name="backup",
                                             confirmed=True)
        StaticToken.objects.create(device=device, token="recovery1")
        Mirror.objects.create(name="Copy", kind="folder", target="/srv/copy",
                              public_url="https://copy.example.org/")
        settings = SiteSettings.objects.get(edition__language="en")
        settings.logo.save("en.png", ContentFile(LOGO, name="en.png"))  # no photo owns it
        client.logout()
    signing.public_key_b64()  # made on first use, as the site does
    return newsroom_content


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


LOGO = _png()


def reader_paths(main) -> list[str]:
    section = Section.objects.get(pk=main.section_id)
    return ["/en/", main.get_absolute_url(), section.get_absolute_url(), "/en/rss.xml",
            "/api/v1/articles", f"/api/v1/articles/{main.pk}", "/be/", "/?p=123", "/o-nas/",
            photo_path()]


def photo_path() -> str:
    first = Photo.objects.order_by("pk").first()
    return f"/media/{first.folder}/800.webp"


def pages_here(client, paths) -> dict:
    answers = {}
    for path in paths:
        response = client.get(path)
        body = (b"".join(response.streaming_content) if response.streaming
                else response.content)
        answers[path] = [response.status_code, base64.b64encode(body).decode()]
    return answers


def run_backup(*args) -> str:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("backup", *args, stdout=out, stderr=err)
    # Progress as plain lines when not on a terminal, ending on the rows it wrote.
    rows = [line for line in err.getvalue().splitlines()
            if line.startswith("backup: database rows: ")]
    assert rows and int(rows[-1].rsplit(" ", 1)[-1]) > 0, err.getvalue()
    return out.getvalue().strip().splitlines()[-1]


# --- Engines -----------------------------------------------------------------------------------
def postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(f"{PG}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


class Database:
    """A second, empty database of one engine for the restored site."""

    def __init__(self, engine: str, folder: Path):
        self.engine, self.folder = engine, folder
        if engine == "sqlite":
            self.url = f"sqlite:///{folder / 'restored.sqlite3'}"
            return
        need(postgres_reachable(), f"PostgreSQL at {PG}")
        import psycopg

        self.name = f"samizdat_restore_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        self.url = f"{PG}/{self.name}"

    def drop(self):
        if self.engine == "postgresql":
            import psycopg

            with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def analysed(url: str) -> set[str]:
    """The tables of that database ANALYZE has been run on (pg_stat_user_tables)."""
    import psycopg

    with psycopg.connect(url) as restored:
        return {name for (name,) in restored.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")}


def environment(database: Database, var: Path, **extra) -> dict:
    env = {**os.environ, "DATABASE_URL": database.url, "SAMIZDAT_VAR_DIR": str(var),
           "DJANGO_SETTINGS_MODULE": "samizdat.settings", **extra}
    for name in ("SAMIZDAT_MEDIA_ROOT", "SAMIZDAT_SECRET_KEY", "SAMIZDAT_S3_BUCKET",
                 "SAMIZDAT_SIGNING_KEY_FILE", "SAMIZDAT_BACKUP_PASSPHRASE"):
        if name not in extra:
            env.pop(name, None)
    return env


def samizdat(env, *args, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([str(BIN / "samizdat"), *args], env=env, capture_output=True,
                          text=True, timeout=300)
    if check and done.returncode:
        pytest.fail(f"samizdat {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def read_back(env, paths, public_key) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", READ_BACK, json.dumps([paths, public_key, "admin", PASSWORD])],
        env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- Round trips ---------------------------------------------------------------------------------
# The pairs: SQLite→SQLite and SQLite→PostgreSQL in the SQLite run, PostgreSQL→SQLite in
# the PostgreSQL run.
TARGETS = ["sqlite", "postgresql"] if connection.vendor == "sqlite" else ["sqlite"]


@pytest.mark.parametrize("to", TARGETS)
def test_a_restored_site_on_another_engine_answers_the_same(site, key, client, tmp_path, to):
    main = site["main"]
    paths = reader_paths(main)
    before = pages_here(client, paths)
    assert all(status == 200 for status, _ in before.values() if status != 301)
    rows = backups.rows_by_table()
    url = run_backup("--to", str(tmp_path / "backups"))
    assert Path(url).is_file() and Path(url).parent == tmp_path / "backups"

    database = Database(to, tmp_path)
    try:
        env = environment(database, tmp_path / "restored")
        done = samizdat(env, "restore", url, "--identity", str(key))
        assert url in done.stdout.splitlines()[-1]  # "Restored … from URL." in its language
        # Progress as plain lines when not on a terminal: every row, then the search index.
        total = sum(map(len, rows.values()))
        assert f"restore: database rows: {total}/{total} (100%)" in done.stderr
        assert "search index: " in done.stderr.split("restore: database rows")[-1]
        after = read_back(env, paths, signing.public_key_b64())
        if to == "postgresql":  # the planner has statistics the moment the site is back
            assert analysed(database.url) >= {"newsroom_article", "newsroom_byline",
                                              "comments_comment", "search_document"}
    finally:
        database.drop()
    for path in paths:
        assert after["pages"][path] == before[path], path
    # Every row of every table, each value as the backup writes it (times to the microsecond,
    # JSON, keys into content types and permissions by natural key).
    assert sum(map(len, rows.values())) > 100
    for table, its_rows in rows.items():
        assert after["rows"][table] == its_rows, table
    # Staff sign in on the new machine with the same password and authenticator.
    assert after["password"] == 302
    assert after["second"] == [302, "/admin/"]
    assert after["admin"] == 200
    # Apps that trust the newsroom's key trust the new machine's mirror list.
    assert after["signed"] is True
    assert after["mirrors"] == ["https://copy.example.org/"]
    restored = tmp_path / "restored"
    assert (restored / "secret_key").read_text() == django_settings.SECRET_KEY
    assert (restored / "mirrors-ed25519.pem").read_bytes() == signing.key_path().read_bytes()
    first = Photo.objects.order_by("pk").first()
    assert ((restored / "media" / first.original).read_bytes()
            == (django_settings.MEDIA_ROOT / first.original).read_bytes())
    logo = SiteSettings.objects.get(edition__language="en").logo.name
    assert (restored / "media" / logo).read_bytes() == LOGO


def test_the_dump_writes_what_django_s_serializer_writes(site):
    """The backup reads rows as tuples; each line must be Django's own JSON Lines of the row
    (natural keys into content types and permissions, times to the microsecond)."""
    compared, natural = 0, 0
    for model in backups.dumped_models():
        out = io.StringIO()
        backups.Serializer().serialize(backups._queryset(model).iterator(), stream=out,
                                       cls=backups.ExactEncoder)
        theirs = [json.loads(line) for line in out.getvalue().splitlines()]
        ours = [json.loads(line) for line in backups.dumped_lines(model)]
        assert ours == theirs, model._meta.label_lower
        compared += len(ours)
        natural += sum(isinstance(v, list) for row in ours for v in row["fields"].values())
    assert compared > 100 and natural > 0


def test_a_field_added_since_the_archive_takes_its_default_row_by_row(site, tmp_path):
    """An archive from before a field existed: each row gets the field's default as a new
    instance would, a callable one computed for each row (one UUID each, not one for all)."""
    from samizdat.ops.restore import _load_table

    path = tmp_path / "articles.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for line in backups.dumped_lines(Article):
            row = json.loads(line)
            del row["fields"]["translation_key"], row["fields"]["comment_policy"]
            out.write(json.dumps(row) + "\n")
    count = Article.objects.count()
    assert count > 1
    Article.objects.all().delete()

    class Bar:
        def update(self, n):
            pass

    assert _load_table(Article, path, Bar()) == count
    assert Article.objects.values("translation_key").distinct().count() == count
    default = Article._meta.get_field("comment_policy").get_default()
    assert set(Article.objects.values_list("comment_policy", flat=True)) == {default}


def test_the_archive_holds_everything_and_nothing_readable(site, key, tmp_path):
    url = run_backup("--to", str(tmp_path / "backups"))
    target = tmp_path / "backups"
    stored = [p for p in target.rglob("*") if p.is_file()]
    photos = list((target / "files").rglob("*.age"))
    assert photos
    for path in stored:
        data = path.read_bytes()
        for secret in (b"Court hearing", "Суд у Менску".encode(), b"ales@example.org",
                       b"Caption 1", django_settings.SECRET_KEY.encode(), b"\xff\xd8\xff",
                       b"RIFF", b"PRIVATE KEY", b"argon2"):
            assert secret not in data, (path.name, secret)
    work = tmp_path / "opened"
    work.mkdir()
    manifest = open_archive(url, work, [key])
    counts = manifest["counts"]
    assert counts["newsroom.article"] == Article.objects.count()
    assert counts["newsroom.revision"] == Revision.objects.count()
    assert counts["comments.comment"] == Comment.objects.count()
    assert counts["otp_totp.totpdevice"] == 1 and counts["otp_static.statictoken"] == 1
    assert counts["auth.user"] == 4 and counts["mirrors.mirror"] == 1
    assert counts["newsroom.article_tags"] > 0  # links between models, in their own table
    for left_out in ("sessions.session", "axes.accessattempt", "auth.permission",
                     "contenttypes.contenttype", "django_tasks_database.dbtaskresult"):
        assert left_out not in counts
    assert manifest["engine"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["newsroom"]
    stored_files = {name for p in Photo.objects.all()
                    for name in [p.original, f"{p.folder}/800.webp"]}
    assert stored_files <= set(manifest["files"])
    assert (work / "files" / Photo.objects.first().original).is_file()
    assert "db/" not in "".join(p.name for p in stored)


def test_photo_files_already_at_the_target_are_not_sent_again(site, key, tmp_path, settings):
    first = backups.backup(str(tmp_path / "b"))
    assert first.files_sent > 0
    second = backups.backup(str(tmp_path / "b"))
    assert second.files == first.files and second.files_sent == 0
    new = photo(9)  # a new picture: its files only
    third = backups.backup(str(tmp_path / "b"))
    contents = {default_storage.open(f"{new.folder}/{name}").read()
                for name in default_storage.listdir(new.folder)[1]}
    assert third.files_sent == len(contents)  # the same bytes under two names go once
    archives = sorted(p.name for p in (tmp_path / "b").glob("*.age"))
    assert len(archives) == 3
    assert backups.last_finished() is not None  # for a health check (samizdat.monitoring)


# --- Refusals ----------------------------------------------------------------------------------
def damaged(url: str, how: str) -> str:
    data = bytearray(Path(url).read_bytes())
    if how == "flipped":
        data[len(data) // 2] ^= 0x01
    else:
        data = data[: len(data) - 200]
    path = Path(url).with_name(f"{how}-{Path(url).name}")
    path.write_bytes(bytes(data))
    return str(path)


@pytest.mark.parametrize("how", ["flipped", "truncated"])
def test_a_damaged_archive_is_refused_and_changes_nothing(site, key, tmp_path, how):
    url = run_backup("--to", str(tmp_path / "backups"))
    Article.objects.filter(slug="draft").delete()
    count = Article.objects.count()
    with pytest.raises(CommandError, match="damaged or truncated"):
        call_command("restore", damaged(url, how), "--identity", str(key), "--replace")
    assert Article.objects.count() == count


def test_a_full_disk_at_the_target_fails_clearly_and_leaves_the_earlier_backup_whole(
        site, key, tmp_path, monkeypatch):
    import errno
    import shutil

    from samizdat.ops.models import BackupRun

    target = tmp_path / "backups"
    first = run_backup("--to", str(target))
    before = sorted(p.name for p in target.rglob("*"))
    copy = shutil.copyfileobj

    def filling(source, out, length=0):
        if not out.name.endswith(".tmp") or backups.SUFFIX not in out.name:
            return copy(source, out, length)
        out.write(source.read(1000))  # the disk fills part way through the archive
        raise OSError(errno.ENOSPC, "No space left on device", out.name)

    monkeypatch.setattr(shutil, "copyfileobj", filling)
    Article.objects.filter(slug="draft").delete()
    with pytest.raises(CommandError, match="could not be written: .*No space left on device"
                       ".* earlier backups at the target are as they were"):
        call_command("backup", "--to", str(target), stdout=io.StringIO(),
                     stderr=io.StringIO())
    monkeypatch.setattr(shutil, "copyfileobj", copy)
    assert sorted(p.name for p in target.rglob("*")) == before  # no part, no orphan index
    failed = BackupRun.objects.order_by("-pk").first()
    assert failed.result == BackupRun.Result.FAILED and "No space left" in failed.message
    count = Article.objects.count()
    call_command("restore", first, "--identity", str(key), "--replace", stdout=io.StringIO(),
                 stderr=io.StringIO())
    assert Article.objects.count() == count + 1  # the draft deleted after it is back


def test_the_wrong_key_is_refused(site, key, tmp_path):
    url = run_backup("--to", str(tmp_path / "backups"))
    other = tmp_path / "other-key.txt"
    other.write_text(f"{pyrage.x25519.Identity.generate()}\n")
    with pytest.raises(CommandError, match="none of the given keys opens this archive"):
        call_command("restore", url, "--identity", str(other), "--replace")


def test_a_photo_file_tampered_with_at_the_target_is_refused(site, key, tmp_path):
    url = run_backup("--to", str(tmp_path / "backups"))
    blob = next((tmp_path / "backups" / "files").rglob("*.age"))
    data = bytearray(blob.read_bytes())
    data[-10] ^= 0x01
    blob.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="does not decrypt"):
        call_command("restore", url, "--identity", str(key), "--replace")


def test_a_database_with_content_is_refused_without_replace(site, key, tmp_path):
    url = run_backup("--to", str(tmp_path / "backups"))
    with pytest.raises(CommandError, match="not empty.*--replace"):
        call_command("restore", url, "--identity", str(key))


def test_an_archive_from_a_newer_schema_is_refused(site, key, tmp_path, monkeypatch):
    real = backups.applied_migrations

    def newer():
        applied = real()
        applied["newsroom"].append("9999_from_the_future")
        return applied

    monkeypatch.setattr(backups, "applied_migrations", newer)
    url = run_backup("--to", str(tmp_path / "backups"))
    with pytest.raises(CommandError, match="newer Samizdat.*newsroom.9999_from_the_future"):
        call_command("restore", url, "--identity", str(key), "--replace")


def test_nothing_to_encrypt_to_is_refused(db, settings, tmp_path):
    settings.BACKUP_RECIPIENTS, settings.BACKUP_PASSPHRASE = [], ""
    with pytest.raises(CommandError, match="SAMIZDAT_BACKUP_RECIPIENTS"):
        call_command("backup", "--to", str(tmp_path), interactive=False)
    settings.BACKUP_RECIPIENTS = ["age1notakey"]
    with pytest.raises(CommandError, match="not an age public key"):
        call_command("backup", "--to", str(tmp_path))
    assert not list(tmp_path.glob("*.age"))


# --- Retention ---------------------------------------------------------------------------------
NAMES = {  # UTC in the name; the newsroom's day (Europe/Minsk, UTC+3) in the comment
    "a": "samizdat-20261130-100000Z.tar.gz.age",  # Mon 30 Nov 13:00, week 49
    "b": "samizdat-20261130-200000Z.tar.gz.age",  # Mon 30 Nov 23:00, week 49
    "c": "samizdat-20261130-220000Z.tar.gz.age",  # Tue 1 Dec 01:00, week 49
    "d": "samizdat-20261201-120000Z.tar.gz.age",  # Tue 1 Dec 15:00, week 49
    "e": "samizdat-20261123-100000Z.tar.gz.age",  # Mon 23 Nov, week 48
    "f": "samizdat-20261125-100000Z.tar.gz.age",  # Wed 25 Nov, week 48
    "g": "samizdat-20261118-100000Z.tar.gz.age",  # Wed 18 Nov, week 47
}


@pytest.mark.parametrize(("daily", "weekly", "kept"), [
    (2, 2, "bdf"), (1, 0, "d"), (0, 1, "d"), (3, 0, "bdf"), (0, 3, "dfg"), (7, 8, "bdefg"),
    (0, 0, ""),
])
def test_retention_keeps_the_newest_of_each_day_and_week(settings, daily, weekly, kept):
    settings.TIME_ZONE = "Europe/Minsk"
    names = [*NAMES.values(), "notes.txt", "samizdat-20261201-120000Z.files"]
    assert backups.kept(names, daily, weekly) == {NAMES[k] for k in kept}


def test_pruning_deletes_archives_outside_the_policy_and_the_files_only_they_needed(
        settings, tmp_path):
    settings.TIME_ZONE = "Europe/Minsk"
    target = backups.FolderTarget(tmp_path)
    for letter, name in NAMES.items():
        (tmp_path / name).write_bytes(b"sealed")
        (tmp_path / name.replace(".tar.gz.age", ".files")).write_text(f"{letter * 64}\nshared\n")
        target.write_small(backups.Target.blob_name(letter * 64), b"sealed")
    target.write_small(backups.Target.blob_name("shared"), b"sealed")
    (tmp_path / "samizdat-20261202-000000Z.files").write_text("orphan\n")  # a run that died
    target.write_small(backups.Target.blob_name("orphan"), b"sealed")
    (tmp_path / "notes.txt").write_text("mine")

    deleted = backups.prune(target, keep_daily=2, keep_weekly=2)
    backups.collect(target)
    assert deleted == sorted(NAMES[k] for k in "aceg")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == sorted(
        ["notes.txt", *(NAMES[k] for k in "bdf"),
         *(NAMES[k].replace(".tar.gz.age", ".files") for k in "bdf")])
    assert target.blobs() == {"b" * 64, "d" * 64, "f" * 64, "shared"}


def test_backup_applies_the_policy_after_writing(site, key, tmp_path):
    for name in NAMES.values():
        (tmp_path / name).write_bytes(b"old")
    url = run_backup("--to", str(tmp_path), "--keep-daily", "1", "--keep-weekly", "1")
    assert sorted(p.name for p in tmp_path.glob("*.age")) == [Path(url).name]


# --- S3 and a passphrase ---------------------------------------------------------------
def test_to_an_s3_bucket_with_a_passphrase(site, settings, tmp_path, monkeypatch):
    import boto3
    from moto.server import ThreadedMotoServer

    from tests.photos.test_s3 import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    aws = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    for name, value in aws.items():
        monkeypatch.setenv(name, value)
    settings.BACKUP_RECIPIENTS, settings.BACKUP_PASSPHRASE = [], "a long shared passphrase"
    database = Database("sqlite", tmp_path)
    try:
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="backups")
        url = run_backup("--to", "s3://backups/nightly")
        assert url.startswith("s3://backups/nightly/samizdat-") and url.endswith(".tar.gz.age")
        again = backups.backup("s3://backups/nightly")
        assert again.files_sent == 0
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="backups")["Contents"]]
        assert "nightly/identity.age" in keys
        assert any(k.startswith("nightly/files/") for k in keys)
        env = environment(database, tmp_path / "restored",
                          SAMIZDAT_BACKUP_PASSPHRASE="a long shared passphrase", **aws)
        samizdat(env, "restore", url)
        count = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); "
             "from samizdat.newsroom.models import Article; print(Article.objects.count())"],
            env=env, capture_output=True, text=True, check=True).stdout.strip()
        assert int(count) == Article.objects.count()
        env["SAMIZDAT_BACKUP_PASSPHRASE"] = "not the passphrase"
        refused = samizdat(env, "restore", url, "--replace", check=False)
        with translation.override(django_settings.LANGUAGE_CODE):  # the command's language
            expected = translation.gettext("%(file)s does not open with this passphrase") % {
                "file": "s3://backups/nightly/identity.age"}
        assert refused.returncode and expected in refused.stderr
    finally:
        server.stop()
        database.drop()


# --- A backup while the newsroom works -------------------------------------------------
PUBLISH = r"""
import itertools, pathlib, sys
import django
django.setup()
from django.contrib.auth.models import User
from samizdat.comments import services as comments
from samizdat.newsroom import services
from samizdat.newsroom.models import Author, Edition, Section
stop = pathlib.Path(sys.argv[1])
editor = User.objects.get(username="editor")
edition = Edition.objects.get(language="en")
section = Section.objects.filter(edition=edition).first()
author = Author.objects.first()
for n in itertools.count():
    article = services.create_article(editor, edition=edition, section=section,
                                      author_ids=[author.pk], headline=f"Live {n}",
                                      slug=f"live-{n}", lead="Lead.", body="<p>Body.</p>")
    services.publish(article, editor)
    comments.post(article, comments.Draft(name="Reader", body=f"Comment {n}"), f"{n:032x}")
    if stop.exists() and n > 5:
        print(n + 1)
        break
"""


def test_a_backup_taken_while_articles_and_comments_are_published_is_consistent(
        tmp_path, key, settings):
    engine = connection.vendor
    database = Database(engine, tmp_path)
    try:
        env = environment(database, tmp_path / "live")
        samizdat(env, "migrate", "-v0")
        samizdat(env, "demo", "--articles", "20", "--password", PASSWORD)
        stop = tmp_path / "stop"
        publisher = subprocess.Popen([sys.executable, "-c", PUBLISH, str(stop)], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            env["SAMIZDAT_BACKUP_RECIPIENTS"] = settings.BACKUP_RECIPIENTS[0]
            urls = [samizdat(env, "backup", "--to", str(tmp_path / "b")).stdout.split()[-1]
                    for _ in range(2)]
        finally:
            stop.touch()
            out, err = publisher.communicate(timeout=120)
        assert publisher.returncode == 0, err
    finally:
        database.drop()
    published = int(out)
    assert published > 5
    for n, url in enumerate(urls):
        work = tmp_path / f"opened-{n}"
        work.mkdir()
        manifest = open_archive(url, work, [key])
        rows = {}
        for table in manifest["tables"]:
            lines = (work / "archive" / table["member"]).read_text().splitlines()
            rows[table["model"]] = [json.loads(line) for line in lines]
            assert len(lines) == manifest["counts"][table["model"]], table["model"]
        articles = {row["pk"] for row in rows["newsroom.article"]}
        assert articles
        assert all(c["fields"]["article"] in articles for c in rows["comments.comment"])
        assert all(r["fields"]["article"] in articles for r in rows["newsroom.revision"])
        live = [a for a in rows["newsroom.article"] if a["fields"]["slug"].startswith("live-")]
        comments = [c for c in rows["comments.comment"] if c["fields"]["body"].startswith("Comm")]
        # Each live article was published with its comment in the same breath: a snapshot
        # that has one without the other was not one moment.
        assert abs(len(live) - len(comments)) <= 1


def autogroup() -> str:
    """This process's autogroup nice value, or "" where the kernel does not report one (no
    autogroup scheduling, or a sandbox that shows the file empty)."""
    try:
        with open("/proc/self/autogroup") as found:
            words = found.read().split()
    except OSError:
        return ""
    return words[-1] if words else ""


NICE = inspect.getsource(autogroup) + """
import os, sys
from django.core.management import execute_from_command_line
before = autogroup()
execute_from_command_line(["samizdat", "backup", *sys.argv[1:]])
print("nice", os.nice(0))
print("session", before, "->", autogroup())
"""


def test_samizdat_backup_lowers_its_own_priority_and_call_command_does_not(db, tmp_path, key,
                                                                          settings):
    env = environment(Database("sqlite", tmp_path), tmp_path / "site",
                      SAMIZDAT_BACKUP_RECIPIENTS=settings.BACKUP_RECIPIENTS[0])
    samizdat(env, "migrate", "-v0")
    started = os.nice(0)
    # Started from a shell, the command lowers itself; leading its own session (systemd,
    # cron, setsid), it lowers its session's share of the CPU too, and only then. Where the
    # kernel shows the child no autogroup (disabled, or a sandbox's empty file: CI's shows
    # one process an empty file and its child a number), there is no session share to read
    # and the niceness alone is checked.
    for args, own_session, niceness in (
            (["--to", str(tmp_path / "a")], False, 10),
            (["--to", str(tmp_path / "b"), "--nice", "0"], False, 0),
            (["--to", str(tmp_path / "c")], True, 10),
            (["--to", str(tmp_path / "d"), "--nice", "0"], True, 0)):
        done = subprocess.run([sys.executable, "-c", NICE, *args], env=env,
                              capture_output=True, text=True, timeout=120,
                              start_new_session=own_session)
        assert done.returncode == 0, done.stderr
        nice, session = done.stdout.splitlines()[-2:]
        assert nice == f"nice {min(19, started + niceness)}", args
        before, after = session.removeprefix("session ").split(" -> ")
        if before:
            assert after == (str(niceness) if own_session else before), (args, session)
        else:
            assert after == "", (args, session)
    call_command("backup", "--to", str(tmp_path / "e"), stdout=io.StringIO(),
                 stderr=io.StringIO())
    assert os.nice(0) == started  # the test process itself is left as it was
