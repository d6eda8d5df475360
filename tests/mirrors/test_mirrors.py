"""Mirrors: the signed mirrors.json, the Mirrors page, and syncs that send only what changed
(a folder, an S3 bucket on moto's server, and rsync)."""

import json
import shutil
import socket
import stat
import uuid

import pytest

from samizdat.bake.state import State, digests
from samizdat.mirrors import signing
from samizdat.mirrors.models import Mirror
from samizdat.mirrors.sync import MANIFEST, _listed_folder, sync
from tests.net import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def baked(tmp_path):
    root = tmp_path / "baked"
    (root / "en" / "news").mkdir(parents=True)
    (root / "index.html").write_text("<p>home</p>")
    (root / "en" / "index.html").write_text("<p>en</p>")
    (root / "en" / "news" / "index.html").write_text("<p>news</p>")
    (root / "site.css").write_text("body{}")
    return root


def test_mirrors_json_is_signed_and_verifies_only_unaltered(client, settings, scaffold):
    settings.ONION_ADDRESS = "abc.onion"
    Mirror.objects.create(name="A", kind="folder", target="/srv/a",
                          public_url="https://mirror-a.example.net/")
    Mirror.objects.create(name="Private", kind="folder", target="/srv/b")
    Mirror.objects.create(name="Off", kind="folder", target="/srv/c", is_active=False,
                          public_url="https://off.example.net/")
    response = client.get("/mirrors.json")
    assert response.status_code == 200 and not response.cookies
    document = json.loads(response.content)
    payload = document["payload"]
    assert payload["mirrors"] == ["https://mirror-a.example.net/"]
    assert payload["onion"] == "http://abc.onion" and payload["site"] == settings.SITE_URL
    key = signing.public_key_b64()
    assert document["public_key"] == key
    assert signing.verify(document, key)
    altered = json.loads(response.content)
    altered["payload"]["mirrors"].append("https://evil.example/")
    assert not signing.verify(altered, key)
    other = json.loads(response.content)
    other["signature"] = other["signature"][:-4] + "AAA="
    assert not signing.verify(other, key)
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    stranger = base64.b64encode(Ed25519PrivateKey.generate().public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)).decode()
    assert not signing.verify(document, stranger)
    # The key is the site's own, kept private, and stays the same.
    assert stat.S_IMODE(signing.key_path().stat().st_mode) == 0o600
    assert signing.public_key_b64() == key


def test_mirrors_page_lists_the_addresses_and_follows_changes(
        client, scaffold, django_capture_on_commit_callbacks):
    assert client.get("/en/mirrors/").status_code == 200
    assert client.get("/en/mirrors/")["X-Page-Cache"] == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        mirror = Mirror.objects.create(name="A", kind="folder", target="/srv/a",
                                       public_url="https://mirror-a.example.net/")
    html = client.get("/en/mirrors/").content.decode()
    assert "https://mirror-a.example.net/" in html and signing.public_key_b64() in html
    assert 'href="/en/lite/"' in html
    # A sync's status changes no page: the cached one stays.
    client.get("/en/mirrors/")
    with django_capture_on_commit_callbacks(execute=True):
        mirror.files_sent = 5
        mirror.save(update_fields=["files_sent"])
    assert client.get("/en/mirrors/")["X-Page-Cache"] == "HIT"
    assert 'href="/en/mirrors/"' in client.get("/en/").content.decode()


def test_folder_sync_sends_only_changed_files_and_removes_deleted(baked, tmp_path):
    target = tmp_path / "mirror"
    mirror = Mirror.objects.create(name="Local", kind="folder", target=str(target))
    first = sync(mirror, baked)
    assert (first.sent, first.deleted, first.kept) == (4, 0, 0)
    assert (target / "en" / "news" / "index.html").read_text() == "<p>news</p>"
    assert sync(mirror, baked).sent == 0
    (baked / "en" / "index.html").write_text("<p>en, updated</p>")
    (baked / "site.css").unlink()
    third = sync(mirror, baked)
    assert (third.sent, third.deleted, third.kept) == (1, 1, 2)
    assert not (target / "site.css").exists()
    assert (target / "en" / "index.html").read_text() == "<p>en, updated</p>"
    assert set(json.loads((target / MANIFEST).read_text())) == {
        "index.html", "en/index.html", "en/news/index.html"}
    mirror.refresh_from_db()
    assert mirror.last_success and not mirror.last_error and mirror.files_sent == 1


