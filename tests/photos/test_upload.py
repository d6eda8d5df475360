"""Uploads: metadata stripped from JPEG, PNG, WebP and HEIC; hostile files refused cleanly."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from samizdat.photos import samples, services
from samizdat.photos.models import Photo

pytestmark = pytest.mark.django_db


def stored_files(photo: Photo) -> dict[str, bytes]:
    _dirs, names = default_storage.listdir(photo.folder)
    out = {}
    for name in names:
        with default_storage.open(f"{photo.folder}/{name}", "rb") as f:
            out[name] = f.read()
    return out


def assert_clean(data: bytes, label: str) -> Image.Image:
    leaked = [m for m in samples.MARKS if m.encode() in data]
    assert not leaked, f"{label} still carries {leaked}"
    image = Image.open(io.BytesIO(data))
    assert not dict(image.getexif()), f"{label} has EXIF"
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "photoshop", "icc_profile", "Author",
                "comment"):
        assert key not in image.info, f"{label} has {key}"
    return image


@pytest.mark.parametrize("kind, upload, stored_as", [
    ("jpeg", samples.jpeg, "jpeg"),
    ("png", samples.png, "png"),
    ("webp", samples.webp, "webp"),
    ("heic", samples.heic, "jpeg"),
])
def test_metadata_is_stripped_from_the_original_and_every_rendition(kind, upload, stored_as):
    data = upload()
    # The sample really does carry what a phone writes.
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(0x8825)[2] == samples.LATITUDE
    assert samples.SERIAL.encode() in data and samples.XMP_MARK.encode() in data

    photo = services.ingest(data, name=f"IMG_0001.{kind}", make_renditions=False)
    services.make_renditions(photo)
    files = stored_files(photo)
    assert photo.format == stored_as
    made = photo.renditions
    assert made["widths"] == [w for w in (480, 800, 1200, 1600) if w < photo.width] + [
        min(photo.width, 1600)]
    assert made["formats"] == ["webp", photo.fallback] and made["thumbs"] == [240, 480]
    # Every width and thumbnail in both formats, and the original: nothing else.
    assert len(files) == (len(made["widths"]) + 2) * 2 + 1, sorted(files)
    for name, content in files.items():
        image = assert_clean(content, f"{kind}: {name}")
        assert image.width <= photo.width
    assert "IMG_0001" not in "".join(files) and "IMG_0001" not in photo.original


def test_orientation_is_applied_before_the_tags_go():
    # Stored sideways with "rotate 90°" in EXIF, as phones do: the photo must stay upright.
    photo = services.ingest(samples.jpeg(900, 600, orientation=6), make_renditions=False)
    assert (photo.width, photo.height) == (600, 900)
    services.make_renditions(photo)
    thumb = Image.open(default_storage.open(photo.rendition_name(480, "jpeg")))
    assert thumb.height > thumb.width


def test_transparent_png_keeps_its_alpha_and_falls_back_to_png():
    photo = services.ingest(samples.png(alpha=True), make_renditions=False)
    services.make_renditions(photo)
    assert photo.has_alpha and photo.fallback == "png"
    assert Image.open(default_storage.open(photo.rendition_name(480, "png"))).mode == "RGBA"


def test_a_png_named_jpg_is_taken_for_what_it_is():
    photo = services.ingest(samples.png(), name="holiday.jpg", make_renditions=False)
    assert photo.format == "png" and photo.original.endswith(".png")


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas: a decompression bomb's shape."""
    raw = zlib.compress(b"\x00" * 64)

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw)
            + chunk(b"IEND", b""))


def _zip() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("Exploit.class", b"\xca\xfe\xba\xbe")
    return out.getvalue()


