"""The newsroom's logo: uploaded in the settings, made safe and small, shown in the masthead."""

import io
import re

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from samizdat.newsroom.models import SiteSettings


def _jpeg_with_gps(size=(1200, 400)) -> bytes:
    image = Image.new("RGB", size, (180, 20, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (53.0, 54.0, 0.0)}  # GPS latitude: where the designer sat
    exif[0x010F] = "CameraMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _form(settings: SiteSettings, **changes) -> dict:
    data = {"edition": settings.edition_id, "contact_email": settings.contact_email,
            "contacts": settings.contacts, "support_text": settings.support_text,
            "campaign_text": settings.campaign_text, "campaign_url": settings.campaign_url}
    data.update(changes)
    return data


def _masthead(client) -> str:
    html = client.get("/en/").content.decode()
    return re.search(r'<p class="brand">.*?</p>', html, re.S).group(0)


def test_an_uploaded_logo_replaces_the_letter_without_its_metadata(
        signed_in, scaffold, client, django_capture_on_commit_callbacks):
    admin, = signed_in("administrator")
    settings = SiteSettings.objects.get(edition=scaffold["editions"]["en"])
    url = f"/admin/newsroom/sitesettings/{settings.pk}/change/"
    assert '<span class="logo" aria-hidden="true">' in _masthead(client)

    upload = SimpleUploadedFile("logo.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, _form(settings, logo=upload))
    assert response.status_code == 302, response.content.decode()[:2000]

    settings.refresh_from_db()
    stored = default_storage.open(settings.logo.name).read()
    image = Image.open(io.BytesIO(stored))
    # Twice the masthead's 48 px, the shape kept, re-encoded with nothing but pixels.
    assert (image.format, image.size) == ("PNG", (288, 96))
    assert SiteSettings.objects.filter(pk=settings.pk).values_list(
        "logo_width", "logo_height").get() == (288, 96)  # stored, not read from the file
    assert b"CameraMaker" not in stored and not image.getexif()
    masthead = _masthead(client)
    assert (f'<img class="logo-image" src="/media/{settings.logo.name}" width="288" '
            'height="96" alt="">') in masthead
    assert '<span class="name">' in masthead and 'class="logo"' not in masthead
    # Another edition keeps its letter.
    assert 'class="logo-image"' not in client.get("/ru/").content.decode()

    # Cleared: the letter is back and the file is gone.
    first = settings.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, _form(settings, **{"logo-clear": "on"}))
    assert response.status_code == 302
    assert not default_storage.exists(first)
    assert '<span class="logo" aria-hidden="true">' in _masthead(client)


def test_a_file_that_is_no_image_is_refused_and_nothing_changes(signed_in, scaffold, client):
    admin, = signed_in("administrator")
    settings = SiteSettings.objects.get(edition=scaffold["editions"]["en"])
    url = f"/admin/newsroom/sitesettings/{settings.pk}/change/"
    for name, data in (("logo.png", b"<svg onload=alert(1)></svg>"),
                       ("logo.png", _jpeg_with_gps()[:300])):
        upload = SimpleUploadedFile(name, data, content_type="image/png")
        response = admin.post(url, _form(settings, campaign_text="Changed", logo=upload))
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
    settings.refresh_from_db()
    assert not settings.logo and settings.campaign_text == ""
    assert not default_storage.exists("logos")
    assert '<span class="logo" aria-hidden="true">' in _masthead(client)
