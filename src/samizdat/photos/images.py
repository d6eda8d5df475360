"""Image work with Pillow: refusing hostile files, stripping metadata, making renditions.

Nothing here touches the database or storage: bytes in, bytes out. An upload is never kept
as it came: its pixels are decoded, turned upright, converted to sRGB and encoded again
with no metadata at all, so no EXIF (GPS, serial numbers, owner names), XMP, IPTC, comment
or trailing payload can survive into a stored file.
"""

import functools
import io
import re
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# What editors may upload, by what the bytes say (Pillow's format names), never by the name.
ACCEPTED = ("JPEG", "PNG", "WEBP", "HEIF", "AVIF")
# Markup or archives inside an image file: the signature of a polyglot (a file that is also
# an HTML page, a script or a JAR). Seven lowercase bytes in a row do not occur by chance.
POLYGLOT = re.compile(rb"<(?:script|html|svg|iframe|object|body|\?php|!doctype)[\s>/]",
                      re.IGNORECASE)
ARCHIVE = b"PK\x03\x04"

MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif"}
EXTENSION = {"jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif"}
ENCODE = {
    # Quality per format, chosen to look alike at the widths readers see.
    "jpeg": {"format": "JPEG", "quality": 80, "optimize": True, "progressive": True},
    "png": {"format": "PNG", "optimize": True},
    "webp": {"format": "WEBP", "quality": 75, "method": 4},
    "avif": {"format": "AVIF", "quality": 60, "speed": 8},
}
ORIGINAL_QUALITY = 92
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass
class Cleaned:
    """An upload made safe: the re-encoded original and what the library records of it."""

    data: bytes
    format: str  # jpeg, png or webp: the stored original's format
    width: int
    height: int
    source_format: str  # what the upload was (Pillow's name)
    has_alpha: bool


# The kept original's longest side: four times the widest rendition, room for any crop a
# page will ask of it. A larger upload is decoded at a fraction of its size where the format
# allows (JPEG, by 1/2, 1/4, 1/8) and reduced at once otherwise, so a 100-megapixel photo
# never sits in a worker's memory more than once at full size (1.27 GB peak before).
MAX_SIDE = 6400
# Wider or taller than this is no photo, however few its pixels (a 50,000,000x2 PNG took
# 12 s to take apart).
MAX_ASPECT = 20


