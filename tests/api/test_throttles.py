"""The API's rate limits: per client, per minute, answered with 429 and Retry-After."""

import pytest


@pytest.fixture
def small_limit(settings):
    settings.API_RATE_LIMIT = 3


def test_a_client_over_the_limit_gets_429(client, scaffold, small_limit):
    for _ in range(3):
        assert client.get("/api/v1/editions", REMOTE_ADDR="192.0.2.1").status_code == 200
    refused = client.get("/api/v1/articles", REMOTE_ADDR="192.0.2.1")
    assert refused.status_code == 429
    assert refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    # A shared cache must not hand one client's refusal to everyone.
    assert refused["Cache-Control"] == "no-store"
    assert refused["Access-Control-Allow-Origin"] == "*"
    # Other clients are counted apart.
    assert client.get("/api/v1/editions", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_refused_parameters_count_too(client, scaffold, small_limit):
    for _ in range(3):
        assert client.get("/api/v1/articles?limit=0").status_code == 422
    assert client.get("/api/v1/articles").status_code == 429


def test_behind_a_proxy_the_forwarded_address_is_the_client(client, scaffold, settings,
                                                            small_limit):
    settings.PROXY_COUNT = 1
    for n in range(5):
        response = client.get("/api/v1/editions", REMOTE_ADDR="10.0.0.1",
                              HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert response.status_code == 200


def test_zero_turns_the_limit_off(client, scaffold, settings):
    settings.API_RATE_LIMIT = 0
    for _ in range(5):
        assert client.get("/api/v1/editions").status_code == 200


def test_searches_also_count_against_the_search_limit(client, make_article, settings):
    settings.SEARCH_RATE_LIMIT = 2
    make_article(headline="Floods in the south")
    for _ in range(2):
        assert client.get("/api/v1/search", {"q": "floods"}).status_code == 200
    assert client.get("/api/v1/search", {"q": "floods"}).status_code == 429
    assert client.get("/api/v1/articles").status_code == 200
