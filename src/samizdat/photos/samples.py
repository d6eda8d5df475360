"""Generated photos that carry what a phone writes into a real one: camera EXIF, GPS, XMP
and IPTC. The demo uploads them, so every demo site exercises the stripping; the tests use
them to prove it. The marks below must never reach a stored file."""

import io
import math
import random

from PIL import Image, ImageDraw

SERIAL = "SN-4471-XK-9920"
OWNER = "Ales Ownername"
ARTIST = "Hanna Photographer-Private"
XMP_MARK = "xmp-secret-location-Minsk"
IPTC_MARK = "iptc-byline-Secret"
# Kastryčnickaja square, Minsk: where a protest photo would give its author away.
LATITUDE = (53.0, 54.0, 12.5)
LONGITUDE = (27.0, 33.0, 41.2)
MARKS = (SERIAL, OWNER, ARTIST, XMP_MARK, IPTC_MARK, "Exif\x00", "x:xmpmeta",
         "Photoshop 3.0")

XMP = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    f'exif:GPSLatitude="53,54.2N" exif:GPSLongitude="27,33.7E" exif:Note="{XMP_MARK}"/>'
    '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def exif(orientation: int = 1) -> Image.Exif:
    data = Image.Exif()
    data[0x010F] = "Samizdat Phone"  # Make
    data[0x0110] = "Model X 12"  # Model
    data[0x013B] = ARTIST  # Artist
    data[0x0112] = orientation
    camera = data.get_ifd(0x8769)
    camera[0xA430] = OWNER  # CameraOwnerName
    camera[0xA431] = SERIAL  # BodySerialNumber
    gps = data.get_ifd(0x8825)
    gps.update({1: "N", 2: LATITUDE, 3: "E", 4: LONGITUDE})
    return data


def iptc_segment() -> bytes:
    """An APP13 Photoshop segment with an IPTC by-line, as newsroom cameras write it."""
    value = IPTC_MARK.encode()
    record = b"\x1c\x02\x50" + len(value).to_bytes(2, "big") + value  # 2:80 By-line
    block = b"8BIM\x04\x04\x00\x00" + len(record).to_bytes(4, "big") + record
    if len(record) % 2:
        block += b"\x00"
    payload = b"Photoshop 3.0\x00" + block
    return b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload


def picture(width: int, height: int, seed: int = 0, grain: int = 0) -> Image.Image:
    """A colourful scene (sky, hills, sun, a crowd of dots); `grain` adds sensor noise of
    that strength, so that it compresses as badly as a real photo does."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((width, height))
    hue = rng.randrange(256)
    image = Image.merge("RGB", (image.point(lambda v: (v + hue) % 256),
                                image.point(lambda v: 255 - v // 2),
                                image.point(lambda v: 128 + v // 2)))
    draw = ImageDraw.Draw(image)
    for k in range(3):
        base = height * (0.55 + 0.12 * k)
        points = [(x, base + math.sin(x / width * 6 + k + seed) * height * 0.08)
                  for x in range(0, width + 40, 40)]
        draw.polygon([*points, (width, height), (0, height)],
                     fill=(40 + 40 * k, 90 + 30 * k, 50 + 20 * k))
    r = min(width, height) // 10
    draw.ellipse((width * 0.7, height * 0.1, width * 0.7 + r, height * 0.1 + r),
                 fill=(255, 220, 120))
    for _ in range(width * height // 4000):
        x, y = rng.randrange(width), rng.randrange(height // 2, height)
        draw.ellipse((x, y, x + 6, y + 9), fill=tuple(rng.randrange(256) for _ in range(3)))
    if grain:
        # Texture at every scale, as in a real scene (leaves, faces, asphalt) and its noise.
        for step in (64, 16, 4, 1):
            noise = Image.effect_noise((max(1, width // step), max(1, height // step)), grain)
            noise = noise.resize((width, height), Image.Resampling.BICUBIC).convert("RGB")
            image = Image.blend(image, noise, 0.12)
    return image


def jpeg(width=1600, height=1067, seed=0, orientation=1, quality=88, grain=0) -> bytes:
    """A JPEG as a phone writes it: EXIF with GPS, serial and owner, XMP, and IPTC."""
    out = io.BytesIO()
    picture(width, height, seed, grain).save(out, "JPEG", quality=quality,
                                      exif=exif(orientation).tobytes(), xmp=XMP.encode())
    data = out.getvalue()
    return data[:2] + iptc_segment() + data[2:]


def png(width=800, height=600, seed=0, alpha=False) -> bytes:
    from PIL import PngImagePlugin

    image = picture(width, height, seed)
    if alpha:
        image.putalpha(Image.linear_gradient("L").resize((width, height)))
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP)
    info.add_text("Author", ARTIST)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif().tobytes())
    return out.getvalue()


def webp(width=800, height=600, seed=0) -> bytes:
    out = io.BytesIO()
    picture(width, height, seed).save(out, "WEBP", quality=80, exif=exif().tobytes(),
                                      xmp=XMP.encode())
    return out.getvalue()


def heic(width=800, height=600, seed=0) -> bytes:
    from .images import read_heif

    read_heif()
    out = io.BytesIO()
    picture(width, height, seed).save(out, "HEIF", quality=80, exif=exif().tobytes(),
                                      xmp=XMP.encode())
    return out.getvalue()
