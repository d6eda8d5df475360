"""The admin's front page: what each role sees first, and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samizdat.comments.models import Comment
from samizdat.newsroom import services
from samizdat.security import dashboard
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def _index(client, user):
    sign_in(client, user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def _pending(article, n=1):
    for i in range(n):
        Comment.objects.create(article=article, name=f"Reader {i}", body="Hello there",
                               client="c" * 32)


def test_editor_sees_review_schedule_and_today(client, editor, make_article):
    make_article(headline="Out this morning")
    make_article(headline="Needs a second look", status="review")
    later = make_article(headline="Goes out tonight", status="draft")
    services.schedule(later, editor, dashboard.newsroom_day()[1] - datetime.timedelta(minutes=1))
    page = _index(client, editor)
    assert 'id="dashboard-review"' in page and "Needs a second look" in page
    assert "Goes out tonight" in page and "Out this morning" in page
    assert 'id="dashboard-comments"' in page  # editors moderate too
    assert 'id="dashboard-technical"' not in page
    assert 'id="dashboard-delivery"' in page
    # Django's app list is still there, below.
    assert page.index('id="dashboard-review"') < page.index('class="app-newsroom')


def test_contributor_sees_own_drafts_only(client, contributor, editor, make_article):
    make_article(headline="My own draft", status="draft", user=contributor)
    make_article(headline="Someone else's draft", status="draft")
    make_article(headline="Waiting for the desk", status="review")
    page = _index(client, contributor)
    assert 'id="dashboard-drafts"' in page and "My own draft" in page
    assert "Someone else&#x27;s draft" not in page
    for block in ("review", "comments", "delivery", "technical"):
        assert f'id="dashboard-{block}"' not in page
    assert "Waiting for the desk" not in page


def test_moderator_sees_pending_comments_count(client, staff, make_article):
    article = make_article()
    _pending(article, 3)
    page = _index(client, staff["moderator"])
    assert 'id="dashboard-comments"' in page
    assert '<span class="dashboard-count">3</span>' in page
    for block in ("review", "drafts", "today", "technical"):
        assert f'id="dashboard-{block}"' not in page


def test_counts_stop_at_the_cap(client, staff, make_article, monkeypatch):
    monkeypatch.setattr(dashboard, "CAP", 2)
    _pending(make_article(), 5)
    page = _index(client, staff["moderator"])
    assert '<span class="dashboard-count">2+</span>' in page


def test_administrator_sees_technical_blocks_below(client, staff, make_article):
    make_article(status="review")
    page = _index(client, staff["administrator"])
    assert 'id="dashboard-technical"' in page
    assert page.index('id="dashboard-review"') < page.index('id="dashboard-technical"')
    assert page.index('id="dashboard-delivery"') < page.index('id="dashboard-technical"')


def test_newsroom_day_follows_settings_time_zone(settings):
    settings.TIME_ZONE = "Europe/Minsk"
    moment = datetime.datetime(2024, 5, 3, 22, 30, tzinfo=datetime.UTC)  # 01:30 on the 4th
    start, end = dashboard.newsroom_day(moment)
    assert start.isoformat() == "2024-05-04T00:00:00+03:00"
    assert end - start == datetime.timedelta(days=1)
    with timezone.override("UTC"):
        assert dashboard.newsroom_day(moment)[0] == start


def _queries(client, user):
    sign_in(client, user)
    client.get(reverse("admin:index"))  # sessions, permissions and caches warmed
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("admin:index")).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_archive(client, staff, editor, make_article):
    from samizdat.popular.models import ReadCount

    hour = timezone.now().replace(minute=0, second=0, microsecond=0)

    def add(n):
        for i in range(n):
            status = ("published", "review", "draft")[i % 3]
            article = make_article(status=status, user=editor)
            if status == "published":
                _pending(article)
                ReadCount.objects.create(article=article, edition=article.edition, hour=hour,
                                         count=i + 1)

    add(1)
    counts = {role: _queries(client, staff[role]) for role in staff}
    add(29)
    assert {role: _queries(client, staff[role]) for role in staff} == counts


@pytest.mark.parametrize(("language", "heading"), [
    ("be", "Чакаюць праверкі"), ("ru", "Ждут проверки"), ("en", "Waiting for review")])
def test_in_the_staff_members_language_with_24_hour_times(client, editor, make_article,
                                                          language, heading, monkeypatch):
    article = make_article(status="draft")
    start, end = dashboard.newsroom_day()
    noon = start + (end - start) / 2  # whenever the test runs, 23:30 is still to come
    monkeypatch.setattr(timezone, "now", lambda: noon)
    evening = end - datetime.timedelta(minutes=30)  # 23:30 today
    services.schedule(article, editor, evening)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    page = _index(client, editor)
    assert heading in page
    assert ">23:30<" in page
