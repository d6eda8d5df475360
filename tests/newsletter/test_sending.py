"""Mailings: a worker killed mid-send resumes without sending twice, refusals stop mail to an
address, the digest follows the editor's order, addresses are unreadable at rest."""

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from samizdat.newsletter import crypto, services
from samizdat.newsletter.models import Delivery, Digest, EditionNewsletter, Send, Subscriber
from samizdat.newsroom.models import Article

from .conftest import work


def confirmed(edition, count, prefix="reader", digest=True, alerts=True):
    """Subscribers as the confirmation link leaves them (through the real actions)."""
    made = []
    for n in range(count):
        services.subscribe(edition, f"{prefix}{n}@example.org", digest, alerts)
        subscriber = Subscriber.objects.get(address_hash=crypto.lookup_hash(
            f"{prefix}{n}@example.org"))
        services.confirm(services.confirm_token(subscriber, digest, alerts))
        made.append(subscriber)
    return made


class Killed(BaseException):
    """What SIGKILL does to a worker, as far as the database can tell: it stops."""


@pytest.mark.django_db(transaction=True)
def test_a_mailing_killed_midway_resumes_and_sends_nobody_twice(inbox, subscriber_key, settings,
                                                                scaffold, make_article,
                                                                monkeypatch):
    settings.NEWSLETTER_BATCH_SIZE = 7
    en = scaffold["editions"]["en"]
    confirmed(en, 25)
    article = make_article(headline="Alert for everyone", slug="everyone")
    send = services.request_alert(article)
    marked = services._mark
    calls = {"n": 0}

    def dies_after_ten(delivery_id):
        calls["n"] += 1
        if calls["n"] > 10:
            raise Killed
        return marked(delivery_id)

    monkeypatch.setattr(services, "_mark", dies_after_ten)
    with pytest.raises(Killed):
        services.deliver(send.pk, "task:first-run")
    assert len(inbox.messages) == 10
    # The killed run's claim: the rest of its batch, claimed, not marked.
    assert Delivery.objects.filter(state=Delivery.State.PENDING).exclude(claimed_by="").exists()

    monkeypatch.setattr(services, "_mark", marked)
    # Another worker's run does not take rows the first one claimed a moment ago ...
    services.deliver(send.pk, "task:someone-else")
    claimed = Delivery.objects.filter(state=Delivery.State.PENDING, claimed_by="task:first-run")
    assert claimed.count() == 4  # 10 sent of its two batches of 7
    # ... the task run again (same result id, as the worker's requeue does) resumes them.
    services.deliver(send.pk, "task:first-run")
    received = Counter(rcpt[0] for rcpt, _raw, _m in inbox.messages)
    assert len(received) == 25 and set(received.values()) == {1}
    send.refresh_from_db()
    assert send.finished_at and send.sent == 25 and send.recipients == 25


