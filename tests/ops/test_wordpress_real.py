"""WordPress itself on both sides of a move: an export a real WordPress 6.1 wrote moved in, and
`samizdat export --wxr` loaded into a real WordPress (tests/ops/realwp.py).

The import tests run on the committed export (tests/ops/data/wordpress-6.1-real.xml, made by
`python -m tests.ops.realwp`) and, where PHP, Debian's WordPress and MariaDB are installed, on
one made afresh for the run; under CI=true their absence fails the run.
"""

import io
import json
import zoneinfo
from datetime import UTC
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings

from samizdat.comments.models import Comment
from samizdat.newsroom.models import Article, Author, Page, Section, Tag
from samizdat.newsroom.workflow import Status
from samizdat.ops import wxr
from samizdat.ops.models import ImportRecord
from samizdat.photos.models import GalleryItem, Photo
from tests.conftest import need
from tests.ops import realwp
from tests.ops.test_export import newsroom_content  # noqa: F401  (a fixture used below)
from tests.ops.test_wordpress import article, counts, editions, run  # noqa: F401  (editions)


@pytest.fixture(scope="session")
def live_export(tmp_path_factory):
    """An export WordPress writes now, from the same content as the committed one."""
    need(realwp.available(), realwp.WHAT)
    export, uploads, _ids = realwp.make_export(tmp_path_factory.mktemp("wordpress"))
    return export, uploads


class Export:
    def __init__(self, path: Path, uploads: Path):
        self.path, self.uploads = path, uploads
        self.items = {item.title: item for item in wxr.read(path)
                      if isinstance(item, wxr.Item)}

    def post(self, title: str) -> Article:
        return article(self.items[title].wp_id)

    def path_of(self, title: str) -> str:
        """The item's address on the old site, as WordPress wrote it (percent-encoded)."""
        return urlsplit(self.items[title].link).path


@pytest.fixture(params=["committed", "live"])
def export(request):
    if request.param == "live":
        return Export(*request.getfixturevalue("live_export"))
    return Export(realwp.FIXTURE, realwp.FIXTURE_UPLOADS)


@pytest.fixture
def imported(export, request):
    request.getfixturevalue("editions")
    return run(export.path, uploads=export.uploads)


def test_every_status(export, imported, client):
    main, renamed = export.post("Тысячы людзей"), export.post("Памылка ў раскладзе")
    assert main.status == renamed.status == Status.PUBLISHED
    assert client.get(main.get_absolute_url()).status_code == 200
    assert export.post("Чарнавік").status == Status.DRAFT
    assert export.post("На праверцы").status == Status.REVIEW
    future = export.post("Будучыня")
    assert future.status == Status.SCHEDULED
    assert future.publish_at.isoformat() == "2099-01-01T07:00:00+00:00"  # 10:00 in Minsk
    private = export.post("Прыватны запіс")
    assert private.status == Status.DRAFT and not private.is_public
    trashed = export.items["Выдалены запіс"]
    assert trashed.status == "trash"
    assert not ImportRecord.objects.filter(kind="post", wp_id=str(trashed.wp_id)).exists()
    assert not Article.objects.filter(headline="Выдалены запіс").exists()
    for title in ("Чарнавік", "На праверцы", "Будучыня", "Прыватны запіс"):
        assert client.get(export.post(title).get_absolute_url()).status_code == 404, title
    assert "in the trash: 1" in imported
    assert "private: never public here: 1" in imported


def test_sticky_dates_sections_tags_and_bylines(export, imported):
    main = export.post("Тысячы людзей")
    assert main.is_featured and not export.post("Памылка ў раскладзе").is_featured
    assert main.published_at.isoformat() == "2024-05-03T09:30:00+00:00"
    assert main.lead == "Тысячы людзей сабраліся ў цэнтры Менска."
    assert {main.section.slug, *(s.slug for s in main.extra_sections.all())} == {
        "news", "palityka"}
    assert Section.objects.get(slug="palityka").name == "Палітыка"
    assert sorted(t.slug for t in main.tags.all()) == ["minsk", "vybary"]
    assert Tag.objects.get(slug="vybary").name == "выбары"
    assert [a.name for a in main.authors.all()] == ["Алеся Пазнякова"]
    assert [a.name for a in export.post("Памылка ў раскладзе").authors.all()] == ["Іван К."]
    # WordPress gives a draft no slug: the title, transliterated, stands in.
    assert export.items["Чарнавік"].name == "" and export.post("Чарнавік").slug == "charnavik"


