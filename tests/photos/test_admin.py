"""The photo library in the admin: several uploads at once, bad files named, the report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samizdat.newsroom.models import Article
from samizdat.photos import samples
from samizdat.photos.models import GalleryItem, Photo
from tests.conftest import sign_in
from tests.photos.test_pages import make_photo

UPLOAD = "/admin/photos/photo/add/"


@pytest.fixture(autouse=True)
def _english_admin(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_a_contributor_uploads_several_photos_and_a_bad_one_is_named(client, contributor):
    sign_in(client, contributor)
    assert client.get(UPLOAD).status_code == 200
    files = [
        SimpleUploadedFile("march.jpg", samples.jpeg(900, 600, seed=1), "image/jpeg"),
        SimpleUploadedFile("square.heic", samples.heic(600, 400), "image/heic"),
        SimpleUploadedFile("invoice.jpg", b"%PDF-1.4 not a photo", "image/jpeg"),
    ]
    response = client.post(UPLOAD, {"files": files, "credit": "Photo: Readers",
                                    "alt_text": ""})
    html = response.content.decode()
    assert response.status_code == 200  # back to the form, which names the failure
    assert "invoice.jpg: This is not a photo" in html and "2 photos added" in html
    assert sorted(Photo.objects.values_list("name", flat=True)) == ["march", "square"]
    assert set(Photo.objects.values_list("credit", flat=True)) == {"Photo: Readers"}
    assert all(p.uploaded_by == contributor for p in Photo.objects.all())

    changelist = client.get("/admin/photos/photo/?q=march&alt=missing").content.decode()
    march = Photo.objects.get(name="march")
    assert f"[photo {march.pk}]" in changelist and "square" not in changelist
    page = client.get(f"/admin/photos/photo/{march.pk}/change/")
    assert page.status_code == 200 and march.preview_url() in page.content.decode()


def test_publishing_a_report_with_a_photo_without_alt_text_is_refused_in_the_form(
        client, editor, scaffold):
    sign_in(client, editor)
    bare = make_photo(3, alt="")
    data = {
        "edition": scaffold["editions"]["en"].pk, "headline": "Report", "slug": "report",
        "lead": "", "body": "<p>Text</p>", "section": scaffold["sections"]["en"][0].pk,
        "comment_policy": "default", "is_photo_report": "on",
        "bylines-TOTAL_FORMS": "0", "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0", "bylines-MAX_NUM_FORMS": "1000",
        "gallery-TOTAL_FORMS": "1", "gallery-INITIAL_FORMS": "0",
        "gallery-MIN_NUM_FORMS": "0", "gallery-MAX_NUM_FORMS": "1000",
        "gallery-0-photo": bare.pk, "gallery-0-position": "0", "gallery-0-caption": "Police",
        "telegram_post-TOTAL_FORMS": "0", "telegram_post-INITIAL_FORMS": "0",
        "email_alert-TOTAL_FORMS": "0", "email_alert-INITIAL_FORMS": "0",
        "_publish": "Publish",
    }
    response = client.post("/admin/newsroom/article/add/", data)
    assert response.status_code == 200
    assert "Write the alternative text of every photo" in response.content.decode()
    assert not Article.objects.exists()
    bare.alt_text = "Police line"
    bare.save()
    response = client.post("/admin/newsroom/article/add/", data)
    assert response.status_code == 302
    article = Article.objects.get(slug="report")
    assert article.status == "published"
    assert list(GalleryItem.objects.filter(article=article).values_list("caption", flat=True)
                ) == ["Police"]


def test_moving_the_focal_point_queues_new_thumbnails(client, editor):
    from django_tasks_db.models import DBTaskResult

    sign_in(client, editor)
    photo = make_photo(4)
    response = client.post(f"/admin/photos/photo/{photo.pk}/change/", {
        "name": photo.name, "caption": "", "credit": "", "alt_text": photo.alt_text,
        "focal_x": "0.2", "focal_y": "0.5"})
    assert response.status_code == 302
    assert DBTaskResult.objects.filter(task_path__endswith="make_renditions",
                                       args_kwargs__args=[photo.pk]).exists()
