"""/metrics: for this machine or the bearer token; requests by view and status, page-cache
hits and misses, render time of misses, the queue, moderation and mirrors; never an address
or a path."""

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from samizdat.comments.models import Comment, Status

READER = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "198.51.100.23"}


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.django_db
def test_metrics_are_for_this_machine_or_the_token(settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics", **READER).status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ", **READER).status_code == 404
    assert Client().get("/metrics", HTTP_HOST="10.0.0.5").status_code == 200  # loopback
    settings.METRICS_TOKEN = "s3cret-metrics"
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer nope",
                        **READER).status_code == 404
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics", **READER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert not response.cookies


@pytest.mark.django_db
def test_what_is_counted(make_article, settings):
    article = make_article()
    url = article.get_absolute_url()
    hits = value("samizdat_page_cache_total", result="hit")
    misses = value("samizdat_page_cache_total", result="miss")
    renders = value("samizdat_page_render_seconds_count")
    client = Client()
    assert client.get(url, **READER)["X-Page-Cache"] == "MISS"
    assert client.get(url, **READER)["X-Page-Cache"] == "HIT"
    assert client.get(url, **READER)["X-Page-Cache"] == "HIT"
    assert value("samizdat_page_cache_total", result="hit") == hits + 2
    assert value("samizdat_page_cache_total", result="miss") == misses + 1
    assert value("samizdat_page_render_seconds_count") == renders + 1

    not_found = value("samizdat_requests_total", view="unresolved", status="404")
    client.get("/nothing-here/alice@example.org/", **READER)
    assert value("samizdat_requests_total", view="unresolved", status="404") == not_found + 1
    client.get(url + "?secret=token", **READER)

    Comment.objects.create(article=article, name="Reader", body="Hello", client="c" * 32,
                           status=Status.PENDING)
    body = Client().get("/metrics").content.decode()
    assert "samizdat_comments_awaiting_moderation 1.0" in body
    assert "samizdat_tasks_ready 0.0" in body and "samizdat_state_up 1.0" in body
    assert 'samizdat_requests_total{status="200",view="site:article"}' in body
    assert "samizdat_page_render_seconds_bucket" in body
    for secret in ("203.0.113.7", "198.51.100.23", "alice", "secret=token", url):
        assert secret not in body
