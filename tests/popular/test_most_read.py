"""Most read: counted on the server from a same-origin beacon, once per client and article in
a window, written in batches, shown on the home page and its own page without making
every cached page stale."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samizdat.newsroom import services
from samizdat.popular import counting, ranking
from samizdat.popular.models import ReadCount

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_buffer(settings):
    settings.POPULAR_FLUSH_SECONDS = 3600  # tests flush when they mean to
    counting._pending.clear()
    yield
    counting._pending.clear()


def read(client, article, address="10.0.0.1", **headers):
    return client.post(f"/read/{article.pk}/", REMOTE_ADDR=address,
                       HTTP_SEC_FETCH_SITE=headers.get("site", "same-origin"))


def totals():
    return {r.article_id: r.count for r in ReadCount.objects.all()}


def test_readings_are_counted_once_per_client_and_written_in_one_batch(client, make_article):
    one, two = make_article(), make_article()
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        response = read(client, one, address)
        assert response.status_code == 204 and not response.cookies
        assert response["Cache-Control"] == "no-store"
    read(client, one, "10.0.0.1")  # the same reader again: not counted
    read(client, two, "10.0.0.1")
    assert ReadCount.objects.count() == 0  # nothing written per reading
    with CaptureQueriesContext(connection) as ctx:
        assert counting.flush() == 2
    inserts = [q for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) <= 2  # one executemany (the backend may log each row)
    assert totals() == {one.pk: 3, two.pk: 1}
    read(client, one, "10.0.0.4")
    counting.flush()
    assert totals() == {one.pk: 4, two.pk: 1}
    # Nothing about the readers is kept in the database.
    row = ReadCount.objects.get(article=one)
    assert {f.name for f in ReadCount._meta.fields} == {"id", "article", "edition", "hour",
                                                       "count"}
    assert row.hour.minute == 0 and row.edition_id == one.edition_id


def test_forged_unknown_and_unpublished_readings_count_nothing(client, make_article, editor):
    article = make_article()
    draft = make_article(status="draft")
    read(client, article, site="cross-site")
    client.post(f"/read/{article.pk}/", REMOTE_ADDR="10.0.0.9", HTTP_ORIGIN="https://evil.example")
    read(client, draft)
    client.post("/read/999999/", REMOTE_ADDR="10.0.0.1")
    assert client.get(f"/read/{article.pk}/").status_code == 405
    counting.flush()
    assert totals() == {}
    services.unpublish(article, editor)
    read(client, article, "10.0.0.5")
    counting.flush()
    assert totals() == {}


def test_one_client_cannot_pump_the_counts(client, make_article, monkeypatch):
    monkeypatch.setattr(counting, "CLIENT_CAP", 3)
    articles = [make_article() for _ in range(5)]
    for article in articles:
        read(client, article)
    counting.flush()
    assert sum(totals().values()) == 3


def test_lists_rank_by_day_and_week(make_article, scaffold):
    en = scaffold["editions"]["en"]
    a, b, c = make_article(), make_article(), make_article()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    ReadCount.objects.bulk_create([
        ReadCount(article=a, edition=en, hour=now, count=5),
        ReadCount(article=b, edition=en, hour=now - datetime.timedelta(hours=3), count=9),
        ReadCount(article=c, edition=en, hour=now - datetime.timedelta(days=3), count=50),
        ReadCount(article=a, edition=en, hour=now - datetime.timedelta(days=10), count=999),
    ])
    assert ranking.compute(en.pk, "day") == [b.pk, a.pk]
    assert ranking.compute(en.pk, "week") == [c.pk, b.pk, a.pk]
    assert counting.prune() == 1  # older than any list needs


def test_home_shows_most_read_and_goes_stale_only_when_the_list_changes(client, make_article):
    one, two = make_article(headline="Quiet story"), make_article(headline="Big story")
    assert "Most read" not in client.get("/en/").content.decode()
    assert client.get("/en/")["X-Page-Cache"] == "HIT"
    for n in range(3):
        read(client, two, f"10.0.1.{n}")
    read(client, one, "10.0.2.1")
    counting.flush()
    home = client.get("/en/")
    assert home["X-Page-Cache"] == "MISS"
    html = home.content.decode()
    block = html[html.index("most-read-h"):]
    assert block.index("Big story") < block.index("Quiet story")
    assert client.get("/en/")["X-Page-Cache"] == "HIT"
    # More readings that leave the order as it was: the cached page stays.
    read(client, two, "10.0.3.1")
    counting.flush()
    assert client.get("/en/")["X-Page-Cache"] == "HIT"
    # An article page does not show the list, so it never goes stale with it.
    popular = client.get("/en/popular/").content.decode()
    assert "Today" in popular and "Big story" in popular


def test_article_page_sends_the_beacon_from_our_own_origin(client, make_article):
    article = make_article()
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'data-url="/read/{article.pk}/"' in html
    assert 'src="/static/site/read' in html


def test_flush_happens_on_its_own_after_the_interval(client, make_article, settings):
    settings.POPULAR_FLUSH_SECONDS = 0
    article = make_article()
    read(client, article)
    assert totals() == {article.pk: 1}


def test_onion_readers_each_count_within_the_audiences_budget(client, make_article, settings,
                                                              monkeypatch):
    """Every onion reader arrives from the tor daemon's address: their readings are not one
    reader's (issue 22, finding 3), but together they have a budget."""
    onion = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"
    settings.ONION_ADDRESS = onion
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, onion]
    settings.ONION_LIMIT_FACTOR = 2
    monkeypatch.setattr(counting, "CLIENT_CAP", 3)
    article = make_article()
    for _ in range(8):
        client.post(f"/read/{article.pk}/", REMOTE_ADDR="127.0.0.1", HTTP_HOST=onion,
                    HTTP_SEC_FETCH_SITE="same-origin")
    counting.flush()
    assert totals() == {article.pk: 6}
