"""Where the API lives and what every answer carries: CORS, caching, no cookies, no page cache."""

import pytest

from samizdat.newsroom import services
from tests.conftest import sign_in

URLS = ["/api/v1/editions", "/api/v1/articles", "/api/v1/articles/999999",
        "/api/v1/articles?limit=0", "/api/v1/tags", "/api/v1/openapi.json", "/api/v1/nowhere",
        "/api/v1/"]


@pytest.mark.parametrize("url", URLS)
def test_every_answer_is_public_json_without_cookies(client, scaffold, url):
    response = client.get(url)
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=60"
    assert not response.cookies and "Set-Cookie" not in response
    assert "Cookie" not in response.get("Vary", "")
    assert "X-Page-Cache" not in response


def test_staff_signed_in_get_no_cookie_either(client, editor):
    sign_in(client, editor)
    response = client.get("/api/v1/articles")
    assert response.status_code == 200 and not response.cookies


def test_the_page_cache_keeps_no_api_answer(client, make_article, editor):
    first = make_article()
    assert [a["id"] for a in client.get("/api/v1/articles").json()["items"]] == [first.pk]
    second = make_article(status="draft")
    services.publish(second, editor)
    again = client.get("/api/v1/articles")
    assert "X-Page-Cache" not in again
    assert [a["id"] for a in again.json()["items"]] == [second.pk, first.pk]


def test_unknown_paths_and_methods(client, scaffold):
    assert client.get("/api/v1/docs").status_code == 404  # no docs page loading a CDN
    assert client.get("/api/v1/nowhere").json()["detail"]
    refused = client.post("/api/v1/articles", {})
    assert refused.status_code == 405 and refused["Allow"] == "GET"
    assert client.options("/api/v1/articles").status_code == 405


def test_the_schema_describes_the_api(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Samizdat API" and schema["info"]["version"] == "1"
    assert schema["info"]["description"]
    assert set(schema["paths"]) == {
        "/api/v1/editions", "/api/v1/articles", "/api/v1/articles/{article_id}",
        "/api/v1/sections", "/api/v1/tags", "/api/v1/authors", "/api/v1/search"}
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path
        assert "429" in operations["get"]["responses"], path
    params = {p["name"] for p in schema["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"q", "from", "to", "cursor"} <= params


def test_reader_only_hosts_have_the_api(client, settings, make_article):
    settings.ADMIN_HOST = "desk.example.org"
    settings.ALLOWED_HOSTS = ["desk.example.org", "news.example.org"]
    article = make_article()
    response = client.get("/api/v1/articles", HTTP_HOST="news.example.org")
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["items"]] == [article.pk]
    assert client.get("/admin/login/", HTTP_HOST="news.example.org").status_code == 404


def test_errors_are_in_the_clients_language_and_caches_keep_languages_apart(client, scaffold):
    response = client.get("/api/v1/articles?edition=xx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "There is no edition “xx”."
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
