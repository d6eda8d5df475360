"""`samizdat bake`: a new copy replaces the old one atomically, a failed one changes
nothing, and the command says what it did."""

import fcntl
import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from samizdat.bake import baker
from samizdat.bake.baker import BakeError, bake
from samizdat.newsroom import services
from samizdat.newsroom.models import Article


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def versions(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if baker.VERSION.match(p.name))


def test_a_new_bake_replaces_the_copy_atomically(small_newsroom, tmp_path):
    out = tmp_path / "baked"
    first = bake(out)
    assert out.is_symlink() and os.readlink(out) == first.folder.name
    second = bake(out)
    # The link was replaced in one rename; the old version went after the switch.
    assert os.readlink(out) == second.folder.name != first.folder.name
    assert versions(out) == [second.folder.name]
    assert snapshot(out) == snapshot(second.folder)
    assert (out / "en" / "index.html").is_file()


def test_a_failed_bake_leaves_the_previous_copy_whole(small_newsroom, tmp_path, monkeypatch):
    out = tmp_path / "baked"
    bake(out)
    before = snapshot(out)
    served = os.readlink(out)
    render = baker._Renderer.render
    rendered = []

    def crash_midway(self, path):
        rendered.append(path)
        if len(rendered) == 20:
            # Half-baked: readers still get the previous copy, whole.
            assert os.readlink(out) == served and snapshot(out) == before
            raise OSError("No space left on device")
        return render(self, path)

    monkeypatch.setattr(baker._Renderer, "render", crash_midway)
    with pytest.raises(OSError, match="No space"):
        bake(out)
    assert len(rendered) == 20
    assert os.readlink(out) == served
    assert snapshot(out) == before
    assert versions(out) == [served]  # the half-baked folder is gone


def test_one_bake_at_a_time_and_never_over_a_plain_folder(small_newsroom, tmp_path):
    out = tmp_path / "baked"
    with open(tmp_path / ".baked.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(BakeError, match="another bake"):
            bake(out)
    assert not out.exists() and versions(out) == []
    folder = tmp_path / "by-hand"
    folder.mkdir()
    (folder / "keep.html").write_text("mine")
    with pytest.raises(CommandError, match="is a folder"):
        call_command("bake", "--out", str(folder), stdout=io.StringIO(), stderr=io.StringIO())
    assert (folder / "keep.html").read_text() == "mine"


def test_the_command_reports_what_it_did(small_newsroom, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("bake", "--out", str(tmp_path / "copy"), "--workers", "2", stdout=out,
                 stderr=err)
    summary = out.getvalue()
    assert "Baked " in summary and " pages, " in summary and " files copied, " in summary
    assert "1 redirects" in summary and "pages/s" in summary
    assert "bake: " in err.getvalue() and "(100%)" in err.getvalue()  # progress lines
    assert (tmp_path / "copy" / "en" / "index.html").is_file()


def test_worker_processes_bake_the_same_copy(tmp_path):
    """The command in a process of its own, on a database of its own that forked workers
    can open too: two processes bake what one does."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMIZDAT_", "DATABASE_URL", "CACHE_URL", "DJANGO_"))}
    env.update(SAMIZDAT_VAR_DIR=str(tmp_path / "var"), SAMIZDAT_LOG_LEVEL="ERROR")
    samizdat = [sys.executable, "-m", "samizdat"]

    def run(*args):
        return subprocess.run([*samizdat, *args], env=env, check=True, capture_output=True,
                              text=True).stdout

    run("migrate", "-v0")
    run("demo", "--articles", "30", "--password", "x" * 12)
    one = run("bake", "--out", str(tmp_path / "one"), "--workers", "1")
    two = run("bake", "--out", str(tmp_path / "two"), "--workers", "2")
    assert "1 processes" in one and "2 processes" in two
    pages = re.compile(r"Baked (\d+) pages, (\d+) files copied, (\d+) redirects")
    assert pages.search(one).groups() == pages.search(two).groups()
    first, second = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert first.keys() == second.keys()
    # Pages are the same to the byte (a feed with no items is dated by its build time).
    assert {n: h for n, h in first.items() if n.endswith(".html")} == {
        n: h for n, h in second.items() if n.endswith(".html")}


def test_an_old_address_another_article_took_is_that_articles_page(make_article, editor,
                                                                    tmp_path):
    first = make_article(slug="first-name")
    address = first.get_absolute_url()
    first.slug = "second-name"
    first.save()
    services.save_article(first, editor)
    second = make_article(slug="first-name", headline="The second article")
    assert second.get_absolute_url() == address
    summary = bake(tmp_path / "baked")
    page = (tmp_path / "baked" / address.strip("/") / "index.html").read_text()
    assert "The second article" in page and 'http-equiv="refresh"' not in page
    moved = Article.objects.select_related("edition").get(pk=first.pk).get_absolute_url()
    assert (tmp_path / "baked" / moved.strip("/") / "index.html").is_file()
    assert summary.redirects == 1  # only the copy's front door