def test_a_failed_sync_is_recorded_on_the_mirror(baked, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    mirror = Mirror.objects.create(name="Broken", kind="folder", target=str(blocker / "x"))
    assert sync(mirror, baked) is None
    mirror.refresh_from_db()
    assert mirror.last_attempt and mirror.last_success is None
    assert "Error" in mirror.last_error


@pytest.fixture
def bucket(monkeypatch):
    """An empty S3 bucket on moto's server: (client, endpoint, name). moto keeps its
    buckets for the whole process, so each test gets a new one."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                            ("AWS_DEFAULT_REGION", "us-east-1")):
            monkeypatch.setenv(name, value)
        s3 = boto3.client("s3", endpoint_url=endpoint)
        name = f"mirror-{uuid.uuid4().hex[:12]}"
        s3.create_bucket(Bucket=name)
        yield s3, endpoint, name
    finally:
        server.stop()


def test_s3_sync_sends_only_changed_objects(baked, bucket):
    s3, endpoint, name = bucket
    mirror = Mirror.objects.create(name="Bucket", kind="s3", target=name,
                                   endpoint_url=endpoint)
    assert sync(mirror, baked).sent == 4
    head = s3.head_object(Bucket=name, Key="en/index.html")
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert sync(mirror, baked).sent == 0
    (baked / "index.html").write_text("<p>home, updated</p>")
    (baked / "en" / "news" / "index.html").unlink()
    outcome = sync(mirror, baked)
    assert (outcome.sent, outcome.deleted) == (1, 1)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]}
    assert keys == {"index.html", "en/index.html", "site.css", MANIFEST}
    body = s3.get_object(Bucket=name, Key="index.html")["Body"].read()
    assert body == b"<p>home, updated</p>"


def _update(baked):
    """What bake/update.py does to a copy: rewrite, remove and add files, and note them in
    the journal. One more file changes without a note: only the journal is read."""
    (baked / "en" / "index.html").write_text("<p>en, updated</p>")
    (baked / "site.css").unlink()
    (baked / "en" / "new").mkdir()
    (baked / "en" / "new" / "index.html").write_text("<p>new</p>")
    changes = {"en/index.html": "1", "site.css": None, "en/new/index.html": "2"}
    with State(baked) as state:
        state.set_files(changes)
        state.record(changes)
    (baked / "index.html").write_text("<p>changed by hand</p>")


def _bake_state(baked):
    with State(baked) as state:
        state.set_files(digests(baked))


def test_rsync_and_s3_after_an_update_send_what_the_journal_names(baked, bucket, tmp_path):
    from tests.conftest import need

    need(shutil.which("rsync") is not None, "rsync (apt-get install rsync)")
    s3, endpoint, name = bucket
    target = tmp_path / "rsync-target"
    target.mkdir()
    mirrors = [Mirror.objects.create(name="Rsync", kind="rsync", target=f"{target}/"),
               Mirror.objects.create(name="Bucket", kind="s3", target=name,
                                     endpoint_url=endpoint)]
    _bake_state(baked)
    for mirror in mirrors:  # new to this copy: compared whole
        assert sync(mirror, baked, full=False).sent == 4
    _update(baked)
    for mirror in mirrors:
        outcome = sync(mirror, baked, full=False)
        assert (outcome.sent, outcome.deleted, outcome.kept) == (2, 1, 2)
        mirror.refresh_from_db()
        assert (mirror.synced_copy, mirror.synced_entry) == ("baked", 3)

    def held(path):
        if (target / path).exists():
            rsync = (target / path).read_text()
        else:
            rsync = None
        try:
            bucket = s3.get_object(Bucket=mirror.target, Key=path)["Body"].read().decode()
        except s3.exceptions.NoSuchKey:
            bucket = None
        return rsync, bucket

    assert held("en/index.html") == ("<p>en, updated</p>",) * 2
    assert held("en/new/index.html") == ("<p>new</p>",) * 2
    assert held("site.css") == (None, None)
    assert held("index.html") == ("<p>home</p>",) * 2  # not in the journal: not sent
    for mirror in mirrors:  # a full check afterwards: the mirror holds the copy's files
        outcome = sync(mirror, baked)
        assert outcome is not None, mirror.last_error
        assert outcome.deleted == 0 and outcome.sent + outcome.kept == 4
    assert set(_listed_folder(target)) == {p.relative_to(baked).as_posix()
                                           for p in baked.rglob("*") if p.is_file()}


def test_rsync_sync_sends_only_changed_files(baked, tmp_path):
    from tests.conftest import need

    need(shutil.which("rsync") is not None, "rsync (apt-get install rsync)")
    target = tmp_path / "rsync-target"
    target.mkdir()
    # A local destination runs the same rsync command an SSH target does, without ssh.
    mirror = Mirror.objects.create(name="Rsync", kind="rsync", target=f"{target}/")
    assert sync(mirror, baked).sent == 4
    assert sync(mirror, baked).sent == 0
    (baked / "site.css").write_text("body{color:red}")
    (baked / "en" / "news" / "index.html").unlink()
    outcome = sync(mirror, baked)
    assert (outcome.sent, outcome.deleted) == (1, 1)
    assert (target / "site.css").read_text() == "body{color:red}"
    assert not (target / "en" / "news" / "index.html").exists()


@pytest.fixture
def ssh_host(tmp_path):
    """A real sshd on loopback that lets this user in with a throwaway key."""
    import getpass
    import subprocess
    import time
    from pathlib import Path

    from tests.conftest import need

    sshd = Path("/usr/sbin/sshd")
    need(sshd.exists() and shutil.which("ssh") and shutil.which("rsync"),
         "Debian's openssh-server, openssh-client and rsync")
    keys = tmp_path / "ssh"
    keys.mkdir(mode=0o700)
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)],
                       check=True)
    (keys / "authorized_keys").write_text((keys / "client.pub").read_text())
    port = free_port()
    config = keys / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
        f"AuthorizedKeysFile {keys / 'authorized_keys'}\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
        f"PidFile {keys / 'sshd.pid'}\nPermitRootLogin prohibit-password\n")
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation folder
    process = subprocess.Popen([str(sshd), "-D", "-e", "-f", str(config)],
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:
        assert process.poll() is None, process.stderr.read().decode()
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert time.monotonic() < deadline, "sshd did not start"
        time.sleep(0.1)
    command = (f"ssh -p {port} -i {keys / 'client'} -o BatchMode=yes "
               "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR")
    try:
        yield f"{getpass.getuser()}@127.0.0.1", command
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_rsync_over_ssh_sends_only_changed_files(baked, tmp_path, ssh_host, settings):
    login, settings.RSYNC_SSH = ssh_host
    target = tmp_path / "remote"
    mirror = Mirror(name="Remote", kind="rsync", target=f"{login}:{target}/")
    mirror.full_clean()
    mirror.save()
    assert sync(mirror, baked).sent == 4
    assert (target / "en" / "news" / "index.html").read_text() == "<p>news</p>"
    assert sync(mirror, baked).sent == 0
    (baked / "index.html").write_text("<p>home, updated</p>")
    (baked / "site.css").unlink()
    outcome = sync(mirror, baked)
    assert (outcome.sent, outcome.deleted) == (1, 1)
    assert not (target / "site.css").exists()
    mirror.refresh_from_db()
    assert mirror.last_success and not mirror.last_error


def test_a_bucket_mirror_without_the_s3_client_is_refused_clearly(monkeypatch):
    """boto3 comes with the s3 extra only: a plain install said nothing until a sync failed."""
    from django.core.exceptions import ValidationError

    from samizdat.mirrors import models

    monkeypatch.setattr(models, "s3_installed", lambda: False)
    mirror = models.Mirror(name="Bucket", kind="s3", target="copy")
    with pytest.raises(ValidationError) as refused:
        mirror.full_clean()
    assert "pip install 'samizdat[s3]'" in str(refused.value)
    models.Mirror(name="Folder", kind="folder", target="/srv/copy").full_clean()
