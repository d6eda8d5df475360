"""The subscription form in the footer of cached pages: no token, no cookie, still safe."""

import re

from django.test import Client

from samizdat.newsletter.models import EditionNewsletter, Subscriber

SAME = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def form_of(html: str) -> tuple[str, list[str]]:
    form = re.search(r'<form method="post" action="([^"]+/newsletter/subscribe/)">(.*?)</form>',
                     html, re.S)
    assert form, "no subscription form on the page"
    return form.group(1), re.findall(r'name="([^"]+)"', form.group(2))


def test_the_form_works_on_a_cached_page_without_cookies(db, subscriber_key, make_article,
                                                         django_capture_on_commit_callbacks):
    article = make_article(headline="Cached story", slug="cached")
    reader = Client()
    first = reader.get(article.get_absolute_url())
    again = reader.get(article.get_absolute_url())
    assert first["X-Page-Cache"] == "MISS" and again["X-Page-Cache"] == "HIT"
    assert "Set-Cookie" not in again and not again.cookies
    html = again.content.decode()
    assert "csrfmiddlewaretoken" not in html
    action, fields = form_of(html)
    assert action == "/en/newsletter/subscribe/"
    assert {"email", "digest", "alerts", "website"} <= set(fields)
    # The text-only pages carry it too.
    assert form_of(reader.get("/en/lite/").content.decode())[0] == action

    stranger = Client(enforce_csrf_checks=True)  # as strict as a browser without our cookie
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = stranger.post(action, {"email": "new.reader@example.org", "digest": "1",
                                        "alerts": "1", "website": ""}, **SAME)
    assert answer.status_code == 200 and "Set-Cookie" not in answer and not answer.cookies
    assert answer["Cache-Control"] == "no-store"
    subscriber = Subscriber.objects.get()
    assert not subscriber.confirmed_at and subscriber.digest and subscriber.alerts
    assert len(queued) == 1  # the confirmation email's task

    # The same address again, at once: the same answer, no second email (no mail bombing).
    with django_capture_on_commit_callbacks(execute=False) as queued:
        same = stranger.post(action, {"email": "NEW.reader@example.org", "digest": "1"}, **SAME)
    assert same.content == answer.content and not queued
    assert Subscriber.objects.count() == 1


def test_robots_other_sites_and_floods_are_refused(db, subscriber_key, scaffold, settings):
    settings.NEWSLETTER_SUBSCRIBE_LIMIT = 3
    reader = Client()
    url = "/en/newsletter/subscribe/"
    robot = reader.post(url, {"email": "bot@example.org", "digest": "1",
                              "website": "http://spam.example"}, **SAME)
    assert robot.status_code == 200 and not Subscriber.objects.exists()  # told nothing
    forged = reader.post(url, {"email": "victim@example.org", "digest": "1"},
                         HTTP_SEC_FETCH_SITE="cross-site")
    assert forged.status_code == 403 and not Subscriber.objects.exists()
    bad = reader.post(url, {"email": "not an address", "digest": "1"}, **SAME)
    assert bad.status_code == 400 and "valid email" in bad.content.decode()
    neither = reader.post(url, {"email": "x@example.org"}, **SAME)
    assert neither.status_code == 400
    assert reader.post(url, {"email": "y@example.org", "digest": "1"}, **SAME).status_code == 429
    assert Subscriber.objects.count() == 0
    assert reader.get(url).status_code == 405


def test_without_the_key_no_form_and_the_admin_says_why(db, client, settings, scaffold, staff,
                                                        make_article):
    from tests.conftest import sign_in

    settings.NEWSLETTER_SUBSCRIBER_KEY = ""
    page = client.get("/en/").content.decode()
    assert "/newsletter/subscribe/" not in page
    refused = client.post("/en/newsletter/subscribe/", {"email": "a@example.org",
                                                        "digest": "1"}, **SAME)
    assert refused.status_code == 404 and not Subscriber.objects.exists()
    sign_in(client, staff["administrator"])
    admin_page = client.get("/admin/newsletter/editionnewsletter/", follow=True)
    assert "SAMIZDAT_SUBSCRIBER_KEY" in admin_page.content.decode()  # in the staff's language
    assert "samizdat newsletter_key" in admin_page.content.decode()


def test_an_edition_can_turn_the_form_off(db, client, subscriber_key, scaffold,
                                          django_capture_on_commit_callbacks):
    assert "/en/newsletter/subscribe/" in client.get("/en/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        EditionNewsletter.objects.create(edition=scaffold["editions"]["en"], is_active=False)
    assert "/newsletter/subscribe/" not in client.get("/en/").content.decode()
    assert "/ru/newsletter/subscribe/" in client.get("/ru/").content.decode()