def test_pages_become_static_pages(export, imported, client):
    about, contacts = Page.objects.get(title="Пра нас"), Page.objects.get(title="Кантакты")
    assert about.is_published and contacts.is_published and not about.in_footer
    assert about.body == "<p>Мы незалежная рэдакцыя.</p>\n<p>Пішыце нам.</p>"
    assert client.get(contacts.get_absolute_url()).status_code == 200
    # WordPress's own draft page (the privacy policy it writes on install) stays unpublished.
    assert not Page.objects.get(slug="privacy-policy").is_published


def test_shortcodes_become_photos_and_a_photo_report(export, imported):
    main = export.post("Тысячы людзей")
    photo = Photo.objects.get(name="photo")
    assert main.hero_photo == photo  # the featured image
    # [caption] around WordPress's resized copy (photo-300x225.jpg): the original, placed.
    assert "photo-300x" in export.items["Тысячы людзей"].content
    assert f"<p>[photo {photo.pk}]</p>" in main.body
    assert photo.alt_text == "Людзі з бел-чырвона-белымі сцягамі на плошчы"
    assert "[caption" not in main.body and "[gallery" not in main.body
    assert main.is_photo_report
    assert list(GalleryItem.objects.filter(article=main).order_by("position")
                .values_list("photo__name", flat=True)) == ["gallery-1", "gallery-2"]
    assert Photo.objects.get(name="gallery-1").alt_text == "Першы здымак"  # from its caption
    # The unknown shortcode: kept as text and counted.
    assert '[contact-form-7 id="5"' in main.body
    assert "[contact-form-7] 1" in imported
    # Links to the old site's posts and archives lead to the new addresses.
    renamed = export.post("Памылка ў раскладзе")
    assert f'href="{renamed.get_absolute_url()}"' in main.body
    assert 'href="/be/section/news/"' in main.body


def test_threaded_comments(export, imported, client):
    main = export.post("Тысячы людзей")

    def word(comment):
        return comment.body.split()[0] if comment else None

    tree = {word(c): (word(c.parent), word(c.thread), c.depth, c.status)
            for c in Comment.objects.filter(article=main).select_related("parent", "thread")}
    # A thread three deep, the one waiting, and the reply to a trashed comment on its own;
    # WordPress's exporter left the spam out, the trashed comment and the pingback stay behind.
    assert tree == {
        "Дзякуй": (None, None, 0, "approved"),
        "Згодная": ("Дзякуй", "Дзякуй", 1, "approved"),
        "Дзякуй,": ("Згодная", "Дзякуй", 2, "approved"),
        "Ці": (None, None, 0, "pending"),
        "Не": (None, None, 0, "approved"),
    }
    first = Comment.objects.get(article=main, parent=None, name="Янка")
    assert first.body == "Дзякуй за рэпартаж!\nТрымайцеся."
    assert first.created_at.isoformat() == "2024-05-03T10:05:00+00:00"
    assert Comment.objects.get(body="Ці будзе працяг?").held_for  # in the moderation queue
    shown = client.get(f"/be/comments/{main.pk}/").content.decode()
    assert "Дзякуй за рэпартаж" in shown and "Згодная з Янкам" in shown
    assert "Ці будзе працяг" not in shown
    approvals = {c.approved for c in export.items["Тысячы людзей"].comments}
    assert approvals == {"1", "0", "trash"}  # no "spam": WordPress does not export it
    # Emails and addresses were in the file; no column of any comment keeps one.
    raw = export.path.read_text(encoding="utf-8")
    stored = repr(list(Comment.objects.values_list()))
    for secret in ("yanka@mail.example", "203.0.113.7", "198.51.100.23", "wapuu@"):
        assert secret in raw and secret not in stored


