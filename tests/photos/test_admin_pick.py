"""The article editor's photo dialog: the library searched and paged with a bounded query,
placed photos looked up by number, and an upload through the library's own checks."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samizdat.newsroom.models import AuditEntry
from samizdat.photos import samples
from samizdat.photos.admin import PICK_PAGE
from samizdat.photos.models import Photo, new_key
from tests.conftest import sign_in
from tests.photos.test_pages import make_photo

PICK = "/admin/photos/photo/pick/"
UPLOAD = "/admin/photos/photo/pick/upload/"


def library(count: int, **fields) -> list[Photo]:
    """`count` photos, each a row like an upload's (only the first is really decoded)."""
    first = make_photo(0, **fields)
    rows = [Photo(key=new_key(), original=first.original, format=first.format,
                  source_format=first.source_format, width=first.width, height=first.height,
                  size=first.size, renditions=first.renditions, name=f"photo {i}",
                  caption=first.caption, alt_text=first.alt_text)
            for i in range(1, count)]
    return [first, *Photo.objects.bulk_create(rows)]


def test_the_library_pages_newest_first_with_a_cursor(client, contributor):
    sign_in(client, contributor)
    photos = library(PICK_PAGE + 5)
    first = client.get(PICK).json()
    assert [r["id"] for r in first["results"]] == sorted((p.pk for p in photos),
                                                         reverse=True)[:PICK_PAGE]
    row = first["results"][0]
    newest = Photo.objects.get(pk=row["id"])
    assert row["code"] == f"[photo {newest.pk}]" and row["thumb"] == newest.preview_url()
    assert row["change_url"].endswith(f"/admin/photos/photo/{newest.pk}/change/")
    rest = client.get(PICK, {"before": first["next"]}).json()
    assert len(rest["results"]) == 5 and rest["next"] is None
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in rest["results"])


def test_search_and_lookup_by_number(client, editor):
    sign_in(client, editor)
    march = make_photo(1, name="march", caption="Marchers on the avenue")
    other = make_photo(2, name="court", credit="Photo: Readers")
    found = client.get(PICK, {"q": "avenue"}).json()["results"]
    assert [r["id"] for r in found] == [march.pk]
    assert [r["id"] for r in client.get(PICK, {"q": "readers"}).json()["results"]] == [other.pk]
    assert client.get(PICK, {"q": "nothing like it"}).json() == {"results": [], "next": None}
    # The editor's preview asks for the photos its text places; unknown numbers are left out.
    asked = client.get(PICK, {"ids": f"{march.pk},{other.pk},999999,x"}).json()["results"]
    assert {r["id"] for r in asked} == {march.pk, other.pk}


def test_a_page_costs_the_same_queries_whatever_the_library_holds(
        client, editor, django_assert_num_queries, django_assert_max_num_queries):
    sign_in(client, editor)
    library(3)
    client.get(PICK)  # the session and the user, as on any admin page
    with django_assert_max_num_queries(10) as small:
        client.get(PICK, {"q": "photo"})
    library(PICK_PAGE * 3)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get(PICK, {"q": "photo"}).json()["results"]) == PICK_PAGE


def test_uploading_from_the_dialog(client, contributor):
    sign_in(client, contributor)
    answer = client.post(UPLOAD, {
        "files": SimpleUploadedFile("square.jpg", samples.jpeg(900, 600, seed=4), "image/jpeg"),
        "caption": "The square at noon", "credit": "Photo: Desk", "alt_text": "A square"})
    assert answer.status_code == 201
    photo = Photo.objects.get(pk=answer.json()["id"])
    assert (photo.name, photo.caption, photo.credit, photo.alt_text, photo.uploaded_by) == (
        "square", "The square at noon", "Photo: Desk", "A square", contributor)
    assert answer.json()["code"] == f"[photo {photo.pk}]"
    assert AuditEntry.objects.filter(action="create", object_id=str(photo.pk)).exists()
    refused = client.post(UPLOAD, {"files": SimpleUploadedFile(
        "invoice.jpg", b"%PDF-1.4 not a photo", "image/jpeg")})
    assert refused.status_code == 400 and "invoice.jpg" in refused.json()["errors"][0]
    assert client.get(UPLOAD).status_code == 405
    assert Photo.objects.count() == 1


@pytest.mark.parametrize("url", [PICK, UPLOAD])
def test_only_staff_who_may_see_the_library_ask_it(client, url, moderator_without_photos):
    assert client.get(url).status_code == 302  # signed out: the sign-in page
    sign_in(client, moderator_without_photos)
    assert client.post(url).status_code == 403


@pytest.fixture
def moderator_without_photos(staff):
    """A staff member whose role has nothing to do with photos."""
    user = staff["moderator"]
    assert not user.has_perm("photos.view_photo") and not user.has_perm("photos.add_photo")
    return user
