"""Photos on reader pages: hero, photo report, photos and videos in the text, thumbnails,
renditions made by the worker, the /media/ view, and the alternative-text rule."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from samizdat.newsroom import services as newsroom
from samizdat.newsroom.models import Article
from samizdat.photos import samples, services
from samizdat.photos.models import GalleryItem


def make_photo(seed=0, alt="A crowd on the square", **fields):
    photo = services.ingest(samples.jpeg(1000, 700, seed=seed), alt_text=alt,
                            make_renditions=False, **fields)
    return services.make_renditions(photo)


def report(article, photos):
    GalleryItem.objects.bulk_create(
        GalleryItem(article=article, photo=p, position=i, caption=f"Picture {i}")
        for i, p in enumerate(photos))


def addresses(html: str) -> list[str]:
    found = re.findall(r'(?:src|srcset)="([^"]+)"', html)
    return [part.strip().split(" ")[0] for value in found for part in value.split(",")]


@pytest.fixture
def photo_article(db, make_article):
    hero = make_photo(1, caption="The square at noon", credit="Photo: Alena")
    placed = make_photo(2)
    article = make_article(
        headline="A photo report", is_photo_report=True, hero_photo=hero,
        body=f"<p>First.</p><p>[photo {placed.pk}]</p>"
             '<p><a href="https://youtu.be/aqz-KE-bpKQ">https://youtu.be/aqz-KE-bpKQ</a></p>')
    report(article, [make_photo(10 + i) for i in range(3)])
    return Article.objects.select_related("edition").get(pk=article.pk)


def test_article_shows_hero_report_placed_photo_and_video_from_its_own_origin(
        client, photo_article):
    html = client.get(photo_article.get_absolute_url()).content.decode()
    hero = photo_article.hero_photo
    # The hero: modern formats first, a JPEG fallback, size reserved, caption and credit.
    assert '<source type="image/webp"' in html
    assert 'width="1000" height="700" alt="A crowd on the square">' in html
    assert "The square at noon <span class=\"credit\">Photo: Alena</span>" in html
    assert f"/media/{hero.folder}/800.webp 800w" in html
    # Report: three figures in order, each opening the largest rendition.
    gallery = html[html.index('class="gallery"'):]
    assert [int(n) for n in re.findall(r"Picture (\d)", gallery)] == [0, 1, 2]
    assert gallery.count('<figure class="photo"><a href="/media/photos/') == 3
    assert "[photo" not in html  # the shortcode became a figure
    assert html.count('<figure class="photo">') == 1 + 1 + 3
    # The video: a local placeholder and a link; nothing from YouTube is loaded.
    assert '<a href="https://www.youtube.com/watch?v=aqz-KE-bpKQ"' in html
    assert "youtube" not in " ".join(addresses(html)) and "<iframe" not in html
    assert all(a.startswith(("/media/photos/", "/static/")) for a in addresses(html))
    assert "(Photo)" in html


def test_every_address_on_the_page_answers_with_an_image(client, photo_article):
    html = client.get(photo_article.get_absolute_url()).content.decode()
    for address in {a for a in addresses(html) if a.startswith("/media/")}:
        response = client.get(address)
        assert response.status_code == 200, address
        assert response["Content-Type"] in ("image/jpeg", "image/webp")
        assert "immutable" in response["Cache-Control"]


def test_a_twenty_photo_report_costs_the_same_queries_as_three(
        client, photo_article, make_article, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    photos = [make_photo(30 + i) for i in range(3)]
    small, big = (make_article(headline=f"{n} photos", hero_photo=photo_article.hero_photo,
                               body=photo_article.body) for n in (3, 20))
    report(small, photos)
    report(big, [photos[i % 3] for i in range(20)])
    loaded = Article.objects.select_related("edition").in_bulk([small.pk, big.pk])
    small, big = loaded[small.pk], loaded[big.pk]

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)
    count(big.get_absolute_url())  # the site chrome is loaded once per worker
    assert count(big.get_absolute_url()) == count(small.get_absolute_url())
    figures = client.get(big.get_absolute_url()).content.decode().count("<figure")
    assert figures == 3 + 20  # the hero, the placed photo, the video, and the report


def test_lists_show_the_hero_as_a_thumbnail_cropped_around_the_focal_point(
        client, photo_article):
    hero = photo_article.hero_photo
    html = client.get(photo_article.section.get_absolute_url()).content.decode()
    assert f"/media/{hero.folder}/t50-50-240.webp 240w" in html
    assert 'width="480" height="320"' in html  # 3:2, whatever the photo's own shape


def test_moving_the_focal_point_makes_new_thumbnails_and_drops_the_old(photo_article,
                                                                        settings):
    hero = photo_article.hero_photo
    hero.focal_x, hero.focal_y = 0.9, 0.2
    hero.save()
    services.make_renditions(hero)
    names = {p.name for p in (settings.MEDIA_ROOT / hero.folder).iterdir()}
    assert "t90-20-240.webp" in names and "t50-50-240.webp" not in names
    assert hero.sources(thumb=True)["src"].endswith("t90-20-480.jpg")


@pytest.mark.parametrize("path", [
    "/media/photos/../../settings.py", "/media/etc/passwd", "/media/photos/ab/x/1.jpg",
    "/media/photos/ab/0123456789abcdef/original.html",
    "/media/photos/ab/0123456789abcdef/480.jpg",
])
def test_media_serves_photos_only(client, path, db):
    assert client.get(path).status_code == 404


def test_renditions_are_made_by_the_worker_and_pages_follow(transactional_db, client,
                                                            make_article):
    photo = services.ingest(samples.jpeg(1300, 866), alt_text="Riverbank")
    assert DBTaskResult.objects.filter(task_path__endswith="make_renditions").count() == 1
    article = make_article(hero_photo=photo)
    url = Article.objects.select_related("edition").get(pk=article.pk).get_absolute_url()
    before = client.get(url).content.decode()
    # Until the worker runs: the small JPEG made at upload, and no modern source.
    assert f"/media/{photo.folder}/480.jpg 480w" in before and "image/webp" not in before
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    photo.refresh_from_db()
    assert photo.renditions["widths"] == [480, 800, 1200, 1300]
    after = client.get(url).content.decode()  # the cached page was invalidated
    assert f"/media/{photo.folder}/1300.webp 1300w" in after


def test_publishing_needs_alternative_text_on_every_photo(make_article, editor):
    no_alt = make_photo(5, alt="")
    for fields in ({"hero_photo": no_alt}, {"body": f"<p>[photo {no_alt.pk}]</p>"}):
        article = make_article(status="draft", **fields)
        with pytest.raises(ValidationError, match="alternative text"):
            newsroom.publish(article, editor)
    article = make_article(status="draft")
    report(article, [no_alt])
    with pytest.raises(ValidationError, match="alternative text"):
        newsroom.publish(article, editor)
    article = make_article(status="draft", body="<p>[photo 999999]</p>")
    with pytest.raises(ValidationError, match="not in the library"):
        newsroom.publish(article, editor)
    no_alt.alt_text = "Riot police line"
    no_alt.save()
    newsroom.publish(Article.objects.get(pk=article.pk - 1), editor)


def test_only_photos_that_pages_show_make_cached_pages_stale(
        photo_article, django_capture_on_commit_callbacks):
    from samizdat.site.pagecache import _read_version

    before = _read_version()
    with django_capture_on_commit_callbacks(execute=True):
        unused = make_photo(40)
        unused.caption = "Not in any article yet"
        unused.save()
    assert _read_version() == before  # uploads all day long keep the cache warm
    with django_capture_on_commit_callbacks(execute=True):
        photo_article.hero_photo.caption = "A new caption"
        photo_article.hero_photo.save()
    assert _read_version() != before


def test_a_photo_placed_in_a_text_is_tracked_refreshes_its_page_and_cannot_be_deleted(
        make_article, editor, django_capture_on_commit_callbacks):
    from django.db.models import ProtectedError

    from samizdat.photos.models import PlacedPhoto
    from samizdat.site.pagecache import _read_version

    placed = make_photo(50)
    article = make_article(status="draft",
                           body=f"<p>Text.</p><p>[photo {placed.pk}]</p><p>[photo 999999]</p>")
    assert list(PlacedPhoto.objects.values_list("article_id", "photo_id")) == [
        (article.pk, placed.pk)]  # the missing one is not recorded
    before = _read_version()
    with django_capture_on_commit_callbacks(execute=True):
        services.make_renditions(placed)  # the worker finishing
    assert _read_version() != before
    with pytest.raises(ProtectedError):
        placed.delete()
    article.body = "<p>The photo is gone from the text.</p>"
    article.save()  # as the admin's form does, before the edit action records it
    newsroom.save_article(article, editor)
    assert not PlacedPhoto.objects.exists()
    placed.delete()
