"""The page cache on Redis, the shared cache for several workers and machines."""

import uuid

import pytest

from samizdat.newsroom import services
from tests.conftest import need
from tests.net import REDIS, free_port, redis_up


@pytest.fixture
def shared_cache(settings):
    need(redis_up(), "Redis on 127.0.0.1:6379 (apt-get install redis-server)")
    prefix = f"samizdat-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {
        "BACKEND": "samizdat.caching.TolerantRedisCache",
        "LOCATION": f"redis://{REDIS[0]}:{REDIS[1]}/0", "KEY_PREFIX": prefix,
    }}
    import redis

    client = redis.Redis(*REDIS)
    yield client, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_pages_and_the_content_version_live_in_redis(client, shared_cache, make_article,
                                                     editor, django_assert_num_queries,
                                                     django_capture_on_commit_callbacks):
    redis_client, prefix = shared_cache
    article = make_article(headline="Kept in Redis")
    url = article.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "MISS"
    keys = {k.decode() for k in redis_client.scan_iter(f"{prefix}:*")}
    assert any("samizdat:content-version" in k for k in keys)
    assert any("samizdat:page:" in k for k in keys)
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "HIT"
    version = redis_client.get(next(k for k in keys if "content-version" in k))
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish(article, editor)
    # Every worker reads the same new version from Redis: the old page is gone for all.
    assert redis_client.get(next(k for k in keys if "content-version" in k)) != version
    assert client.get(url).status_code == 404
    assert b"Kept in Redis" not in client.get("/en/").content


