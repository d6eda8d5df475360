"""Security headers on every kind of response; the admin's own host; no debug for readers."""

import os
import subprocess
import sys

import pytest
from django.test import Client

from samizdat.security.middleware import PERMISSIONS_POLICY
from tests.conftest import sign_in

from .test_second_factor import EN

REQUIRED = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_headers(response, where):
    for name, value in REQUIRED.items():
        assert value in response.get(name, ""), f"{name} missing on {where}"
    assert "camera=()" in response["Permissions-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.fixture
def pages(make_article):
    article = make_article()
    return {
        "home": "/en/", "article": article.get_absolute_url(),
        "feed": "/en/rss.xml", "atom": "/atom.xml",
        "sitemap": "/sitemap.xml", "robots": "/robots.txt", "not found": "/en/no-such-page/",
        "admin login": "/admin/login/",
    }


def test_headers_on_reader_pages_feeds_admin_and_errors(client, pages):
    for where, url in pages.items():
        response = client.get(url, **EN)
        assert response.status_code in (200, 404), where
        assert_headers(response, where)
    cached = client.get(pages["home"])
    assert cached["X-Page-Cache"] == "HIT"
    assert_headers(cached, "a cache hit")
    etag = cached["ETag"]
    not_modified = client.get(pages["home"], HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert "Permissions-Policy" in not_modified


def test_headers_on_admin_screens(client, editor):
    sign_in(client, editor)
    assert_headers(client.get("/admin/newsroom/article/", **EN), "the admin")


def test_a_crash_shows_the_plain_error_page_with_headers(settings, client, scaffold):
    settings.ROOT_URLCONF = "tests.security.boom_urls"
    crash = Client(raise_request_exception=False)
    response = crash.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "secret internal detail" not in body and "Traceback" not in body
    assert_headers(response, "a server error")


def test_the_database_away_is_a_503_with_where_else_to_read(settings, scaffold):
    """A PostgreSQL restart gave readers bare 500s for its second (make soak, issue 22): it
    is a 503 to retry, with the mirrors and the onion address when their page is written."""
    from samizdat.mirrors.unavailable import write_unavailable_pages

    settings.ROOT_URLCONF = "tests.security.boom_urls"
    crash = Client(raise_request_exception=False)
    response = crash.get("/ru/database-away/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert b"Connection refused" not in response.content
    write_unavailable_pages()
    response = crash.get("/ru/database-away/")
    assert response.status_code == 503 and response["Cache-Control"] == "no-store"
    assert 'lang="ru"' in response.content.decode()
    assert crash.get("/boom/").status_code == 500  # anything else is still an error


def test_an_oversized_request_is_refused_without_details(client, settings, scaffold):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = Client(raise_request_exception=False).post(
        "/admin/login/", {"username": "x" * 20_000, "password": "y"}
    )
    assert response.status_code == 400
    assert b"RequestDataTooBig" not in response.content
    assert_headers(response, "a refused request")


def test_the_admin_host_is_the_only_host_with_an_admin(settings, client, make_article):
    settings.ADMIN_HOST = "desk.example.org"
    settings.ALLOWED_HOSTS = ["desk.example.org", "news.example.org"]
    article = make_article()
    reader = {"HTTP_HOST": "news.example.org", **EN}
    desk = {"HTTP_HOST": "desk.example.org", **EN}
    assert client.get("/admin/login/", **reader).status_code == 404
    assert client.get("/admin/", follow=True, **reader).status_code == 404
    assert client.get(article.get_absolute_url(), **reader).status_code == 200
    assert client.get("/en/", **reader).status_code == 200
    assert client.get("/admin/login/", **desk).status_code == 200


def _check(extra_env: dict, tmp_path) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_"))
    }
    environment.update({
        "SAMIZDAT_PRODUCTION": "1",
        "SAMIZDAT_SECRET_KEY": "k" * 10 + "Q2x9-vB7mN4pL0sR8tY3wE6uI1oA5dF7gH9jK2lZ4xC6vB8nM",
        "SAMIZDAT_ALLOWED_HOSTS": "news.example.org",
        "SAMIZDAT_VAR_DIR": str(tmp_path),
        "SAMIZDAT_EMAIL_URL": "smtp+tls://news:secret@mail.example.org:587",
        **extra_env,
    })
    return subprocess.run(
        [sys.executable, "-m", "samizdat", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment, capture_output=True, text=True, timeout=120,
    )


def test_the_deploy_check_is_clean_under_production_settings(tmp_path):
    result = _check({}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(("setting", "code"), [
    ({"SAMIZDAT_HSTS_SECONDS": "0"}, "samizdat.W002"),
    ({"SAMIZDAT_SSL_REDIRECT": "0"}, "samizdat.W003"),
    ({"SAMIZDAT_ALLOWED_HOSTS": "*"}, "samizdat.W004"),
    ({"SAMIZDAT_EMAIL_URL": "consolemail://"}, "samizdat.W005"),
])
def test_the_deploy_check_fails_on_weakened_production_settings(tmp_path, setting, code):
    """Each passed `check --deploy` before (issue 22, finding 13)."""
    result = _check(setting, tmp_path)
    assert result.returncode != 0 and code in result.stderr + result.stdout


def test_production_refuses_debug(tmp_path):
    result = _check({"SAMIZDAT_DEBUG": "1"}, tmp_path)
    assert result.returncode != 0
    assert "Unset SAMIZDAT_DEBUG in production" in result.stderr