def test_old_addresses_answer_with_301s(export, imported, client):
    main, renamed = export.post("Тысячы людзей"), export.post("Памылка ў раскладзе")
    about, contacts = Page.objects.get(title="Пра нас"), Page.objects.get(title="Кантакты")
    items = export.items
    old_path = export.path_of("Тысячы людзей")
    assert "%d0%" in old_path.lower()  # the Cyrillic slug, percent-encoded by WordPress
    old_slug = items["Памылка ў раскладзе"].meta["_wp_old_slug"]
    assert old_slug == ["rasklad-chernovik"]
    category = next(t for t in items["Тысячы людзей"].terms if t.name == "Палітыка")
    tag = next(t for t in items["Тысячы людзей"].terms if t.name == "выбары")
    expected = {
        old_path: main.get_absolute_url(),
        old_path.upper(): main.get_absolute_url(),  # browsers write the hex digits in capitals
        f"/?p={items['Тысячы людзей'].wp_id}": main.get_absolute_url(),
        export.path_of("Памылка ў раскладзе"): renamed.get_absolute_url(),
        "/2024/05/rasklad-chernovik/": renamed.get_absolute_url(),
        f"/?page_id={items['Пра нас'].wp_id}": about.get_absolute_url(),
        export.path_of("Пра нас"): about.get_absolute_url(),
        export.path_of("Кантакты"): contacts.get_absolute_url(),
        f"/?page_id={items['Кантакты'].wp_id}": contacts.get_absolute_url(),
        "/category/news/": Section.objects.get(slug="news").get_absolute_url(),
        f"/category/news/{category.slug}/": Section.objects.get(
            slug="palityka").get_absolute_url(),
        "/tag/minsk/": Tag.objects.get(slug="minsk").get_absolute_url(),
        f"/tag/{tag.slug}/": Tag.objects.get(slug="vybary").get_absolute_url(),
    }
    assert export.path_of("Кантакты") == "/pra-nas/kantakty/"
    for address, new in expected.items():
        response = client.get(address)
        assert (response.status_code, response.get("Location")) == (301, new), address
    # Not public here: not sent to the article, as for any unknown address.
    for title in ("Чарнавік", "Прыватны запіс", "Будучыня"):
        response = client.get(f"/?p={items[title].wp_id}")
        assert response.status_code != 301, title
        assert export.post(title).get_absolute_url() not in response.get("Location", ""), title


def state() -> tuple:
    """Counts, and what readers and moderators see of every article and comment."""
    return (counts(),
            list(Article.objects.order_by("pk").values_list(
                "pk", "status", "slug", "headline", "body", "published_at", "publish_at",
                "is_featured", "hero_photo_id", "section_id")),
            list(Comment.objects.order_by("pk").values_list("pk", "status", "parent_id",
                                                             "body", "created_at")))


def test_a_second_import_changes_nothing(export, imported):
    before = state()
    again = run(export.path, uploads=export.uploads)
    assert state() == before
    assert "imported" not in again.replace("imported before", "")
    assert "updated" not in again


def shape(path: Path) -> list:
    """What an export holds, without what changes from run to run (dates, times)."""
    return [(i.type, i.status, i.title, i.name, i.parent, i.is_sticky, i.content, i.excerpt,
             sorted((t.kind, t.slug) for t in i.terms), sorted(i.meta.get("_wp_old_slug", [])),
             [(c.author, c.content, c.approved, c.type, c.parent) for c in i.comments])
            for i in wxr.read(path) if isinstance(i, wxr.Item)]


def test_the_committed_export_is_what_wordpress_writes(live_export):
    live, _uploads = live_export
    assert shape(live) == shape(realwp.FIXTURE)
    assert b"<generator>https://wordpress.org/?v=6.1" in live.read_bytes()


# --- The other way: WordPress takes `samizdat export --wxr` ----------------------------------

WHEN = "%Y-%m-%d %H:%M:%S"  # how WordPress writes a date
MINSK = zoneinfo.ZoneInfo(realwp.TIME_ZONE)


