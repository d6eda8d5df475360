"""The change form's warning that someone else has the article open: who, since when, kept in
the database so every process sees it, refreshed by a script of our own origin."""

import datetime
import json

import lxml.html
import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import formats, timezone, translation

from samizdat.newsroom import presence
from samizdat.newsroom.models import ArticlePresence
from tests.conftest import sign_in


@pytest.fixture
def draft(make_article, contributor):
    return make_article(status="draft", user=contributor)


def change_url(article):
    return f"/admin/newsroom/article/{article.pk}/change/"


def presence_url(article):
    return f"/admin/newsroom/article/{article.pk}/presence/"


def warning(response):
    """The warning box as rendered by the server: (shown?, its lines)."""
    assert response.status_code == 200
    box = lxml.html.fromstring(response.content.decode()).get_element_by_id("article-presence")
    return box.get("hidden") is None, [li.text_content() for li in box.findall(".//li")]


def open_at(article, user, hour, minute, days_ago=0):
    """Make `user`'s presence on `article` date from a given local time; return that time."""
    since = timezone.localtime().replace(hour=hour, minute=minute, second=0, microsecond=0)
    since -= datetime.timedelta(days=days_ago)
    assert ArticlePresence.objects.filter(article=article, user=user).update(since=since)
    return since


def english(value, format_name):
    with translation.override("en"):
        return formats.date_format(value, format_name)


@pytest.mark.parametrize("first, second", [("editor", "administrator"),
                                           ("contributor", "editor"),
                                           ("administrator", "contributor")])
def test_the_second_to_open_is_told_who_and_since_when(signed_in, staff, draft, first, second):
    one, two = signed_in(first, second)
    shown, lines = warning(one.get(change_url(draft)))
    assert not shown and lines == []  # alone: nothing to say
    since = open_at(draft, staff[first], 0, 5)

    shown, lines = warning(two.get(change_url(draft)))
    assert shown
    assert lines == [f"{staff[first].get_username()} is also editing this article "
                     f"(since {english(since, 'TIME_FORMAT')})."]
    # And the first one, opening again, is told about the second, not about themselves.
    shown, lines = warning(one.get(change_url(draft)))
    assert shown and len(lines) == 1
    assert lines[0].startswith(f"{staff[second].get_username()} is also editing")


def test_the_full_name_and_the_date_when_not_today(signed_in, staff, draft):
    editor = staff["editor"]
    editor.first_name, editor.last_name = "Ala", "Kowalska"
    editor.save()
    one, two = signed_in("editor", "administrator")
    one.get(change_url(draft))
    since = open_at(draft, editor, 9, 30, days_ago=1)
    shown, lines = warning(two.get(change_url(draft)))
    assert lines == ["Ala Kowalska is also editing this article "
                     f"(since {english(since, 'SHORT_DATETIME_FORMAT')})."]
    assert str(since.day) in lines[0]


def test_the_warning_in_belarusian(signed_in, staff, draft):
    (one,) = signed_in("editor")
    (two,) = signed_in("administrator", language="be")
    one.get(change_url(draft))
    open_at(draft, staff["editor"], 14, 5)
    shown, lines = warning(two.get(change_url(draft)))
    assert lines == ["editor таксама рэдагуе гэты артыкул (з 14:05)."]


def test_presence_is_in_the_database_not_one_processs_cache(signed_in, draft):
    one, two = signed_in("editor", "administrator")
    one.get(change_url(draft))
    for cache in caches.all():
        cache.clear()  # what another process's local cache would hold: nothing
    assert warning(two.get(change_url(draft)))[0]


def test_someone_gone_is_no_longer_shown(signed_in, staff, draft):
    one, two = signed_in("editor", "administrator")
    one.get(change_url(draft))
    ArticlePresence.objects.filter(user=staff["editor"]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert warning(two.get(change_url(draft))) == (False, [])
    assert not ArticlePresence.objects.filter(user=staff["editor"]).exists()  # swept


def test_saving_and_leaving_the_form_ends_the_presence(signed_in, staff, draft):
    from tests.newsroom.test_conflict import form_data

    one, two = signed_in("editor", "administrator")
    data = form_data(one.get(change_url(draft)))
    assert one.post(change_url(draft), {**data, "_continue": ["1"]}).status_code == 302
    assert warning(two.get(change_url(draft)))[0]  # still at it
    data = form_data(one.get(change_url(draft)))
    assert one.post(change_url(draft), data).status_code == 302  # saved and left
    assert warning(two.get(change_url(draft))) == (False, [])


def test_the_heartbeat_keeps_a_presence_and_answers_who_else(signed_in, staff, draft):
    one, two = signed_in("editor", "administrator")
    one.get(change_url(draft))
    row = ArticlePresence.objects.get(user=staff["editor"])
    assert row.expires_at - row.since == datetime.timedelta(seconds=presence.OPEN_SECONDS)

    response = two.post(presence_url(draft))
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "editors": [f"editor is also editing this article "
                    f"(since {english(timezone.localtime(row.since), 'TIME_FORMAT')})."]}
    mine = ArticlePresence.objects.get(user=staff["administrator"])
    assert mine.expires_at - timezone.now() <= datetime.timedelta(
        seconds=presence.LAPSE_SECONDS)

    response = one.post(presence_url(draft))
    again = ArticlePresence.objects.get(user=staff["editor"])
    assert again.since == row.since  # still the same sitting
    assert json.loads(response.content)["editors"][0].startswith("admin is also editing")


def test_the_heartbeat_is_for_those_who_may_edit_the_article(signed_in, make_article, draft):
    (editor,) = signed_in("editor")
    assert editor.get(presence_url(draft)).status_code == 405  # it writes: POST only
    assert Client().post(presence_url(draft)).status_code == 302  # to the sign-in page
    someone_elses = make_article(status="published")
    (contributor,) = signed_in("contributor")
    assert contributor.post(presence_url(someone_elses)).status_code in (403, 404)
    (moderator,) = signed_in("moderator")
    assert moderator.post(presence_url(draft)).status_code in (403, 404)
    assert not ArticlePresence.objects.exists()


def test_the_heartbeat_needs_the_csrf_token(staff, draft):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, staff["editor"])
    assert client.post(presence_url(draft)).status_code == 403
    page = client.get(change_url(draft))
    token = lxml.html.fromstring(page.content.decode()).xpath(
        "//form[@id='article_form']//input[@name='csrfmiddlewaretoken']/@value")[0]
    assert client.post(presence_url(draft), HTTP_X_CSRFTOKEN=token).status_code == 200


def test_the_script_is_our_own_and_the_policy_stays_strict(signed_in, draft):
    (client,) = signed_in("editor")
    response = client.get(change_url(draft))
    page = lxml.html.fromstring(response.content.decode())
    sources = page.xpath("//script/@src")
    assert "/static/newsroom/presence.js" in sources
    # No inline script but the editor's import map, which the policy allows by its hash.
    inline = [s for s in page.xpath("//script[not(@src)]") if s.get("type") != "importmap"]
    assert inline == []
    script_src = response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert "'unsafe-inline'" not in script_src
    box = page.get_element_by_id("article-presence")
    assert box.get("data-url") == presence_url(draft)
    script = b"".join(client.get("/static/newsroom/presence.js").streaming_content)
    assert b"article-presence" in script and b"X-CSRFToken" in script


def test_readers_get_no_presence_and_no_script(client, make_article):
    article = make_article(status="published")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert b"presence" not in response.content
    assert not response.cookies
    assert not ArticlePresence.objects.exists()
