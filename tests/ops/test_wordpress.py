"""`samizdat import_wordpress`: a WordPress 6 export (tests/ops/data/export.xml) moved in."""

import gzip
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils.translation import override

from samizdat.comments.models import Comment
from samizdat.newsroom import redirects
from samizdat.newsroom.editions import ensure_editions
from samizdat.newsroom.models import (
    Article,
    AuditEntry,
    Author,
    LegacyRedirect,
    Page,
    Revision,
    Section,
    Tag,
)
from samizdat.newsroom.workflow import Status
from samizdat.ops import wordpress
from samizdat.ops.models import ImportRecord
from samizdat.photos import samples
from samizdat.photos.models import GalleryItem, Photo

EXPORT = Path(__file__).parent / "data" / "export.xml"
MODELS = (Article, Author, Section, Tag, Page, Comment, Photo, GalleryItem, LegacyRedirect,
          Revision, AuditEntry, ImportRecord)


@pytest.fixture
def uploads(tmp_path):
    """The old site's wp-content/uploads: three of the four attachments (lost.jpg is not)."""
    folder = tmp_path / "uploads"
    (folder / "2024" / "05").mkdir(parents=True)
    for seed, name in enumerate(("photo", "gallery-1", "gallery-2")):
        (folder / "2024" / "05" / f"{name}.jpg").write_bytes(samples.jpeg(120, 80, seed=seed))
    return folder


@pytest.fixture
def editions(db):
    return {e.language: e for e in ensure_editions()}


