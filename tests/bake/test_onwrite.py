"""Render on write: after a publication every page readers could ask for is ready, and after
an unpublication no page they get names the article (bake/onwrite.py)."""

import re

import pytest
from django.test import RequestFactory
from django.test.utils import override_settings

from samizdat.bake import onwrite, routes
from samizdat.bake.baker import _Handler
from samizdat.bake.update import in_copy
from samizdat.newsroom import services
from samizdat.newsroom.models import Tag
from samizdat.site import pagecache


@pytest.fixture
def site(settings, tmp_path, make_article, scaffold, django_capture_on_commit_callbacks):
    settings.SITE_URL = "http://testserver"  # the test client's host: what is rendered
    settings.PAGE_FILES_DIR = str(tmp_path / "pages")
    tags = list(Tag.objects.filter(edition=scaffold["editions"]["en"])[:2])
    with django_capture_on_commit_callbacks(execute=True):
        articles = [make_article(headline=f"Standing story {n}",
                                 tag_ids=[tags[n % 2].pk] if tags else [])
                    for n in range(5)]
        articles.append(make_article(language="ru", headline="Another edition's story"))
    return articles


def _pages() -> list[str]:
    return sorted(item for item in routes.enumerate_site()
                  if isinstance(item, str) and in_copy(item))


def _prime(client) -> list[str]:
    """Every page of the site asked for once: all are in the cache and in page files."""
    paths = _pages()
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        if "X-Page-Cache" not in response:
            UNCACHED.add(path)  # /mirrors.json: signed, not a reader page
    return paths


UNCACHED: set[str] = set()


def _fresh(settings, path: str) -> tuple[int, bytes]:
    """The page rendered now, whole: no page cache, no fragment."""
    handler = _HANDLER.get("handler") or _HANDLER.setdefault("handler", _Handler())
    with override_settings(FRAGMENT_CACHE_SECONDS=0):
        response = handler.get_response(RequestFactory().get(path))
    return response.status_code, response.content


_HANDLER: dict = {}


NOW = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^<\"]*|\w{3}, \d\d \w{3} \d{4} [\d:]+ [^<]+")


def _timeless(body: bytes) -> bytes:
    """A feed without entries is dated now: that moment is not a stale page."""
    if any(entry in body for entry in (b"<entry", b"<item", b'"id":')):
        return body
    return NOW.sub(b"", body)


def _file(settings, path: str):
    from pathlib import Path

    return Path(settings.PAGE_FILES_DIR) / "current" / path.strip("/") / "index.html"


def test_a_publication_is_in_every_page_before_readers_ask_and_none_is_a_miss(
        client, site, settings, make_article, monkeypatch, django_capture_on_commit_callbacks):
    paths = _prime(client)
    before_switch = {}
    switch = pagecache.switch

    def watched(parent, version, carry=None):
        # The last moment of the old version: readers get its pages, whole, from the cache.
        home = client.get("/en/")
        before_switch["home"] = (home["X-Page-Cache"], b"Fresh headline" in home.content)
        before_switch["rendered"] = _file(settings, "/en/").parent.parent.parent / (
            f"v{version}") / "en" / "index.html"
        before_switch["ready"] = b"Fresh headline" in before_switch["rendered"].read_bytes()
        return switch(parent, version, carry)

    monkeypatch.setattr(pagecache, "switch", watched)
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(headline="Fresh headline", tag_ids=[])
    # Until the switch readers had the old home page; the new one was written beforehand.
    assert before_switch["home"] == ("HIT", False)
    assert before_switch["ready"]
    new = article.get_absolute_url()
    changed = 0
    for path in [*paths, new]:
        status, expected = _fresh(settings, path)
        if path.endswith("/"):  # nginx's file of every page is there, and is current
            found = _file(settings, path).read_bytes()
            assert found == expected, (path, found[1000:1200], expected[1000:1200])
        served = client.get(path)
        if path not in UNCACHED:
            assert served.get("X-Page-Cache") == "HIT", path  # no reader meets a render
        assert _timeless(served.content) == _timeless(expected), path
        changed += b"Fresh headline" in expected
    # The publication reached the home pages, lists, feeds and related articles.
    assert changed >= 10


def test_an_unpublication_leaves_every_page_at_once_then_they_are_rendered_again(
        client, site, settings, editor, monkeypatch, django_capture_on_commit_callbacks):
    paths = _prime(client)
    gone = site[1]
    headline = gone.headline.encode()
    url = gone.get_absolute_url()
    assert any(headline in client.get(p).content for p in paths if p != url)
    seen = {}
    render = onwrite.render

    def watched(pages, version):
        # Switched, nothing rendered yet: nginx has no file naming it, nor does the cache.
        named = [p for p in paths if _file(settings, p).exists()
                 and headline in _file(settings, p).read_bytes()]
        seen["files"] = named
        seen["article"] = client.get(url).status_code
        seen["pages"] = [p for p in paths if p != url and headline in client.get(p).content]
        return render(pages, version)

    monkeypatch.setattr(onwrite, "render", watched)
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish(gone, editor)
    assert seen == {"files": [], "article": 404, "pages": []}
    for path in paths:
        status, expected = _fresh(settings, path)
        served = client.get(path)
        assert served.status_code == status, path
        assert _timeless(served.content) == _timeless(expected), path
        assert headline not in served.content
        if status == 200 and path not in UNCACHED:
            assert served["X-Page-Cache"] == "HIT", path


