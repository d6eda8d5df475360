"""Onion commenters all arrive from the tor daemon's address: limits give them a shared
budget and bans name a writer, never that address (issue 22, finding 3)."""

import pytest

from samizdat.comments import services
from samizdat.comments.models import Ban, Comment
from tests.conftest import sign_in

ONION = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"


@pytest.fixture
def onion(settings):
    settings.ONION_ADDRESS = ONION
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ONION]


@pytest.fixture
def over_tor(client, article, onion, django_capture_on_commit_callbacks):
    def send(name="Ales", body="A thoughtful comment.", address="127.0.0.1", host=ONION):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/en/comments/{article.pk}/post/",
                               {"name": name, "body": body, "email": "", "website": ""},
                               HTTP_SEC_FETCH_SITE="same-origin", REMOTE_ADDR=address,
                               HTTP_HOST=host)
    return send


def test_one_onion_readers_flood_does_not_stop_the_others(over_tor, settings):
    settings.COMMENTS_CLIENT_LIMIT = 2
    settings.ONION_LIMIT_FACTOR = 5
    answers = [over_tor(name=f"Reader {n}", body=f"Comment number {n}").status_code
               for n in range(11)]
    # Ten onion comments in one window: the audience's budget (2 x 5), then a puzzle.
    assert answers[:10] == [200] * 10 and answers[10] == 429
    # The same address on the clearnet host is one client with one client's limit.
    web = [over_tor(name="Web", body=f"Web comment {n}", host="testserver").status_code
           for n in range(3)]
    assert web == [200, 200, 429]


def test_banning_one_onion_commenter_bans_that_name_not_every_onion_reader(
        client, over_tor, staff, article):
    over_tor(name="Troll", body="Something hateful")
    over_tor(name="Olga", body="Something kind")
    troll = Comment.objects.get(name="Troll")
    assert services.ban([troll], staff["moderator"]) == 1
    statuses = dict(Comment.objects.values_list("name", "status"))
    assert statuses == {"Troll": "spam", "Olga": "approved"}
    ban = Ban.objects.get()
    assert ban.client == troll.client and ban.name == "Troll"
    assert over_tor(name="Troll", body="Back again").status_code == 403
    assert over_tor(name="Olga", body="Still here").status_code == 200
    # Banning from the moderation queue goes through the same action.
    sign_in(client, staff["moderator"])
    assert Comment.objects.filter(name="Olga", status="approved").count() == 2