def run(path=EXPORT, *, uploads=None, **options) -> str:
    """The command's report, in English (it speaks the site's language)."""
    out = io.StringIO()
    with override("en"):
        call_command("import_wordpress", Path(path), edition=options.pop("edition", "be"),
                     media=uploads, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def article(wp_id: int) -> Article:
    record = ImportRecord.objects.get(kind="post", wp_id=str(wp_id))
    return Article.objects.get(pk=record.object_id)


@pytest.fixture
def imported(editions, uploads):
    return run(uploads=uploads)


def test_every_status(imported):
    assert article(101).status == Status.PUBLISHED
    assert article(102).status == Status.PUBLISHED
    assert article(103).status == Status.DRAFT
    assert article(104).status == Status.REVIEW
    scheduled = article(105)
    assert scheduled.status == Status.SCHEDULED
    assert scheduled.publish_at.isoformat() == "2099-01-01T07:00:00+00:00"
    assert scheduled.published_at is None
    private = article(106)
    assert private.status == Status.DRAFT and not private.is_public
    assert not ImportRecord.objects.filter(kind="post", wp_id="107").exists()  # trash
    assert Article.objects.count() == 7
    assert "in the trash: 1" in imported
    assert "private" in imported


def test_dates_sections_tags_authors_and_featured(imported):
    first = article(101)
    assert first.published_at.isoformat() == "2024-05-03T09:30:00+00:00"
    assert first.is_featured and not article(102).is_featured
    assert first.lead == "Тысячы людзей сабраліся ў цэнтры Менска."
    assert first.section.slug == "palityka" and first.section.name == "Палітыка"
    assert [s.slug for s in first.extra_sections.all()] == ["news"]
    assert sorted(t.slug for t in first.tags.all()) == ["minsk", "vybary"]
    assert [a.name for a in first.authors.all()] == ["Алеся Пазнякова"]
    # 21:30 UTC on 12 May is 00:30 on 13 May in Minsk: the address has the local day.
    assert article(108).get_absolute_url().endswith("/2024/05/13/bez-rubryki/")
    # No category: the default section (here the one "uncategorized" became).
    assert article(108).section.slug == "news"
    # Bylines only: no staff account, no login kept.
    assert not Author.objects.filter(user__isnull=False).exists()
    assert not Author.objects.filter(slug__in=["alesia", "ivan_k"]).exists()
    assert not ImportRecord.objects.filter(wp_id__in=["alesia", "ivan_k"]).exists()


def test_cyrillic_permalinks(imported):
    first = article(101)
    assert first.slug == "tysiachy-liudziej"
    assert first.get_absolute_url() == "/be/news/2024/05/03/tysiachy-liudziej/"
    old = ("/2024/05/03/%d1%82%d1%8b%d1%81%d1%8f%d1%87%d1%8b-"
           "%d0%bb%d1%8e%d0%b4%d0%b7%d0%b5%d0%b9/")
    assert redirects.resolve(old) == first.get_absolute_url()
    assert redirects.resolve("/2024/05/03/тысячы-людзей/") == first.get_absolute_url()
    assert Tag.objects.get(slug="vybary").name == "выбары"
    draft_page = Page.objects.get(title="Кантакты (чарнавік)")
    assert draft_page.slug == "kantakty" and not draft_page.is_published


def test_old_addresses(imported):
    first, second = article(101), article(102)
    assert redirects.resolve("/?p=101") == first.get_absolute_url()
    assert redirects.resolve("/", "p=102&utm_source=x") == second.get_absolute_url()
    assert redirects.resolve("/2024/05/03/protest-chernovik/") == first.get_absolute_url()
    assert redirects.resolve("/2024/05/04/rasklad/") == second.get_absolute_url()
    page = Page.objects.get(slug="pra-nas")
    assert redirects.resolve("/?page_id=201") == page.get_absolute_url()
    assert redirects.resolve("/pra-nas/") == page.get_absolute_url()
    assert redirects.resolve("/category/news/") == Section.objects.get(
        slug="news").get_absolute_url()
    assert redirects.resolve("/category/news/%d0%bf%d0%b0%d0%bb%d1%96%d1%82%d1%8b%d0%ba%d0%b0/"
                             ) == first.section.get_absolute_url()
    assert redirects.resolve("/tag/minsk/") == Tag.objects.get(slug="minsk").get_absolute_url()
    # Not public here, so not answered (the address is kept for when it is).
    assert redirects.resolve("/?p=103") is None
    assert LegacyRedirect.objects.filter(old_path="/", query="p=103").exists()
    assert set(LegacyRedirect.objects.values_list("source", flat=True)) == {"wordpress"}


def test_links_to_the_old_site_are_rewritten(imported):
    first, second = article(101), article(102)
    # A link to a later post (rewritten at the end of the run) and to a category.
    assert f'href="{second.get_absolute_url()}"' in first.body
    assert 'href="/be/section/news/"' in first.body
    # ?p=ID and a www. address of the old host.
    assert f'href="{first.get_absolute_url()}"' in second.body
    assert f'href="{second.get_absolute_url()}"' in second.body
    assert "old.example.org" not in first.body + second.body
    assert not ImportRecord.objects.filter(pending_links=True).exists()


def test_shortcodes_photos_and_galleries(imported):
    first = article(101)
    hero = Photo.objects.get(name="photo")
    assert first.hero_photo == hero
    assert hero.alt_text == "Людзі з бел-чырвона-белымі сцягамі на плошчы"
    assert f"<p>[photo {hero.pk}]</p>" in first.body  # [caption] placed where it was
    assert "[caption" not in first.body and "[gallery" not in first.body
    assert first.is_photo_report
    gallery = list(GalleryItem.objects.filter(article=first).values_list("photo__name",
                                                                          flat=True))
    assert gallery == ["gallery-1", "gallery-2"]
    # Every photo published has alternative text (from the caption where WordPress had none).
    assert Photo.objects.get(name="gallery-1").alt_text == "Першы здымак"
    # An unknown shortcode stays as text, counted.
    assert '[contact-form-7 id="5"' in first.body
    assert "[contact-form-7] 1" in imported
    # A missing image: its caption kept, a warning, never silently dropped.
    second = article(102)
    assert "<p>Вакзал раніцай</p>" in second.body
    assert "2024/05/lost.jpg is not in the media folder" in imported
    # [embed] and a YouTube iframe: the address on its own line, as editors write videos.
    assert "<p>https://www.youtube.com/watch?v=dQw4w9WgXcQ</p>" in second.body
    last = article(108)
    assert "<iframe" not in last.body and "<script" not in last.body
    assert "youtube.com/watch?v=dQw4w9WgXcQ</p>" in last.body
    assert "post 108: the sanitiser removed <script>" in imported
    # An <img> of a resized copy in the text: the library photo it was cut from.
    assert f"[photo {Photo.objects.get(name='gallery-2').pk}]" in last.body
    # The photo pipeline stripped what the camera wrote.
    from django.core.files.storage import default_storage

    with default_storage.open(hero.original) as stored:
        data = stored.read()
    assert not any(mark.encode() in data for mark in samples.MARKS)


def test_threaded_comments(imported):
    comments = {c.body.split()[0]: c for c in Comment.objects.filter(article=article(101))}
    assert len(comments) == 5  # spam, trash and the pingback stay behind
    first, reply, deeper = comments["Дзякуй"], comments["Згодная"], comments["Дзякуй,"]
    assert (first.depth, first.parent, first.status) == (0, None, "approved")
    assert (reply.parent, reply.thread, reply.depth) == (first, first, 1)
    assert (deeper.parent, deeper.thread, deeper.depth) == (reply, first, 2)
    assert deeper.body == "Дзякуй, Марта & усе."
    assert first.body == "Дзякуй за рэпартаж!\nТрымайцеся."
    assert first.created_at.isoformat() == "2024-05-03T10:05:00+00:00"
    assert first.name == "Янка"
    waiting = comments["Ці"]
    assert waiting.status == "pending" and waiting.held_for
    orphan = comments["Не"]  # a reply to spam: a thread of its own
    assert orphan.parent is None and orphan.status == "approved"
    assert not Comment.objects.filter(body__contains="pills").exists()
    # Neither the writers' emails nor their addresses are kept anywhere.
    assert set(Comment.objects.values_list("email", flat=True)) == {""}
    assert set(Comment.objects.values_list("client", flat=True)) == {wordpress.IMPORTED_CLIENT}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM comments_comment")
        dump = repr(cursor.fetchall())
    assert "203.0.113.7" not in dump and "yanka@mail.example" not in dump


def test_pages(imported):
    page = Page.objects.get(slug="pra-nas")
    assert page.is_published and not page.in_footer
    assert page.body == "<p>Мы незалежная рэдакцыя.</p>\n<p>Пішыце нам.</p>"


def test_second_import_changes_nothing(imported, uploads):
    before = counts()
    bodies = dict(Article.objects.values_list("pk", "body"))
    again = run(uploads=uploads)
    assert counts() == before
    assert dict(Article.objects.values_list("pk", "body")) == bodies
    assert "imported" not in again.replace("imported before", "")
    # Post 102's image is still missing: it is looked at again, and nothing changes.
    post_line = next(line for line in again.splitlines() if line.startswith("post:"))
    assert "checked again, text unchanged with warnings 1" in post_line
    assert "skipped 7" in post_line
    assert "updated" not in again


def test_a_changed_item_is_updated(imported, uploads, tmp_path):
    changed = tmp_path / "changed.xml"
    changed.write_text(EXPORT.read_text(encoding="utf-8").replace(
        "Памылка ў раскладзе", "Памылка ў раскладзе цягнікоў").replace(
        "<wp:comment_approved><![CDATA[0]]>", "<wp:comment_approved><![CDATA[1]]>"),
        encoding="utf-8")
    before = counts()
    report = run(changed, uploads=uploads)
    assert article(102).headline == "Памылка ў раскладзе цягнікоў"
    assert Comment.objects.get(body="Ці будзе працяг?").status == "approved"
    after = counts()
    assert after["Article"] == before["Article"] and after["Comment"] == before["Comment"]
    assert "post: " in report and "updated" in report


def test_missing_images_are_tried_again(imported, uploads):
    (uploads / "2024" / "05" / "lost.jpg").write_bytes(samples.jpeg(100, 80, seed=9))
    run(uploads=uploads)
    lost = Photo.objects.get(name="lost")
    assert f"<p>[photo {lost.pk}]</p>" in article(102).body


def test_malformed_file_leaves_the_site_unchanged(editions, uploads, tmp_path):
    broken = tmp_path / "broken.xml"
    lines = EXPORT.read_text(encoding="utf-8").splitlines()
    number = lines.index("\t\t<wp:post_id>104</wp:post_id>")
    lines[number] = lines[number].replace("</wp:post_id>", "</wp:post_idd>")
    broken.write_text("\n".join(lines), encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError) as error, override("en"):
        run(broken, uploads=uploads)
    assert f"line {number + 1}" in str(error.value)
    assert "Nothing was imported" in str(error.value)
    assert counts() == before
    assert not list((Path(broken.parent) / "media").rglob("*.jpg"))


def test_not_an_export(editions, tmp_path):
    other = tmp_path / "feed.xml"
    other.write_text("<rss><channel><item><title>x</title></item></channel></rss>")
    with pytest.raises(CommandError, match="not a WordPress export"), override("en"):
        run(other)


def test_dry_run_writes_nothing(editions, uploads, settings):
    before = counts()
    report = run(uploads=uploads, dry_run=True)
    assert "Dry run: nothing was written." in report
    assert "post: imported" in report
    assert counts() == before
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.jpg"))


def test_gzipped_export(editions, uploads, tmp_path):
    packed = tmp_path / "export.xml.gz"
    with gzip.open(packed, "wb") as out:
        out.write(EXPORT.read_bytes())
    run(packed, uploads=uploads)
    assert Article.objects.count() == 7


def test_section_map(editions, uploads):
    be = editions["be"]
    belarus = Section.objects.create(edition=be, slug="belarus", name="Беларусь")
    run(uploads=uploads, section_map="news=belarus,палітыка=belarus")
    assert article(102).section == belarus
    assert article(101).section == belarus
    assert not Section.objects.filter(slug__in=["news", "palityka"]).exists() or \
        Section.objects.filter(slug="news").get().pk == article(108).section_id
    with pytest.raises(CommandError, match="nowhere"), override("en"):
        run(uploads=uploads, section_map="news=nowhere")


class Interrupted(Exception):
    pass


def test_an_interrupted_import_finishes_cleanly(editions, uploads, settings):
    class Failing(wordpress.Importer):
        seen = 0

        def after_item(self, item):
            Failing.seen += 1
            if Failing.seen == 5:  # in the third batch of two
                raise Interrupted

    be = editions["be"]
    with pytest.raises(Interrupted):
        Failing(EXPORT, be, media=uploads, batch=2, stream=io.StringIO()).run()
    # Two batches of two are in; the third was undone whole, its photo files included.
    assert ImportRecord.objects.filter(kind__in=["post", "page"]).count() == 4
    assert len(list(Path(settings.MEDIA_ROOT).rglob("original.*"))) == Photo.objects.count()
    wordpress.Importer(EXPORT, be, media=uploads, batch=2, stream=io.StringIO()).run()
    once = counts()
    assert once["Article"] == 7 and once["Page"] == 2 and once["Comment"] == 5
    assert Photo.objects.count() == 3
    assert len(list(Path(settings.MEDIA_ROOT).rglob("original.*"))) == 3
    assert not ImportRecord.objects.filter(pending_links=True).exists()
    assert f'href="{article(102).get_absolute_url()}"' in article(101).body


def test_photo_files_of_a_killed_import_are_removed_by_the_next_run(editions, uploads,
                                                                     settings, monkeypatch):
    """kill -9 in a batch: its rows never commit, and nothing runs to take its photo files
    away (as if the process died, _forget_photos does not run); the next run does."""
    class Killed(wordpress.Importer):
        def after_item(self, item):
            if self.made_photos:
                raise Interrupted

    monkeypatch.setattr(Killed, "_forget_photos", lambda self, first=0: None)
    be = editions["be"]
    with pytest.raises(Interrupted):
        Killed(EXPORT, be, media=uploads, batch=50, stream=io.StringIO()).run()
    media = Path(settings.MEDIA_ROOT)
    assert Photo.objects.count() == 0 and list(media.rglob("original.*"))  # left behind
    with override("en"):
        report = wordpress.Importer(EXPORT, be, media=uploads, stream=io.StringIO()).run()
    assert any("an interrupted import left behind" in line for line in report.warnings)
    assert Photo.objects.count() == 3
    assert sorted(p.parent.name for p in media.rglob("original.*")) == sorted(
        Photo.objects.values_list("key", flat=True))
    assert not (Path(settings.VAR_DIR) / "import-photos.journal").exists()


@pytest.mark.parametrize(("given", "slug"), [
    ("%d1%82%d1%8b%d1%81%d1%8f%d1%87%d1%8b-%d0%bb%d1%8e%d0%b4%d0%b7%d0%b5%d0%b9",
     "tysiachy-liudziej"),
    ("Łódź & Kraków", "lodz-krakow"),
    ("%e2%80%94", ""),
])
def test_latin_slug(given, slug):
    assert wordpress.latin_slug(given, 120) == slug


def test_old_addresses_answer_readers_with_301s(imported, client):
    """Through the site itself, as a reader's old bookmark or a search engine arrives."""
    first = article(101)
    old = ("/2024/05/03/%d1%82%d1%8b%d1%81%d1%8f%d1%87%d1%8b-"
           "%d0%bb%d1%8e%d0%b4%d0%b7%d0%b5%d0%b9/")
    for address in (old, "/?p=101", "/2024/05/03/protest-chernovik/"):
        response = client.get(address)
        assert response.status_code == 301, address
        assert response["Location"] == first.get_absolute_url()
    assert client.get("/?page_id=201")["Location"] == Page.objects.get(
        slug="pra-nas").get_absolute_url()
    # A post that is not public here: its old address is a 404, as any unknown one.
    assert client.get("/?p=103").status_code != 301


KILLED_TABLES = ("newsroom_article", "newsroom_revision", "newsroom_legacyredirect",
                 "comments_comment", "photos_photo", "ops_importrecord", "newsroom_tag")


@pytest.mark.engine("sqlite")  # its own sites in SQLite files: once is enough
def test_an_import_killed_with_sigkill_and_run_again_equals_one_clean_import(tmp_path):
    """A real `kill -9` of `samizdat import_wordpress` while it writes, then the same
    command again: the site holds exactly what one uninterrupted import gives."""
    import contextlib
    import signal
    import sqlite3
    import subprocess
    import sys

    from tests.ops.test_backup import BIN, Database, environment, samizdat

    export, media = tmp_path / "big.xml", tmp_path / "uploads"
    subprocess.run([sys.executable, str(Path(__file__).parents[2] / "bench" / "wxr.py"),
                    "1500", str(export), "--media", str(media)], check=True, timeout=120)
    command = ["import_wordpress", str(export), "--edition", "be", "--media", str(media),
               "--batch", "100"]

    def site(name):
        env = environment(Database("sqlite", tmp_path / name), tmp_path / name / "var")
        (tmp_path / name).mkdir()
        samizdat(env, "migrate", "-v0")
        return env, tmp_path / name / "restored.sqlite3"

    def rows(path) -> dict:
        with sqlite3.connect(path) as db:
            return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 (our table names)
                    for t in KILLED_TABLES}

    env, path = site("killed")
    running = subprocess.Popen([str(BIN / "samizdat"), *command], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Killed once some batches have committed and well before the last one.
        with sqlite3.connect(path, timeout=30) as db:
            while running.poll() is None:
                found = db.execute("SELECT count(*) FROM ops_importrecord WHERE kind='post'")
                if found.fetchone()[0] >= 200:
                    break
                with contextlib.suppress(subprocess.TimeoutExpired):
                    running.wait(timeout=0.05)
        running.send_signal(signal.SIGKILL)
    finally:
        running.wait(timeout=60)
    assert running.returncode == -signal.SIGKILL, "the import ended before it could be killed"
    interrupted = rows(path)
    assert 200 <= interrupted["ops_importrecord"] and interrupted["newsroom_article"] < 1500
    samizdat(env, *command)

    clean_env, clean_path = site("clean")
    samizdat(clean_env, *command)
    expected = rows(clean_path)
    assert expected["newsroom_article"] == 1500 and expected["comments_comment"] == 4500
    assert rows(path) == expected
    # No photo file without its row, none missing.
    originals = list((tmp_path / "killed" / "var").rglob("original.*"))
    assert len(originals) == expected["photos_photo"]
