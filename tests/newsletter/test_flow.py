"""Subscribe, confirm, the digest and one-click unsubscribe, through the reader's pages, the
task worker and a real SMTP server; every message parsed and checked."""

import datetime
import re

import dkim
import pytest
from django.utils import timezone

from samizdat.newsletter import services
from samizdat.newsletter.models import Delivery, Digest, EditionNewsletter, Send, Subscriber

from .conftest import work

SAME = {"HTTP_SEC_FETCH_SITE": "same-origin"}
URL = re.compile(r"""https?://[^\s"'<>]+""")


def links(text: str) -> list[str]:
    return URL.findall(text)


def parts(message):
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return plain, html


def assert_clean(message):
    """Both parts there; every address in them on the site; nothing loaded from anywhere."""
    plain, html = parts(message)
    assert plain.strip() and html.strip()
    for url in links(plain) + links(html):
        assert url.startswith("https://news.example.org/"), url
    assert "<img" not in html.lower() and "<script" not in html.lower()
    assert "url(" not in html and "@import" not in html
    assert "src=" not in html.lower()


def confirm_link(message) -> str:
    plain, _html = parts(message)
    found = [u for u in links(plain) if "/newsletter/confirm/" in u]
    assert len(found) == 1, plain
    return found[0].removeprefix("https://news.example.org")


def digest_time_after_now():
    """The next full hour (tomorrow's first, late at night): what was just published is in
    the 24 hours before it."""
    soon = timezone.localtime() + datetime.timedelta(hours=1)
    return soon.replace(minute=0, second=0, microsecond=0)


@pytest.mark.django_db(transaction=True)
def test_subscribe_confirm_digest_unsubscribe(client, inbox, subscriber_key, dkim_key,
                                              scaffold, make_article):
    en = scaffold["editions"]["en"]
    when = digest_time_after_now()
    EditionNewsletter.objects.create(edition=en, digest_hour=when.hour)

    page = client.get("/en/").content.decode()
    assert 'action="/en/newsletter/subscribe/"' in page
    answer = client.post("/en/newsletter/subscribe/", {"email": "Reader@Example.org",
                                                       "digest": "1", "website": ""}, **SAME)
    assert answer.status_code == 200 and "Set-Cookie" not in answer
    assert "we have sent a link" in answer.content.decode()
    work()
    assert len(inbox.messages) == 1
    rcpt, _raw, message = inbox.messages[0]
    assert rcpt == ["Reader@example.org"]
    assert "Confirm your subscription" in message["Subject"]
    assert_clean(message)
    link = confirm_link(message)
    assert not Subscriber.objects.get().confirmed_at

    # Opening the link changes nothing (mail scanners open links); the button does.
    assert client.get(link).status_code == 200
    assert not Subscriber.objects.get().confirmed_at
    assert client.post(link).status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at and subscriber.digest and not subscriber.alerts

    first = make_article(headline="Parliament “votes” & argues", lead="A long night <b>.",
                         slug="votes")
    second = make_article(headline="Second story of the day", slug="second")
    make_article(language="ru", headline="Другая редакция", slug="ru-story")
    assert services.send_due_digests(when - datetime.timedelta(minutes=1)) == []  # not yet
    started = services.send_due_digests(when + datetime.timedelta(minutes=1))
    assert len(started) == 1
    work()
    assert len(inbox.messages) == 2
    rcpt, raw, digest = inbox.messages[1]
    assert rcpt == ["Reader@example.org"]
    plain, html = parts(digest)
    # Newest first, unless the editor arranged it otherwise (test_digest.py).
    assert plain.index("Second story of the day") < plain.index("Parliament “votes” & argues")
    assert "Другая редакция" not in plain
    assert "Parliament “votes” &amp; argues" in html and "A long night &lt;b&gt;." in html
    assert "https://news.example.org" + first.get_absolute_url() in plain
    assert "https://news.example.org" + second.get_absolute_url() in html
    assert_clean(digest)
    assert digest["From"].addresses[0].addr_spec == "letters@news.example.org"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(https://news\.example\.org(/en/newsletter/unsubscribe/"
                               r"[^>]+/))>", digest["List-Unsubscribe"].strip())
    assert unsubscribe, digest["List-Unsubscribe"]
    assert unsubscribe.group(1) in plain and unsubscribe.group(1) in html
    assert digest["Message-ID"] and digest["List-Id"]
    assert digest["DKIM-Signature"] and "d=news.example.org" in digest["DKIM-Signature"]
    signed = re.search(r"h=([^;]+)", digest["DKIM-Signature"].replace("\r\n", "").replace(
        " ", "")).group(1).lower().split(":")
    assert {"from", "to", "subject", "list-unsubscribe", "list-unsubscribe-post"} <= set(signed)
    assert dkim.verify(raw, dnsfunc=dkim_key)
    assert not dkim.verify(raw.replace(b"Second story", b"Third story"), dnsfunc=dkim_key)
    assert Send.objects.get().finished_at and Send.objects.get().sent == 1
    # Once a day, however often the sweep runs.
    assert services.send_due_digests(when + datetime.timedelta(minutes=2)) == []

    # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click" to the header's address,
    # with no cookie and no page from us: the address is gone at once, with what was pending.
    path = unsubscribe.group(2)
    assert "Unsubscribe" in client.get(path).content.decode()  # GET: only a button
    assert Subscriber.objects.count() == 1
    gone = client.post(path, "List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded")
    assert gone.status_code == 200
    assert Subscriber.objects.count() == 0 and Delivery.objects.count() == 0
    assert client.post(path, "List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded").status_code == 200
    assert client.post(path.replace("-", "-0", 1)).status_code == 200
    assert Digest.objects.get().sent_at


@pytest.mark.django_db(transaction=True)
def test_an_alert_goes_once_to_alert_subscribers(client, inbox, subscriber_key, scaffold,
                                                 make_article, editor):
    from samizdat.newsletter.models import ArticleAlert
    from samizdat.newsroom import services as newsroom

    en = scaffold["editions"]["en"]
    for address, digest, alerts in (("alerts@example.org", False, True),
                                    ("digest@example.org", True, False),
                                    ("both@example.org", True, True)):
        services.subscribe(en, address, digest, alerts)
    work()
    for _rcpt, _raw, message in inbox.messages:
        client.post(confirm_link(message))
    inbox.messages.clear()
    services.subscribe(en, "unconfirmed@example.org", False, True)

    article = make_article(status="draft", headline="Breaking: the bridge is open", slug="bridge")
    ArticleAlert.objects.create(article=article, send_alert=True)
    work()
    assert [m for m in inbox.messages if "bridge" in m[2]["Subject"]] == []  # not published
    newsroom.publish(article, editor)
    work()
    alerts = [(rcpt, m) for rcpt, _raw, m in inbox.messages if "bridge" in m["Subject"]]
    assert sorted(r[0] for r, _m in alerts) == ["alerts@example.org", "both@example.org"]
    assert alerts[0][1]["Subject"] == "Breaking: the bridge is open"
    assert_clean(alerts[0][1])
    # Saved again, republished: one alert per article.
    ArticleAlert.objects.filter(article=article).update(send_alert=True)
    ArticleAlert.objects.get(article=article).save()
    newsroom.save_article(article, editor)
    work()
    assert len([m for _r, _raw, m in inbox.messages if "bridge" in m["Subject"]]) == 2