@pytest.fixture
def wordpress_site(tmp_path):
    need(realwp.available(), realwp.WHAT)
    with realwp.site(tmp_path / "wordpress") as site:
        yield site


@pytest.mark.usefixtures("newsroom_content")
def test_wordpress_takes_our_wxr(wordpress_site, tmp_path, settings):
    out = tmp_path / "export"
    with override_settings(SITE_URL="https://samizdat.example"):
        call_command("export", str(out), "--wxr", stdout=io.StringIO(), stderr=io.StringIO())
    media = f"https://samizdat.example{settings.MEDIA_URL}={settings.MEDIA_ROOT}"
    loaded = wordpress_site.json("load_wxr", str(out / "wordpress.xml"), media)
    assert loaded["version"] == "1.2" and loaded["failed"] == []
    site = wordpress_site.json("dump")
    posts = {p["meta"]["_samizdat_id"]: p for p in site["posts"]
             if p["type"] == "post" and "_samizdat_id" in p["meta"]}
    # (A fresh WordPress has a sample page and a privacy policy of its own.)
    pages = [p for p in site["posts"] if p["type"] == "page" and "_samizdat_edition" in p["meta"]]
    statuses = {"published": "publish", "scheduled": "future", "draft": "draft",
                "review": "pending"}
    assert len(posts) == Article.objects.count()
    for mine in Article.objects.select_related("section", "edition"):
        theirs = posts[str(mine.pk)]
        assert theirs["title"] == mine.headline
        assert theirs["name"] == mine.slug
        assert theirs["status"] == statuses[mine.status], mine.headline
        moment = mine.published_at or mine.publish_at
        if moment:
            assert theirs["date_gmt"] == moment.astimezone(UTC).strftime(WHEN)
            assert theirs["date"] == moment.astimezone(MINSK).strftime(WHEN)  # site's zone
        assert theirs["sticky"] == mine.is_featured
        assert {mine.section.slug, f"{mine.section.slug}-{mine.edition.language}"} & set(
            theirs["categories"]), mine.headline
        assert len(theirs["tags"]) == mine.tags.count()
    main = next(p for p in posts.values() if p["name"] == "court-hearing")
    assert main["title"] == "Court hearing <in> Minsk & more"
    assert main["excerpt"] == "A lead with ]]> in it."
    court = Article.objects.get(slug="court-hearing")
    assert main["author"] == court.bylines.order_by("position").first().author.name
    assert main["thumbnail"], "the main photo is the featured image"
    assert "samizdat.example" not in main["content"]  # the placed photo's address remapped
    assert f'<img src="{realwp.HOME}/wp-content/uploads/' in main["content"]
    # Approved comments, threaded; the one held for moderation did not leave.
    thread = [(c["content"], c["parent_content"], c["approved"]) for c in main["comments"]]
    assert thread == [("First!", None, "1"), ("A reply", "First!", "1"),
                      ("Deeper", "A reply", "1")]
    assert all(c["email"] == "" for c in main["comments"])
    first = Comment.objects.get(body="First!")
    assert main["comments"][0]["date_gmt"] == first.created_at.astimezone(UTC).strftime(WHEN)
    assert len(pages) == Page.objects.count()
    assert {p["title"] for p in pages} == set(Page.objects.values_list("title", flat=True))
    terms = {(t["taxonomy"], t["slug"]) for t in site["terms"]}
    assert ("category", "belarus-en") in terms and ("post_tag", "homel") in terms
    assert len([t for t in terms if t[0] == "category"]) >= Section.objects.count()
    assert set(site["users"].values()) == {"admin", *Author.objects.values_list("name",
                                                                                 flat=True)}
    # WordPress keeps the photos the importer fetched, in its uploads folder.
    attachments = [p for p in site["posts"] if p["type"] == "attachment"]
    assert len(attachments) == Photo.objects.count()
    assert all(Path(a["file"]).is_file() for a in attachments)
    assert json.dumps(site, ensure_ascii=False).count("samizdat.example/media") == 0