def clean(data: bytes, *, max_bytes: int, max_pixels: int) -> Cleaned:
    """Check an upload and return it re-encoded without metadata, or raise ValidationError."""
    if not data:
        raise ValidationError(_("The file is empty."))
    if len(data) > max_bytes:
        raise ValidationError(
            _("The file is %(size)s MB; photos may be at most %(limit)s MB.")
            % {"size": round(len(data) / 2**20, 1), "limit": max_bytes // 2**20})
    image = _open(data, max_pixels)
    if POLYGLOT.search(data):
        raise ValidationError(_("The file contains web page or script code as well as an "
                                "image; it was refused."))
    trailer = _trailer(data, image.format)
    if ARCHIVE in trailer:
        raise ValidationError(_("The file carries an archive after the image; it was "
                                "refused."))
    source = image.format
    try:
        image = _decoded(image)
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(_("The image is damaged or incomplete (%(detail)s).")
                              % {"detail": str(error)[:120]}) from error
    upright = _pixels(image)
    del image
    if max(upright.size) > MAX_SIDE:
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    fmt = {"PNG": "png", "WEBP": "webp"}.get(source, "jpeg")
    alpha = upright.mode == "RGBA"
    if fmt == "jpeg" and alpha:
        fmt = "png"
    out = encode(upright, fmt, quality=ORIGINAL_QUALITY)
    return Cleaned(out, fmt, upright.width, upright.height, source, alpha)


@functools.cache
def read_heif() -> None:
    """Phones send HEIC; with this opener Pillow reads it like any other format. Registered
    when an upload is first opened, not at start-up: its libraries cost each reader
    worker 7 MB it never uses."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _open(data: bytes, max_pixels: int) -> Image.Image:
    read_heif()
    # Pillow refuses more than twice this outright; between once and twice, the check
    # below says how many megapixels are allowed.
    Image.MAX_IMAGE_PIXELS = max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED)
        except UnidentifiedImageError as error:
            raise ValidationError(_("This is not a photo Samizdat can take: upload a JPEG, "
                                    "PNG, WebP or HEIC image.")) from error
        except Image.DecompressionBombError as error:
            raise ValidationError(_("The image declares too many pixels; it was refused as "
                                    "a possible decompression bomb.")) from error
        except (OSError, SyntaxError, ValueError) as error:
            raise ValidationError(_("The image is damaged or incomplete (%(detail)s).")
                                  % {"detail": str(error)[:120]}) from error
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise ValidationError(
            _("The image is %(w)s×%(h)s pixels; photos may have at most %(limit)s megapixels.")
            % {"w": width, "h": height, "limit": max_pixels // 1_000_000})
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise ValidationError(
            _("The image is %(w)s×%(h)s pixels: no photo is more than %(n)s times as wide as "
              "it is tall, or as tall as it is wide.")
            % {"w": width, "h": height, "n": MAX_ASPECT})
    if getattr(image, "n_frames", 1) > 1 and image.format != "HEIF":
        raise ValidationError(_("Animated images are not photos; upload a single frame."))
    return image


def _decoded(image: Image.Image) -> Image.Image:
    """The pixels, at no more than about MAX_SIDE on the longest side where that saves
    memory: JPEG decodes at a fraction of its size directly; other formats are reduced by a
    whole factor right after decoding (the full size lives only that long)."""
    longest = max(image.size)
    if longest <= MAX_SIDE:
        image.load()
        return image
    if image.format == "JPEG":
        # Draft picks the smallest scale (1/2, 1/4, 1/8) that is still at least the size
        # asked for: asking for half of MAX_SIDE gets between that and MAX_SIDE.
        scale = MAX_SIDE / 2 / longest
        image.draft(image.mode, (max(1, int(image.width * scale)),
                                 max(1, int(image.height * scale))))
        image.load()
        return image
    image.load()
    factor = longest // MAX_SIDE
    if factor < 2:
        return image
    reduced = image.reduce(factor)
    reduced.info = image.info  # the ICC profile and the orientation still apply
    return reduced


def _trailer(data: bytes, fmt: str) -> bytes:
    """The bytes after the image's own end marker, where polyglots hide their payload."""
    if fmt == "JPEG":
        end = data.rfind(b"\xff\xd9")
        return data[end + 2:] if end >= 0 else b""
    if fmt == "PNG":
        end = data.rfind(b"IEND")
        return data[end + 8:] if end >= 0 else b""
    if fmt == "WEBP" and len(data) >= 8:
        return data[8 + int.from_bytes(data[4:8], "little"):]
    return b""


def _pixels(image: Image.Image) -> Image.Image:
    """Upright sRGB pixels in RGB or RGBA, with no metadata attached."""
    upright = ImageOps.exif_transpose(image)
    icc = image.info.get("icc_profile")
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info)
    mode = "RGBA" if has_alpha else "RGB"
    if upright.mode == "CMYK" or upright.mode.startswith("I;16"):
        upright = upright.convert("RGB")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            upright = ImageCms.profileToProfile(upright.convert(mode), source, _SRGB,
                                                outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: keep the pixels as they are
    clean_image = upright.convert(mode) if upright.mode != mode else upright.copy()
    clean_image.info = {}
    if has_alpha and clean_image.getextrema()[3][0] == 255:
        clean_image = clean_image.convert("RGB")  # an alpha channel with nothing in it
    return clean_image


def encode(image: Image.Image, fmt: str, quality: int | None = None) -> bytes:
    """`image` in `fmt`, with nothing but pixels: no EXIF, XMP, ICC or comment is written."""
    options = dict(ENCODE[fmt])
    if quality and "quality" in options:
        options["quality"] = quality
    if options["format"] == "JPEG" and image.mode != "RGB":
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A") if image.mode == "RGBA" else None)
        image = background
    image.info = {}
    out = io.BytesIO()
    image.save(out, exif=b"", **options)
    return out.getvalue()


def load(data: bytes, width: int | None = None) -> Image.Image:
    """A stored original, decoded at no more than about `width` pixels where the format
    allows (JPEG decodes at 1/2, 1/4 or 1/8 scale directly, far faster than full size)."""
    image = Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "WEBP"))
    if width and image.format == "JPEG" and width < image.width:
        image.draft("RGB", (width, max(1, image.height * width // image.width)))
    image.load()
    return image


def resize(image: Image.Image, width: int) -> Image.Image:
    if width >= image.width:
        return image.copy()
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def crop(image: Image.Image, width: int, ratio: float, focal: tuple[float, float]
         ) -> Image.Image:
    """A `ratio` (width/height) crop of `image` that keeps the focal point in view."""
    source_ratio = image.width / image.height
    if source_ratio > ratio:
        box_w, box_h = round(image.height * ratio), image.height
    else:
        box_w, box_h = image.width, round(image.width / ratio)
    left = min(max(0, round(focal[0] * image.width - box_w / 2)), image.width - box_w)
    top = min(max(0, round(focal[1] * image.height - box_h / 2)), image.height - box_h)
    cut = image.crop((left, top, left + box_w, top + box_h))
    return resize(cut, min(width, cut.width))
