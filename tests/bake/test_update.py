"""Updating the baked copy after a change: only the files it affects are rewritten, and
the copy is then what a full bake of the same content would be."""

import hashlib
import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from samizdat.bake.baker import bake
from samizdat.bake.state import State
from samizdat.bake.update import update
from samizdat.mirrors.models import Mirror
from samizdat.newsroom import services
from samizdat.newsroom.models import Article, Edition
from samizdat.site import views as site_views
from samizdat.site.helpers import lite

from .conftest import newsroom
from .test_copy import check_links

pytestmark = pytest.mark.django_db


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


# Stamped with the time they are made: a feed with no items is "updated" now (Django's
# feeds), and mirrors.json carries its signing time.
NOW = re.compile(rb"<updated>[^<]*</updated>|<lastBuildDate>[^<]*</lastBuildDate>")
STAMPED = {"mirrors.json"}


def differences(updated: Path, fresh: Path) -> list[str]:
    """Files that differ between an updated copy and a fresh bake, but for time stamps."""
    found = []
    for name in set(snapshot(updated)) | set(snapshot(fresh)):
        a, b = updated / name, fresh / name
        if not (a.is_file() and b.is_file()):
            found.append(name)
        elif name not in STAMPED and NOW.sub(b"", a.read_bytes()) != NOW.sub(b"", b.read_bytes()):
            found.append(name)
    return sorted(found)


@pytest.fixture
def baked(tmp_path, monkeypatch):
    with override_settings(SITE_URL="https://news.example.org", VAR_DIR=tmp_path / "var",
                           MEDIA_ROOT=tmp_path / "var" / "media"):
        # Four articles a page: anchored "older" pages then hold two to eight.
        monkeypatch.setattr(site_views, "PAGE_SIZE", 4)
        cache.clear()
        articles = newsroom()
        out = tmp_path / "www" / "baked"
        bake(out)
        yield {"out": out, "articles": articles, "tmp": tmp_path}


def test_an_update_rewrites_what_changed_and_matches_a_full_bake(baked):
    out, tmp = baked["out"], baked["tmp"]
    editor = baked["articles"]["draft"].created_by
    before = snapshot(out)

    # Publishing: the article, its lists' first pages, home, feeds and sitemaps.
    draft = baked["articles"]["draft"]
    services.publish(draft, editor)
    draft.refresh_from_db()
    done = update([draft.pk], out)
    path = draft.get_absolute_url()
    assert (out / path.lstrip("/") / "index.html").is_file()
    assert (out / lite(path).lstrip("/") / "index.html").is_file()
    assert draft.headline in (out / "en" / "index.html").read_text()
    after = snapshot(out)
    changed = [n for n in after if before.get(n) != after[n]]
    assert set(changed) <= set(done.written)
    # A small share of the copy: older pages of the lists stay as they were.
    assert len(done.written) < len(before) / 5, len(done.written)
    assert differences(out, bake(tmp / "fresh1").folder) == []
    assert not check_links(out)[0]

    # Editing an old article deep in the lists: the pages that show it, wherever they are.
    old = Article.objects.published().filter(edition__language="en").order_by(
        "published_at").first()
    old.headline = "An old story, corrected"
    old.save()  # as the edit form does; save_article records the revision
    services.save_article(old, editor)
    done = update([old.pk], out)
    assert "An old story, corrected" in (out / old.get_absolute_url().lstrip("/") /
                                         "index.html").read_text()
    assert len(done.written) < 60, done.written
    assert differences(out, bake(tmp / "fresh2").folder) == []

    # Unpublishing: its page and text-only page go, and no page of the copy names it.
    services.unpublish(draft, editor)
    done = update([draft.pk], out)
    assert not (out / path.lstrip("/") / "index.html").exists()
    assert not (out / lite(path).lstrip("/") / "index.html").exists()
    assert {f"{path.lstrip('/')}index.html", f"{lite(path).lstrip('/')}index.html"} <= set(
        done.removed)
    assert not [p for p in out.rglob("*.html") if draft.headline in p.read_text()]
    assert differences(out, bake(tmp / "fresh3").folder) == []
    assert not check_links(out)[0]


def test_the_state_knows_the_files_a_sync_sends(baked):
    out = baked["out"]
    with State(out.resolve()) as state:
        assert state.files() == snapshot(out)
    article = baked["articles"]["draft"]
    services.publish(article, article.created_by)
    update([article.pk], out)
    with State(out.resolve()) as state:
        assert state.files() == snapshot(out)


