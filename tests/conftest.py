"""Shared fixtures: a newsroom with editions, sections, tags, authors and one user per role."""

import os
import random
import time
import types
from pathlib import Path

import pytest
from django.db import connection

from samizdat.newsroom import demo

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config):
    """A PostgreSQL run without a server: skip it whole on a laptop, fail in CI."""
    if connection.vendor != "postgresql":
        return
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    try:
        psycopg.connect(**params, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        where = f"{params.get('host')}:{params.get('port')}"
        if IN_CI:
            pytest.exit(f"PostgreSQL is required in CI and not reachable at {where}: {exc}", 1)
        pytest.exit(f"PostgreSQL not reachable at {where}; install and start postgresql "
                    "(or set PG_URL) to run the suite on it. Skipping the PostgreSQL run.", 0)


def pytest_collection_modifyitems(config, items):
    """A test of one engine's behaviour (`@pytest.mark.engine("postgresql")`) belongs to that
    engine's run of the suite: in the other run it is deselected, never skipped."""
    kept, other = [], []
    for item in items:
        marker = item.get_closest_marker("engine")
        (other if marker and marker.args[0] != connection.vendor else kept).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = kept


def pytest_report_header(config):
    return f"database: {connection.vendor} {connection.settings_dict.get('NAME')}"


def need(condition: bool, what: str) -> None:
    """Skip with a message saying what to install, or fail in CI where it must be there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not available here")


@pytest.fixture(autouse=True)
def _one_rate_window(monkeypatch):
    """Rate limits count in fixed windows (`samizdat.clients.hit`, a minute by default). A
    test's requests all fall in one, so a window that began between two of them cannot reset
    a count the test asserts (a slow machine made that happen about once a hundred runs)."""
    from samizdat import clients

    now = time.time()
    monkeypatch.setattr(clients, "time", types.SimpleNamespace(time=lambda: now))


@pytest.fixture(autouse=True)
def _isolated_page_cache(settings, tmp_path):
    """Each test gets its own content-version stamp and an empty cache."""
    from django.core.cache import caches

    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _quick_argon2(settings):
    """Staff passwords hashed with Argon2 at its lowest cost (tests/hashers.py)."""
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher",
                                 *settings.PASSWORD_HASHERS[1:]]


@pytest.fixture
def scaffold(db):
    return demo.create_scaffolding(random.Random(1))


@pytest.fixture
def staff(db, scaffold):
    return demo.create_staff("correct horse battery staple")


@pytest.fixture
def editor(staff):
    return staff["editor"]


@pytest.fixture
def contributor(staff):
    return staff["contributor"]


@pytest.fixture
def make_article(scaffold, editor):
    """Create an article through the real actions; `status` may be draft, review, published."""
    from samizdat.newsroom import services

    counter = iter(range(1, 10**6))

    def make(language="en", status="published", section=True, **fields):
        n = next(counter)
        fields.setdefault("headline", f"Headline number {n}")
        fields.setdefault("slug", f"headline-{n}")
        fields.setdefault("lead", f"Lead of article {n}.")
        fields.setdefault("body", f"<p>Body of article {n}.</p>")
        author_ids = fields.pop("author_ids", [scaffold["authors"][0].pk])
        tag_ids = fields.pop("tag_ids", [])
        user = fields.pop("user", editor)
        article = services.create_article(
            user,
            edition=scaffold["editions"][language],
            section=scaffold["sections"][language][0] if section else None,
            author_ids=author_ids,
            tag_ids=tag_ids,
            **fields,
        )
        if status == "review":
            services.submit_for_review(article, user)
        elif status == "published":
            services.publish(article, editor)
        return article

    return make


def sign_in(client, user):
    """Sign a staff member in as the admin requires: password and second factor both done."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="authenticator", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


# --- Headless Chromium, one for the whole run (tests/browser, tests/bake) -------------------
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

# Playwright's sync API runs an event loop in this thread; the live server's data is
# set up from the same thread, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).exists(), "Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def cluster():
    """A private PostgreSQL cluster of the test's own, to stop and start at will."""
    from tests.pgcluster import Cluster, available

    need(available(), "PostgreSQL's server binaries (apt-get install postgresql)")
    made = Cluster()
    made.start()
    yield made
    made.stop()