HOSTILE = {
    "empty": (b"", "empty"),
    "html named .jpg": (b"<!doctype html><html><script>alert(1)</script></html>", "not a photo"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "not a photo"),
    "text": (b"just some words, not an image at all", "not a photo"),
    "truncated jpeg": (samples.jpeg(800, 600)[:6000], "damaged or incomplete"),
    "decompression bomb": (_png_declaring(50000, 50000), "decompression bomb"),
    "too many megapixels": (_png_declaring(12000, 10000), "megapixels"),
    "jpeg + html polyglot": (samples.jpeg(400, 300) + b"<html><script>alert(1)</script>",
                             "script code"),
    "jpeg + jar polyglot": (samples.jpeg(400, 300) + _zip(), "archive"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not a photo"),
    "absurd aspect ratio": (_png_declaring(50_000_000, 2), "times as wide"),
}


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_files_are_refused_with_a_clear_message_and_leave_nothing(label, settings):
    data, phrase = HOSTILE[label]
    with pytest.raises(ValidationError) as caught:
        services.ingest(data, name="photo.jpg")
    assert phrase in " ".join(caught.value.messages)
    assert not Photo.objects.exists()
    assert not (settings.MEDIA_ROOT / "photos").exists() or not any(
        p.is_file() for p in (settings.MEDIA_ROOT / "photos").rglob("*"))


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded(settings):
    settings.PHOTO_MAX_MB = 1
    with pytest.raises(ValidationError, match="at most 1 MB"):
        services.ingest(samples.jpeg(400, 300) + b"\0" * (2**20))
    upload = io.BytesIO(b"x" * (2**20 + 10))
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        services.read_upload(upload)


def test_a_failure_after_the_files_are_written_removes_them(monkeypatch, settings):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")
    monkeypatch.setattr(Photo, "save", broken_save)
    with pytest.raises(RuntimeError):
        services.ingest(samples.jpeg(600, 400))
    assert not any(p.is_file() for p in (settings.MEDIA_ROOT).rglob("*"))


def test_avif_renditions_when_configured_come_first_and_carry_nothing(settings):
    from samizdat.photos.embeds import picture

    settings.PHOTO_FORMATS = ("avif", "webp")
    photo = services.make_renditions(services.ingest(samples.jpeg(900, 600),
                                                     make_renditions=False))
    assert photo.renditions["formats"] == ["avif", "webp", "jpeg"]
    for name, content in stored_files(photo).items():
        assert_clean(content, name)
    html = str(picture(photo))
    assert html.index('type="image/avif"') < html.index('type="image/webp"') < html.index("<img")
    assert Image.open(default_storage.open(photo.rendition_name(480, "avif"))).format == "AVIF"


def test_a_fresh_worker_reads_heic_without_loading_it_at_start(tmp_path):
    """The HEIF opener is registered by the first upload, not by start-up (7 MB a worker)."""
    import os
    import subprocess
    import sys

    sample = tmp_path / "phone.heic"
    sample.write_bytes(samples.heic(320, 240))
    script = (
        "import sys, django; django.setup()\n"
        "assert 'pillow_heif' not in sys.modules, 'loaded at start-up'\n"
        "from samizdat.photos.images import clean\n"
        f"done = clean(open({str(sample)!r}, 'rb').read(), max_bytes=10**7, max_pixels=10**7)\n"
        "print(done.source_format, done.width, done.height)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samizdat.settings",
           "SAMIZDAT_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["HEIF", "320", "240"]


@pytest.mark.parametrize(("kind", "size"), [("jpeg", (12000, 8000)), ("png", (13000, 3000))])
def test_a_huge_photo_is_taken_in_bounded_memory(tmp_path, kind, size):
    """A 100-megapixel upload peaked at 1.27 GB in a worker (issue 22, finding 11): it is
    decoded at a fraction of its size (JPEG) or reduced at once, and kept at most MAX_SIDE."""
    import os
    import subprocess
    import sys

    from samizdat.photos.images import MAX_SIDE

    sample = tmp_path / f"huge.{kind}"
    Image.new("RGB", size, (90, 120, 150)).save(sample, format=kind.upper())
    script = (
        "import resource, django; django.setup()\n"
        "from samizdat.photos.images import clean\n"
        f"data = open({str(sample)!r}, 'rb').read()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "done = clean(data, max_bytes=10**9, max_pixels=10**8)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(done.width, done.height, (after - before) // 1024)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samizdat.settings",
           "SAMIZDAT_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    width, height, grown_mb = map(int, subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True,
        check=True).stdout.split())
    assert max(width, height) <= MAX_SIDE and width / height == pytest.approx(
        size[0] / size[1], rel=0.01)
    full = size[0] * size[1] * 3 / 2**20  # MB of the photo decoded at full size
    assert grown_mb < (0.5 if kind == "jpeg" else 1.6) * full, (grown_mb, full)


def test_renditions_made_again_never_leave_a_name_missing_for_a_reader(monkeypatch, client):
    """A reader (or nginx, or another machine) asking for a rendition while the task makes the
    renditions again gets the picture every time: never a 404, never a half-written file."""
    photo = services.make_renditions(services.ingest(samples.jpeg(1000, 700),
                                                     make_renditions=False))
    names = [photo.rendition_name(w, fmt) for w in photo.renditions["widths"]
             for fmt in photo.renditions["formats"]]
    answers = []
    encode = services.images.encode

    def encode_and_look(image, fmt):  # between two writes, as a reader would
        for name in names:
            response = client.get(photo.url(name))
            answers.append((name, response.status_code,
                            b"".join(response.streaming_content)[:3] if response.status_code == 200
                            else b""))
        return encode(image, fmt)

    monkeypatch.setattr(services.images, "encode", encode_and_look)
    services.make_renditions(Photo.objects.get(pk=photo.pk))
    assert len(answers) >= 2 * len(names)
    assert all(status == 200 for _name, status, _head in answers), \
        [a for a in answers if a[1] != 200][:3]
    assert all(head in (b"\xff\xd8\xff", b"RIF") for _n, _s, head in answers)
    # and nothing written beside the renditions is left in the folder
    _folders, files = default_storage.listdir(photo.folder)
    assert not [name for name in files if name.startswith(".")]