def test_a_mirror_is_sent_what_the_updates_changed_and_equals_a_full_bake_and_sync(baked):
    from samizdat.mirrors.sync import MANIFEST, sync_all

    out, tmp = baked["out"], baked["tmp"]
    editor = baked["articles"]["draft"].created_by
    mirror = Mirror.objects.create(name="Local", kind=Mirror.Kind.FOLDER,
                                   target=str(tmp / "mirror"))
    first = sync_all(out)["Local"]  # new to this copy: compared whole
    assert first.sent == len(snapshot(out)) and first.deleted == 0
    manifest = (tmp / "mirror" / MANIFEST).read_bytes()

    draft = baked["articles"]["draft"]
    services.publish(draft, editor)
    published = update([draft.pk], out)
    other = Article.objects.published().filter(edition__language="en").exclude(
        pk=draft.pk).first()
    services.unpublish(other, editor)
    unpublished = update([other.pk], out)
    outcome = sync_all(out)["Local"]
    # Both updates' files and nothing else; the mirror's manifest is neither read nor
    # rewritten (at 1,000,000 articles it is hundreds of megabytes).
    sent = set(published.written) | set(unpublished.written)
    assert outcome.sent == len(sent - set(unpublished.removed))
    assert outcome.deleted == len(set(unpublished.removed)) > 0
    assert (tmp / "mirror" / MANIFEST).read_bytes() == manifest
    mirror.refresh_from_db()
    assert mirror.synced_copy == out.resolve().name and mirror.synced_entry > 0
    with State(out.resolve()) as state:  # every mirror has it all: the journal is empty
        assert state.changes_since(0) == ({}, 0)
    assert sync_all(out)["Local"].sent == 0  # nothing new

    # The mirror is what a full bake of the same content sent whole would be.
    fresh = bake(tmp / "fresh").folder
    Mirror.objects.create(name="Fresh", kind=Mirror.Kind.FOLDER, target=str(tmp / "second"),
                          is_active=False)
    from samizdat.mirrors.sync import sync

    sync(Mirror.objects.get(name="Fresh"), fresh)
    assert differences(out, fresh) == []
    for tree in (tmp / "mirror", tmp / "second"):
        (tree / MANIFEST).unlink()
    assert differences(tmp / "mirror", tmp / "second") == []

    # The periodic full check finds nothing to remove, and sends only what the stale
    # manifest cannot vouch for.
    check = sync_all(out, full=True)["Local"]
    assert check.deleted == 0 and check.sent + check.kept == len(snapshot(out))
    assert set(json.loads((tmp / "mirror" / MANIFEST).read_text())) == set(snapshot(out))


# Committed for real, as the worker's own connection handling needs (it closes a connection
# left inside a transaction, which is how the other tests run).
@pytest.mark.django_db(transaction=True)
def test_publishing_reaches_a_mirror_folder_through_the_task_queue(small_newsroom, tmp_path):
    out = tmp_path / "baked"
    mirror_folder = tmp_path / "mirror"
    Mirror.objects.create(name="Local", kind=Mirror.Kind.FOLDER, target=str(mirror_folder))
    with override_settings(BAKE_DIR=out):
        bake(out)
        edition = Edition.objects.get(language="en")
        article = Article.objects.filter(edition=edition).first()
        with transaction.atomic():  # as the admin's save: one task when it commits
            article.headline = "Changed for the mirror"
            article.save()
            services.save_article(article, article.created_by)
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    page = mirror_folder / article.get_absolute_url().lstrip("/") / "index.html"
    assert "Changed for the mirror" in page.read_text()
    assert "Changed for the mirror" in (mirror_folder / "en" / "index.html").read_text()


def test_an_update_waits_for_a_whole_bake_and_comes_back_after_it(small_newsroom, tmp_path,
                                                                  monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from samizdat.bake import baker, tasks
    from samizdat.bake import update as updating

    out = tmp_path / "baked"
    monkeypatch.setattr(updating, "LOCK_WAIT", 0.2)
    with override_settings(BAKE_DIR=out):
        bake(out)
        article = small_newsroom[0]
        with baker._lock(out):  # a whole bake holds the copy
            outcome = tasks.update_copy.call([article.pk])
        assert outcome["updated"] is False and outcome["retry_in_seconds"] == 30
        retry = DBTaskResult.objects.get(task_path__endswith="update_copy")
        assert retry.args_kwargs["args"] == [[article.pk]] and retry.run_after is not None
        assert tasks.update_copy.call([article.pk])["updated"] is True


# On SQLite only: the worker closes a connection left inside a transaction, as it must after
# a lost database, and on PostgreSQL that is this test's own (it then waited for ever for a
# database that would not come back). The routing is the same on both engines; the two
# whole machines of tests/deploy/test_two_machines.py show it on PostgreSQL.
@pytest.mark.engine("sqlite")
def test_a_machine_without_the_copy_sends_its_changes_to_the_worker_of_the_one_with_it(
        small_newsroom, tmp_path, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from samizdat.bake import tasks
    from samizdat.newsroom.worker import Worker, new_worker_id

    out = tmp_path / "baked"
    with override_settings(BAKE_DIR=out):
        bake(out)
    article = small_newsroom[0]
    article.headline = "Changed on the other machine"
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id=new_worker_id(),
                    excluded_queue_names=[])
    with override_settings(BAKE_DIR=tmp_path / "no-copy-here"):
        with django_capture_on_commit_callbacks(execute=True):
            article.save()
        assert not DBTaskResult.objects.filter(task_path__endswith="update_copy").exists()
        # The worker where the copy is says so with its heartbeat, through the shared cache.
        with override_settings(BAKE_DIR=out):
            tasks.announce_copy(60)
        with django_capture_on_commit_callbacks(execute=True):
            article.save()
        [queued] = DBTaskResult.objects.filter(task_path__endswith="update_copy")
        assert queued.queue_name == "bake" and queued.args_kwargs["args"] == [[article.pk]]
        assert worker._run_next() is False  # this machine's worker leaves it alone
    with override_settings(BAKE_DIR=out):
        assert worker._run_next() is True
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value["updated"] is True
    page = out / article.get_absolute_url().lstrip("/") / "index.html"
    assert "Changed on the other machine" in page.read_text()