def test_fragments_and_their_stamps_live_in_redis(client, shared_cache, make_article, editor,
                                                  settings, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from samizdat.site import pagecache

    redis_client, prefix = shared_cache
    article = make_article(headline="Fragments in Redis")
    url = article.get_absolute_url()
    first = client.get(url).content
    keys = {k.decode() for k in redis_client.scan_iter(f"{prefix}:*")}
    assert any("samizdat:fragment:" in k for k in keys)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(language="ru", headline="Elsewhere")
    with CaptureQueriesContext(connection) as queries:
        kept = client.get(url)
    assert kept["X-Page-Cache"] == "HIT" and not queries  # render on write: not touched
    pagecache.bump()  # a change of settings or sections: every page goes stale
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again["X-Page-Cache"] == "MISS" and again.content == first
    assert len(queries) == 1
    with django_capture_on_commit_callbacks(execute=True):
        article.headline = "Fragments in Redis, corrected"
        article.save()
        services.save_article(article, editor)
    assert b"Fragments in Redis, corrected" in client.get(url).content


def test_with_redis_unreachable_readers_and_commenters_get_pages_not_500s(
        client, settings, make_article):
    """A Redis restart answered every uncached page and comment with a 500 (make soak, issue
    22): now they are rendered uncached."""
    settings.CACHES = {"default": {"BACKEND": "samizdat.caching.TolerantRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}
    article = make_article(headline="Read while Redis is down")
    url = article.get_absolute_url()
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200 and response["X-Page-Cache"] == "MISS"
        assert b"Read while Redis is down" in response.content
    assert client.get("/en/search/", {"q": "redis"}).status_code == 200
    posted = client.post(f"/en/comments/{article.pk}/post/",
                         {"name": "Ales", "body": "Still works", "email": "", "website": ""},
                         HTTP_SEC_FETCH_SITE="same-origin")
    assert posted.status_code == 200


def test_an_invalidation_lost_while_redis_was_away_empties_the_cache_when_it_is_back(
        client, shared_cache, make_article, editor, monkeypatch,
        django_capture_on_commit_callbacks):
    import redis
    from django.core.cache.backends.redis import RedisCacheClient

    article = make_article(headline="Taken down during an outage")
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "HIT"

    def unreachable(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting")

    for method in ("get", "set", "add", "get_many", "set_many", "incr", "delete"):
        monkeypatch.setattr(RedisCacheClient, method, unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish(article, editor)  # the version bump is lost
    assert client.get(url).status_code == 404  # uncached meanwhile
    monkeypatch.undo()
    # Redis kept the old version and the old page: without emptying, the page came back.
    assert client.get(url).status_code == 404


def test_a_redis_cache_url_gets_the_tolerant_backend(tmp_path):
    """django-environ names Django's own RedisCache for redis://; the soak found the site
    running on it, 500s and all, although settings meant to replace it."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samizdat.settings",
           "CACHE_URL": "redis://127.0.0.1:6379/0", "SAMIZDAT_VAR_DIR": str(tmp_path)}
    backend = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; "
         "print(settings.CACHES['default']['BACKEND'])"],
        env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert backend == "samizdat.caching.TolerantRedisCache"


def wait_until(condition, seconds=10.0):
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.05)


def test_a_change_on_one_machine_reaches_the_other_machines_page_files(
        client, shared_cache, make_article, editor, settings, tmp_path,
        django_capture_on_commit_callbacks):
    """Two machines on one Redis, each with page files for its own nginx: an unpublication
    made through one switched only its own files, and the other's nginx went on serving
    the article (issue 19, "More than one machine")."""
    import threading

    from samizdat.comments import services as comments
    from samizdat.site import pagecache, pagefiles

    here, there = tmp_path / "here", tmp_path / "there"
    settings.PAGE_FILES_DIR = str(here)
    article = make_article(headline="On both machines")
    url = article.get_absolute_url()
    client.get(url)
    page = (here / "current" / url.strip("/") / "index.html").read_bytes()
    stop = threading.Event()
    follower = threading.Thread(target=pagefiles.follow, args=(there, stop, 0.2), daemon=True)
    follower.start()
    try:
        wait_until(lambda: pagefiles._local_version(there) == pagecache._read_version())
        # The other machine's nginx has the page too (as its own worker would have written).
        copy = there / "current" / url.strip("/") / "index.html"
        copy.parent.mkdir(parents=True)
        copy.write_bytes(page)
        # A comment approved here: the other machine drops its copy of that article.
        with django_capture_on_commit_callbacks(execute=True):
            comments.post(article, comments.Draft(name="Ales", body="Seen on both"), "c" * 32)
        wait_until(lambda: not copy.exists())
        copy.write_bytes(page)
        # Unpublished here: the other machine switches to the new version's empty folder.
        with django_capture_on_commit_callbacks(execute=True):
            services.unpublish(article, editor)
        wait_until(lambda: not (there / "current" / url.strip("/") / "index.html").exists())
        assert pagefiles._local_version(there) == pagecache._read_version()
    finally:
        stop.set()
        follower.join(5)


def test_after_a_publication_elsewhere_the_pages_it_did_not_touch_stay_here(
        client, shared_cache, make_article, settings, tmp_path,
        django_capture_on_commit_callbacks):
    """Render on write on several machines: the other machine's follower links forward the
    page files the publication left alone, rather than emptying its nginx's folder."""
    import threading

    from samizdat.site import pagecache, pagefiles

    here, there = tmp_path / "here", tmp_path / "there"
    settings.PAGE_FILES_DIR = str(here)
    article = make_article(headline="Standing on both machines")
    url = article.get_absolute_url()
    pages = {path: client.get(path).content for path in (url, "/ru/")}
    stop = threading.Event()
    follower = threading.Thread(target=pagefiles.follow, args=(there, stop, 0.2), daemon=True)
    follower.start()
    try:
        wait_until(lambda: pagefiles._local_version(there) == pagecache._read_version())
        for path, body in pages.items():  # as the other machine's own worker wrote them
            copy = there / "current" / path.strip("/") / "index.html"
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(body)
        with django_capture_on_commit_callbacks(execute=True):
            make_article(language="ru", headline="Published here")
        wait_until(lambda: pagefiles._local_version(there) == pagecache._read_version())
        kept = there / "current" / url.strip("/") / "index.html"
        assert kept.read_bytes() == pages[url]  # untouched: still served by nginx there
        assert not (there / "current" / "ru" / "index.html").exists()  # changed: asked anew
    finally:
        stop.set()
        follower.join(5)


def test_a_page_another_machine_rendered_becomes_a_page_file_here_too(
        client, shared_cache, make_article, settings, tmp_path):
    """A page the other machine had rendered into the shared cache was a hit here, and only
    misses wrote page files: this machine's nginx asked the application for it ever after
    (found by tests/deploy/test_two_machines.py)."""
    there, here = tmp_path / "there", tmp_path / "here"
    settings.PAGE_FILES_DIR = str(there)
    article = make_article(headline="Rendered over there")
    url = article.get_absolute_url()
    rendered = client.get(url)
    assert rendered["X-Page-Cache"] == "MISS"
    settings.PAGE_FILES_DIR = str(here)
    served = client.get(url)
    assert served["X-Page-Cache"] == "HIT"
    page = here / "current" / url.strip("/") / "index.html"
    assert page.read_bytes() == rendered.content
    assert page.with_name("index.html.gz").exists()
    stamp = page.stat().st_mtime_ns
    assert client.get(url)["X-Page-Cache"] == "HIT"
    assert page.stat().st_mtime_ns == stamp  # there already: not written again


def test_a_machine_that_cannot_follow_serves_no_page_files(settings, tmp_path):
    """While the shared state is unreachable, changes made elsewhere cannot arrive: this
    machine's nginx then asks the application for every page."""
    import threading

    from samizdat.site import pagecache, pagefiles

    settings.CACHES = {"default": {"BACKEND": "samizdat.caching.TolerantRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}
    there = tmp_path / "there"
    stale = there / "v123" / "en" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"a page from before")
    (there / "current").symlink_to("v123")
    stop = threading.Event()
    follower = threading.Thread(target=pagefiles.follow, args=(there, stop, 0.1), daemon=True)
    follower.start()
    try:
        # nginx is pointed at the new empty folder first, and the old one removed after it:
        # wait for both (CI once looked between the two).
        wait_until(lambda: pagefiles._local_version(there) == pagecache.UNREACHABLE
                   and not stale.exists())
        assert not list((there / "current").rglob("*.html"))
    finally:
        stop.set()
        follower.join(5)
