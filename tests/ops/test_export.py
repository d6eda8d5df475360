"""The full export and its round trip: files, manifest, WXR, and an import that gives back
the same reader pages and API answers (docs/export.md)."""

import json
import re
import uuid
import xml.etree.ElementTree as ET

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from samizdat.comments import services as comments
from samizdat.comments.models import Comment
from samizdat.newsroom import demo, logo, redirects
from samizdat.newsroom import services as newsroom
from samizdat.newsroom.models import (
    Article,
    ArticleRedirect,
    Author,
    Edition,
    Section,
    SiteSettings,
)
from samizdat.ops.export import KINDS, SCHEMA_VERSION
from samizdat.photos import samples
from samizdat.photos import services as photos
from samizdat.photos.models import GalleryItem, Photo

WP = "{http://wordpress.org/export/1.2/}"
CLIENT = "0123456789abcdef0123456789abcdef"
# What differs by design between the same page before and after a move: nothing in the
# bodies; in the headers, when the answer was made and whether the page cache held it.
VOLATILE = {"Date", "X-Page-Cache"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def logo_png(colour=(170, 20, 30, 255)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (240, 120), colour).save(buffer, "PNG")
    return buffer.getvalue()


def photo(seed, alt="Protesters on the square"):
    made = photos.ingest(samples.jpeg(900, 600, seed=seed), name=f"p{seed}.jpg", alt_text=alt,
                         caption=f"Caption {seed}", credit="Photo: Alena",
                         make_renditions=False)
    return photos.make_renditions(made)


@pytest.fixture
def newsroom_content(scaffold, make_article, editor, django_capture_on_commit_callbacks):
    """A small newsroom built through the real actions: translated articles with photos,
    a report, tags, two bylines, a moved address, a draft, a scheduled one, comments."""
    with django_capture_on_commit_callbacks(execute=True):
        hero, placed = photo(1), photo(2)
        key = uuid.uuid4()
        tags = scaffold["tags"]["en"]
        authors = scaffold["authors"]
        main = make_article(
            headline="Court hearing <in> Minsk & more", slug="court-hearing", hero_photo=hero,
            lead="A lead with ]]> in it.", translation_key=key,
            body=f"<p>First paragraph.</p><p>[photo {placed.pk}]</p><p>Ends here.</p>",
            tag_ids=[tags[0].pk, tags[1].pk], author_ids=[authors[1].pk, authors[0].pk],
            is_photo_report=True)
        GalleryItem.objects.create(article=main, photo=photo(3), position=0, caption="One")
        GalleryItem.objects.create(article=main, photo=hero, position=1)
        SiteSettings.objects.filter(edition=main.edition).update(
            campaign_text="Write to prisoners", campaign_url="/en/about/")
        masthead = SiteSettings.objects.get(edition=main.edition)
        uploaded = logo.clean(SimpleUploadedFile("mark.png", logo_png()), "en")
        masthead.logo.save(uploaded.name, uploaded)  # as the admin stores it
        make_article(language="be", headline="Суд у Менску", slug="sud", translation_key=key,
                     tag_ids=[scaffold["tags"]["be"][0].pk])
        moved = make_article(headline="Moved story", slug="old-address")
        moved.slug = "new-address"
        moved.save()
        newsroom.save_article(moved, editor, note="new address")
        redirects.add("/?p=123", article=main, source="wordpress")
        redirects.add("/o-nas/", target="/en/about/", source="admin")
        for n in range(3):
            make_article(headline=f"Story {n}", slug=f"story-{n}", tag_ids=[tags[2].pk])
        make_article(headline="Draft", slug="draft", status="draft")
        scheduled = make_article(headline="Later", slug="later", status="draft")
        from django.utils import timezone

        newsroom.schedule(scheduled, editor, timezone.now() + timezone.timedelta(days=1))
        first = comments.post(main, comments.Draft(name="Ales", body="First!",
                                                   email="ales@example.org"), CLIENT)
        reply = comments.post(main, comments.Draft(name="Olga", body="A reply",
                                                   parent_id=first.pk), CLIENT[::-1])
        comments.post(main, comments.Draft(name="Ales", body="Deeper", parent_id=reply.pk),
                      CLIENT)
        held = comments.post(main, comments.Draft(name="Spam", body="a http://x.example "
                                                  "http://y.example http://z.example"), CLIENT)
    assert held.status == "pending"
    return {"main": Article.objects.get(pk=main.pk), "moved": moved}


def reader_pages(client, main) -> dict[str, bytes]:
    section = Section.objects.get(pk=main.section_id)
    paths = ["/en/", main.get_absolute_url(), section.get_absolute_url(), "/en/rss.xml",
             "/en/atom.xml", "/api/v1/articles", f"/api/v1/articles/{main.pk}",
             "/be/", "/api/v1/sections", "/en/about/", f"/a/{main.pk}/",
             "/en/news/2000/01/01/nothing/", "/?p=123", "/o-nas/"]
    answers = {}
    for path in paths:
        response = client.get(path)
        answers[path] = (response.status_code, response.content,
                         {k: v for k, v in response.headers.items() if k not in VOLATILE})
    return answers


def read_lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_writes_every_kind_a_manifest_and_the_originals(newsroom_content, tmp_path):
    out = tmp_path / "export"
    call_command("export", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["languages"] == ["be", "ru", "en"]
    for k in KINDS:
        assert len(read_lines(out / k.file)) == manifest["counts"][k.name], k.name
    assert manifest["counts"]["articles"] == Article.objects.count() == 8
    main = next(a for a in read_lines(out / "articles.jsonl") if a["slug"] == "court-hearing")
    be = Article.objects.get(slug="sud")
    assert main["translation_ids"] == [be.pk]
    assert [b["author_id"] for b in main["bylines"]] == [
        a.author_id for a in newsroom_content["main"].bylines.order_by("position")]
    assert [g["caption"] for g in main["gallery"]] == ["One", ""]
    assert main["published_at"].endswith("Z") and main["url"].startswith("/en/news/")
    moved = read_lines(out / "redirects.jsonl")
    assert [r["old_path"] for r in moved] == [
        r.old_path for r in ArticleRedirect.objects.all()] and moved
    legacy = read_lines(out / "legacy_redirects.jsonl")
    assert [(r["old_path"], r["query"], r["article_id"], r["target"]) for r in legacy] == [
        ("/", "p=123", main["id"], ""), ("/o-nas/", "", None, "/en/about/")]
    revisions = read_lines(out / "revisions.jsonl")
    assert {r["note"] for r in revisions} >= {"new address", "Published"}
    # Readers' addresses for replies stay out unless asked for; client hashes always.
    comment_rows = read_lines(out / "comments.jsonl")
    assert all("email" not in c and "client" not in c for c in comment_rows)
    assert [c["parent_id"] for c in comment_rows][:3] == [None, comment_rows[0]["id"],
                                                          comment_rows[1]["id"]]
    # No staff: no user ids, no usernames, no password hashes anywhere.
    text = "".join(p.read_text() for p in out.glob("*.jsonl"))
    assert "editor" not in text and "pbkdf2" not in text and "user" not in text
    for row in read_lines(out / "photos.jsonl"):
        with default_storage.open(row["original"], "rb") as stored:
            assert (out / row["file"]).read_bytes() == stored.read()
    assert manifest["photo_files"]["count"] == Photo.objects.count() == 3
    # The edition's logo travels as the file the site stores.
    rows = {r["edition_id"]: r for r in read_lines(out / "site_settings.jsonl")}
    masthead = SiteSettings.objects.get(edition=newsroom_content["main"].edition)
    assert rows[masthead.edition_id]["logo_file"] == "logos/en.png"
    with default_storage.open(masthead.logo.name, "rb") as stored:
        assert (out / "logos" / "en.png").read_bytes() == stored.read()
    assert sum("logo_file" in r for r in rows.values()) == 1


def test_comment_emails_only_when_asked(newsroom_content, tmp_path):
    call_command("export", str(tmp_path / "e"), "--comment-emails")
    rows = read_lines(tmp_path / "e" / "comments.jsonl")
    assert rows[0]["email"] == "ales@example.org" and rows[0]["email_confirmed"] is False


def test_export_refuses_a_folder_with_files(db, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "f").write_text("")
    with pytest.raises(CommandError, match="not an empty folder"):
        call_command("export", str(tmp_path / "x"))


def text_of(element, name):
    found = element.find(name)
    return None if found is None else found.text


def test_wxr_is_a_wordpress_export_of_articles_pages_terms_and_approved_comments(
        newsroom_content, tmp_path):
    out = tmp_path / "export"
    call_command("export", str(out), "--wxr")
    raw = (out / "wordpress.xml").read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"')
    assert b"<![CDATA[<p>First paragraph.</p>" in raw
    root = ET.fromstring(raw)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert text_of(channel, f"{WP}wxr_version") == "1.2"
    logins = [text_of(a, f"{WP}author_login") for a in channel.findall(f"{WP}author")]
    assert logins == list(Author.objects.order_by("pk").values_list("slug", flat=True))
    nicenames = [text_of(c, f"{WP}category_nicename") for c in channel.findall(f"{WP}category")]
    assert len(nicenames) == len(set(nicenames)) == Section.objects.count()
    tags = channel.findall(f"{WP}tag")
    assert len({text_of(t, f"{WP}tag_slug") for t in tags}) == len(tags) > 0
    items = channel.findall("item")
    kinds = [(text_of(i, f"{WP}post_type"), text_of(i, f"{WP}status")) for i in items]
    assert kinds.count(("post", "publish")) == Article.objects.filter(
        status="published").count()
    assert ("post", "draft") in kinds and ("post", "future") in kinds
    assert kinds.count(("page", "publish")) == 9
    post = next(i for i in items if text_of(i, f"{WP}post_name") == "court-hearing")
    assert text_of(post, "title") == "Court hearing <in> Minsk & more"
    assert text_of(post, "{http://wordpress.org/export/1.2/excerpt/}encoded") == (
        "A lead with ]]> in it.")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", text_of(post, f"{WP}post_date"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", text_of(post, f"{WP}post_date_gmt"))
    domains = {(c.get("domain"), c.get("nicename")) for c in post.findall("category")}
    # "belarus" is a section of every edition: WordPress gets one term per edition.
    assert domains == {("category", "belarus-en"), ("post_tag", "minsk-en"),
                       ("post_tag", "homel")}
    found = post.findall(f"{WP}comment")
    approved = Comment.objects.filter(status="approved").order_by("pk")
    assert [int(text_of(c, f"{WP}comment_id")) for c in found] == [c.pk for c in approved]
    parents = [int(text_of(c, f"{WP}comment_parent")) for c in found]
    assert parents == [c.parent_id or 0 for c in approved]
    assert all(text_of(c, f"{WP}comment_approved") == "1" for c in found)
    assert all(not text_of(c, f"{WP}comment_author_email") for c in found)


def test_round_trip_gives_the_same_pages_and_api_answers(
        transactional_db, newsroom_content, client, tmp_path, settings,
        django_capture_on_commit_callbacks):
    main = newsroom_content["main"]
    before = reader_pages(client, main)
    assert before[main.get_absolute_url()][0] == 200
    out = tmp_path / "export"
    call_command("export", str(out), "--comment-emails")
    counts = json.loads((out / "manifest.json").read_text())["counts"]

    call_command("flush", interactive=False)
    settings.MEDIA_ROOT = tmp_path / "new-media"
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    assert Edition.objects.count() == 3 and not Article.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_export", str(out))
    for alias in settings.CACHES:
        caches[alias].clear()
    after = reader_pages(client, Article.objects.get(pk=main.pk))
    for path in before:
        assert after[path][0] == before[path][0], path
        assert after[path][1] == before[path][1], path
        assert after[path][2] == before[path][2], path
    for k in KINDS:
        assert k.get_model()._default_manager.count() == counts[k.name], k.name
    # Photos are back in storage, renditions made again; comments keep their threads.
    for p in Photo.objects.all():
        assert default_storage.exists(p.original)
        assert default_storage.exists(p.rendition_name(p.renditions["widths"][-1], "webp"))
    assert Comment.objects.get(name="Ales", depth=0).email == "ales@example.org"
    # The next article the newsroom writes takes a new id, on every database.
    made = newsroom.create_article(
        demo.create_staff("pw")["editor"], edition=Edition.objects.get(language="en"),
        headline="After the move", slug="after-the-move")
    assert made.pk > max(a.pk for a in Article.objects.exclude(pk=made.pk))


def test_import_refuses_a_site_with_content(newsroom_content, tmp_path):
    call_command("export", str(tmp_path / "e"))
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_export", str(tmp_path / "e"))


def test_import_refuses_a_folder_without_a_manifest(db, tmp_path):
    with pytest.raises(CommandError, match="manifest.json is missing"):
        call_command("import_export", str(tmp_path))


def empty_the_site():
    """Everything but the editions, inside the test's transaction."""
    from django.apps import apps

    for model in ("comments.Comment", "photos.GalleryItem", "photos.PlacedPhoto",
                  "newsroom.ArticleRedirect", "newsroom.LegacyRedirect", "newsroom.Revision",
                  "newsroom.Byline", "newsroom.Article", "photos.Photo", "newsroom.Page",
                  "newsroom.Tag", "newsroom.Section", "newsroom.Author",
                  "newsroom.SocialAccount", "newsroom.DonationMethod"):
        apps.get_model(model).objects.all().delete()


def test_a_photo_file_that_is_not_a_photo_is_refused(newsroom_content, tmp_path):
    out = tmp_path / "export"
    call_command("export", str(out))
    first = read_lines(out / "photos.jsonl")[0]
    (out / first["file"]).write_bytes(b"<html><script>alert(1)</script></html>")
    empty_the_site()
    with pytest.raises(CommandError, match=r"photos.jsonl, line 1: its file was refused"):
        call_command("import_export", str(out))
    assert not Photo.objects.exists()


def test_a_logo_that_is_not_a_picture_is_refused_and_changes_nothing(newsroom_content,
                                                                    tmp_path):
    out = tmp_path / "export"
    call_command("export", str(out))
    (out / "logos" / "en.png").write_bytes(b"<svg onload=alert(1)></svg>")
    empty_the_site()
    SiteSettings.objects.all().delete()
    with pytest.raises(CommandError, match=r"site_settings.jsonl, line \d: its logo was refused"):
        call_command("import_export", str(out))
    assert not SiteSettings.objects.exists() and not Photo.objects.exists()


@pytest.mark.parametrize(("kind", "line", "damage", "message"), [
    ("articles", 2, lambda line: line[:40], "not valid JSON"),
    ("articles", 1, lambda line: line.replace('"status":"published"', '"status":"gone"'),
     "status"),
    ("comments", 2, lambda line: re.sub(r'"article_id":\d+', '"article_id":99999', line),
     "article_id 99999 names no earlier line of articles.jsonl"),
    ("tags", 3, lambda line: re.sub(r'"slug":"[^"]*"', '"slug":"no spaces allowed"', line),
     "slug"),
])
def test_a_bad_line_names_file_and_line_and_changes_nothing(
        newsroom_content, tmp_path, settings, kind, line, damage, message):
    out = tmp_path / "export"
    call_command("export", str(out))
    path = out / f"{kind}.jsonl"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = damage(lines[line - 1])
    path.write_text("\n".join(lines), encoding="utf-8")
    empty_the_site()
    settings.MEDIA_ROOT = tmp_path / "new-media"
    editions = list(Edition.objects.order_by("pk").values_list("pk", "language"))
    with pytest.raises(CommandError) as error:
        call_command("import_export", str(out))
    assert f"{kind}.jsonl, line {line}" in str(error.value)
    assert message in str(error.value)
    assert "Nothing was changed" in str(error.value)
    assert not Article.objects.exists() and not Photo.objects.exists()
    assert list(Edition.objects.order_by("pk").values_list("pk", "language")) == editions
    assert not (tmp_path / "new-media").exists() or not any(
        p.is_file() for p in (tmp_path / "new-media").rglob("*"))


def test_an_export_from_before_a_newer_field_imports_with_its_default(
        transactional_db, newsroom_content, tmp_path, django_capture_on_commit_callbacks):
    out = tmp_path / "export"
    call_command("export", str(out))
    lines = (out / "site_settings.jsonl").read_text().splitlines()
    older = []
    for line in lines:
        row = json.loads(line)
        assert row.pop("campaign_text") in ("", "Write to prisoners")
        row.pop("campaign_url")
        older.append(json.dumps(row))
    (out / "site_settings.jsonl").write_text("\n".join(older) + "\n")
    call_command("flush", interactive=False)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_export", str(out))
    assert SiteSettings.objects.count() == len(lines)
    assert set(SiteSettings.objects.values_list("campaign_text", "campaign_url")) == {("", "")}