def test_a_draft_saved_or_scheduled_changes_no_reader_page(
        client, site, settings, make_article, django_capture_on_commit_callbacks):
    _prime(client)
    version = pagecache._read_version()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(status="draft", headline="Not yet")
    assert pagecache._read_version() == version
    assert client.get("/en/")["X-Page-Cache"] == "HIT"


def test_with_a_task_worker_alive_the_task_queue_renders_and_switches(
        client, site, settings, editor, make_article, django_capture_on_commit_callbacks):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from samizdat.newsroom.models import TaskWorker

    _prime(client)
    TaskWorker.objects.create(worker_id="w1", host="here", pid=1, started_at=timezone.now(),
                              seen_at=timezone.now())
    settings.WEBSUB_HUBS = ["http://127.0.0.1:9/hub"]
    pings = DBTaskResult.objects.filter(task_path="samizdat.syndication.tasks.ping_hubs")
    version = pagecache._read_version()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(headline="Through the queue")
    # Readers keep the old version until the task has rendered the new one, and the hubs
    # are told only then (they fetch the feeds as soon as they are told).
    assert pagecache._read_version() == version
    assert not pings.exists()
    assert b"Through the queue" not in client.get("/en/").content
    queued = DBTaskResult.objects.get(task_path="samizdat.bake.onwrite.render_on_write")
    done = queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    assert done["version"] == pagecache._read_version() != version
    assert "http://testserver/en/atom.xml" in pings.get().args_kwargs["args"][0]
    home = client.get("/en/")
    assert home["X-Page-Cache"] == "HIT" and b"Through the queue" in home.content
    # An unpublication leaves at once; the pages without it are the worker's to render.
    gone = site[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish(gone, editor)
    assert client.get(gone.get_absolute_url()).status_code == 404
    assert gone.headline.encode() not in client.get("/en/").content
    later = DBTaskResult.objects.get(task_path="samizdat.bake.onwrite.render_pages")
    assert later.task.call(*later.args_kwargs["args"])["rendered"] > 0
    # As `make run` (local memory, no page files): a page the worker's process rendered
    # would reach no reader, so the publishing process renders it, and shows it at once.
    settings.PAGE_FILES_DIR = ""
    with django_capture_on_commit_callbacks(execute=True):
        make_article(headline="Straight away")
    home = client.get("/en/")
    assert home["X-Page-Cache"] == "HIT" and b"Straight away" in home.content


def test_a_section_left_and_an_unpublication_in_one_action_reach_the_old_sections_pages(
        client, site, settings, scaffold, editor, make_article,
        django_capture_on_commit_callbacks):
    """The admin saves an article more than once in one submit (its fields, then the
    workflow's action): the section it left must still count, for the articles there that
    showed it as related."""
    moving = site[0]
    later = site[4]  # newer, same section: shows the older ones as related
    url = later.get_absolute_url()
    assert moving.headline.encode() in client.get(url).content
    elsewhere = scaffold["sections"]["en"][1]
    with django_capture_on_commit_callbacks(execute=True):
        moving.section = elsewhere
        moving.save()  # the admin's form
        services.unpublish(moving, editor)  # its action, a second save
    page = client.get(url)
    assert moving.headline.encode() not in page.content
    assert page.content == _fresh(settings, url)[1]


def test_a_page_file_removed_meanwhile_is_not_carried_into_the_next_version(site, settings):
    """A comment approved while a publication fills its new folder: the page's file goes
    from every version's folder, so the switch does not bring it back."""
    from pathlib import Path

    root = Path(settings.PAGE_FILES_DIR)
    for version in ("v1", "v2"):
        page = root / version / "en" / "news" / "x" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_bytes(b"old")
    pagecache.remove_page_files(["/en/news/x/"])
    assert not list(root.glob("v*/en/news/x/index.html"))


def test_pages_rendered_long_ago_are_rendered_again_not_carried(
        client, site, settings, make_article, monkeypatch, django_capture_on_commit_callbacks):
    """What a page shows can change with time alone (comments close after some days): a
    publication carries only recent entries and files."""
    url = site[5].get_absolute_url()  # another edition's article: untouched
    client.get(url)
    monkeypatch.setattr(pagecache, "CARRY_SECONDS", -1)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(headline="Later on")
    assert not _file(settings, url).exists()
    assert client.get(url)["X-Page-Cache"] == "MISS"


def test_rendering_leaves_the_thread_as_it_found_it(site, settings):
    """With an admin host, reader pages set the reader's URLconf for the thread; the
    editor's request that rendered them must go on with its own (a reverse of an admin
    address after the publication)."""
    from django.urls import get_urlconf, reverse
    from django.utils.translation import get_language

    settings.ADMIN_HOST = "desk.example.org"
    language = get_language()
    onwrite.render(["/ru/", "/en/"], pagecache._read_version())
    assert get_urlconf() is None and get_language() == language
    assert reverse("admin:index") == "/admin/"