@pytest.mark.django_db(transaction=True)
def test_a_stale_claim_of_a_dead_worker_is_taken_over(inbox, subscriber_key, settings,
                                                      scaffold, make_article):
    en = scaffold["editions"]["en"]
    confirmed(en, 3)
    send = services.request_alert(make_article(headline="Stale", slug="stale"))
    services.prepare(send)
    long_ago = timezone.now() - datetime.timedelta(
        seconds=settings.TASK_WORKER_LEASE_SECONDS + 1)
    Delivery.objects.update(claimed_by="task:dead", claimed_at=long_ago)
    services.deliver(send.pk, "task:other")
    assert sorted(r[0] for r, _raw, _m in inbox.messages) == [
        "reader0@example.org", "reader1@example.org", "reader2@example.org"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_an_alert_and_a_refused_address_is_dropped_after_the_limit(
        inbox, subscriber_key, settings, scaffold, make_article):
    settings.NEWSLETTER_MAX_BOUNCES = 2
    en = scaffold["editions"]["en"]
    confirmed(en, 2)
    inbox.refuse["reader1@example.org"] = "550 5.1.1 No such mailbox"
    inbox.refuse["slow0@example.org"] = "451 4.3.0 Try again later"
    confirmed(en, 1, prefix="slow")
    for n in range(3):
        services.request_alert(make_article(headline=f"Alert {n}", slug=f"alert-{n}"))
        work()
    to_good = [m["Subject"] for rcpt, _raw, m in inbox.messages
               if rcpt == ["reader0@example.org"] and m["Subject"].startswith("Alert")]
    assert to_good == ["Alert 0", "Alert 1", "Alert 2"]
    refused = Subscriber.objects.get(address_hash=crypto.lookup_hash("reader1@example.org"))
    assert refused.bounces == 2
    # Twice refused: the third alert did not even try it.
    assert Delivery.objects.filter(subscriber=refused).count() == 2
    assert all(s.finished_at is None or s.failed <= 1 for s in Send.objects.all())
    # "Try later" is not a refusal of the address: its row waits for another try.
    slow = Subscriber.objects.get(address_hash=crypto.lookup_hash("slow0@example.org"))
    assert slow.bounces == 0
    assert Delivery.objects.filter(subscriber=slow, state=Delivery.State.PENDING).count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_editor_reorders_and_drops_digest_items(client, inbox, subscriber_key, scaffold,
                                                    make_article, staff):
    from tests.conftest import sign_in

    en = scaffold["editions"]["en"]
    # This hour of today, with the articles published just before it: the next whole hour
    # is tomorrow's after 23:00, and the admin makes today's digest.
    soon = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    EditionNewsletter.objects.create(edition=en, digest_hour=soon.hour)
    confirmed(en, 1, alerts=False)
    one = make_article(headline="First of the day", slug="one")
    two = make_article(headline="Second of the day", slug="two")
    dropped = make_article(headline="Not for the digest", slug="three")
    Article.objects.filter(pk__in=[one.pk, two.pk, dropped.pk]).update(
        published_at=soon - datetime.timedelta(minutes=1))
    editor = staff["editor"]
    sign_in(client, editor)
    assert client.get("/admin/newsletter/digest/").status_code == 200  # makes today's digest
    digest = Digest.objects.get(edition=en, day=soon.date())
    items = {i.article_id: i for i in digest.items.all()}
    assert set(items) == {one.pk, two.pk, dropped.pk}
    page = client.get(f"/admin/newsletter/digest/{digest.pk}/change/")
    assert page.status_code == 200 and "Second of the day" in page.content.decode()
    form = {"hold": "", "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "3",
            "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "1000"}
    for n, (article, position, included) in enumerate(
            ((one, 0, True), (two, 1, True), (dropped, 2, False))):
        form.update({f"items-{n}-id": items[article.pk].pk, f"items-{n}-digest": digest.pk,
                     f"items-{n}-position": position})
        if included:
            form[f"items-{n}-included"] = "on"
    saved = client.post(f"/admin/newsletter/digest/{digest.pk}/change/", form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    services.send_due_digests(timezone.localtime())
    work()
    text = inbox.messages[-1][2].get_body(("plain",)).get_content()
    assert text.index("First of the day") < text.index("Second of the day")
    assert "Not for the digest" not in text


@pytest.mark.django_db(transaction=True)
def test_addresses_are_not_readable_in_the_database(subscriber_key, scaffold, tmp_path):
    en = scaffold["editions"]["en"]
    services.subscribe(en, "secret.reader@hidden-domain.test", True, False)
    address = b"secret.reader@hidden-domain.test"
    if connection.vendor == "sqlite":  # the database file itself, copied as a thief would
        copy = tmp_path / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        data = copy.read_bytes()
        assert b"hidden-domain" not in data and b"secret.reader" not in data
        assert len(data) > 100_000  # the whole database, not an empty file
    with connection.cursor() as cursor:  # every column of the table, as text
        cursor.execute(f"SELECT * FROM {Subscriber._meta.db_table}")  # noqa: S608
        rows = cursor.fetchall()
    assert rows and "hidden-domain" not in repr(rows) and "secret.reader" not in repr(rows)
    assert Subscriber.objects.get().address == address.decode()


@pytest.mark.django_db(transaction=True)
def test_no_subscriber_address_reaches_a_log_line_or_the_mailings_error(
        inbox, subscriber_key, scaffold, make_article, caplog, monkeypatch):
    """Mail servers name the address in their refusals; the log and the mailing's recorded
    error (neither encrypted) must not carry it."""
    import logging
    import smtplib

    caplog.set_level(logging.DEBUG)
    en = scaffold["editions"]["en"]
    addresses = [f"reader{n}@example.org" for n in range(3)]
    confirmed(en, 3)
    inbox.refuse["reader1@example.org"] = "550 5.1.1 <reader1@example.org>: no such user"
    inbox.refuse["reader2@example.org"] = "451 4.2.0 <reader2@example.org>: try later"
    send = services.request_alert(make_article(headline="Alert", slug="alert"))
    services.deliver(send.pk, "task:one")
    # Then the server goes away in the middle of a message, its last words naming it.
    original = services.Outbox.send

    def lost(self, sender, to, raw):
        raise smtplib.SMTPServerDisconnected(f"connection lost while sending to <{to}>")

    monkeypatch.setattr(services.Outbox, "send", lost)
    send = services.request_alert(make_article(headline="Second", slug="second"))
    result = services.deliver(send.pk, "task:two")
    monkeypatch.setattr(services.Outbox, "send", original)
    assert "[address]" in result["error"]
    send.refresh_from_db()
    # Every line this process logged but the test's own mail server's (aiosmtpd: mail.log).
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    assert any("paused" in line for line in ours)
    written = [*ours, send.last_error, result["error"]]
    assert not [a for a in addresses for text in written if a in text]
