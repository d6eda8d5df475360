"""Keys: DKIM signatures made by OpenSSL are dkimpy's own; the subscriber key stays out of
backups; subscribers leave an export only when an administrator asks."""

import hashlib
from io import StringIO
from pathlib import Path

import dkim
import dkim.crypto
import pyrage
import pytest
from django.core.management import call_command

from samizdat.newsletter import mail, services
from samizdat.newsletter.models import Subscriber


def test_openssl_signatures_are_dkimpys_own(dkim_key, settings):
    key = Path(settings.NEWSLETTER_DKIM_KEY_FILE).read_bytes()
    parsed = dkim.crypto.parse_pem_private_key(key)
    for text in (b"one message", b"another"):
        digest = hashlib.sha256(text)
        assert mail._openssl_sign(digest, parsed) == \
            dkim.crypto.RSASSA_PKCS1_v1_5_sign(hashlib.sha256(text), parsed)


@pytest.mark.django_db(transaction=True)
def test_the_subscriber_key_is_not_in_a_backup(subscriber_key, scaffold, settings, tmp_path):
    from samizdat.ops.restore import open_archive

    services.subscribe(scaffold["editions"]["en"], "kept.secret@example.org", True, False)
    identity = pyrage.x25519.Identity.generate()
    identity_file = tmp_path / "backup-key.txt"
    identity_file.write_text(f"{identity}\n")
    settings.BACKUP_RECIPIENTS = [str(identity.to_public())]
    settings.BACKUP_PASSPHRASE = ""
    out = StringIO()
    call_command("backup", "--to", str(tmp_path / "backups"), stdout=out, stderr=StringIO())
    work = tmp_path / "opened"
    work.mkdir()
    manifest = open_archive(out.getvalue().strip().splitlines()[-1], work, [identity_file])
    assert manifest["counts"]["newsletter.subscriber"] == 1  # the rows, encrypted
    opened = b"".join(p.read_bytes() for p in work.rglob("*") if p.is_file())
    assert settings.SECRET_KEY.encode() in opened  # the backup's keys/ holds that one ...
    assert subscriber_key.encode() not in opened  # ... and not this one
    assert b"kept.secret" not in opened
    assert Subscriber.objects.get().address_encrypted.encode() in opened


@pytest.mark.django_db(transaction=True)
def test_an_export_holds_subscribers_only_at_an_administrators_request(
        subscriber_key, scaffold, staff, tmp_path):
    from django.core.management.base import CommandError

    from samizdat.newsroom.models import AuditEntry

    en = scaffold["editions"]["en"]
    services.subscribe(en, "exported@example.org", True, False)
    subscriber = Subscriber.objects.get()
    services.confirm(services.confirm_token(subscriber, True, False))
    services.subscribe(en, "never.confirmed@example.org", True, False)

    plain = tmp_path / "plain"
    call_command("export", str(plain), stdout=StringIO(), stderr=StringIO())
    everything = b"".join(p.read_bytes() for p in plain.rglob("*") if p.is_file())
    assert b"exported@" not in everything and not (plain / "subscribers.jsonl").exists()

    with pytest.raises(CommandError, match="not an active administrator"):
        call_command("export", str(tmp_path / "by-editor"), "--subscribers-for", "editor",
                     stdout=StringIO(), stderr=StringIO())
    assert not AuditEntry.objects.filter(action="export-subscribers").exists()

    asked = tmp_path / "asked"
    call_command("export", str(asked), "--subscribers-for", "admin", stdout=StringIO(),
                 stderr=StringIO())
    lines = (asked / "subscribers.jsonl").read_text().splitlines()
    assert len(lines) == 1 and '"email": "exported@example.org"' in lines[0]
    entry = AuditEntry.objects.get(action="export-subscribers")
    assert entry.actor == staff["administrator"] and entry.details["subscribers"] == 1
    assert "exported" not in str(entry.details)
