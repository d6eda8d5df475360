"""Photos and videos inside an article's text, and the <picture> markup every page uses."""

import re
from urllib.parse import parse_qs, urlsplit

from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import Photo
from .services import SHORTCODE

# A paragraph holding only a shortcode, a bare video address, or a link to one.
PLACED = re.compile(r"<p>\s*\[photo\s+(\d{1,12})\]\s*</p>")
VIDEO = re.compile(
    r'<p>\s*(?:<a href="(?P<link>https?://[^"]+)"[^>]*>[^<]*</a>|(?P<bare>https?://\S+?))'
    r"\s*</p>")
YOUTUBE_ID = re.compile(r"^[\w-]{6,20}$")
VIMEO_ID = re.compile(r"^\d{4,12}$")

HERO_SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
THUMB_SIZES = "8rem"
LEAD_SIZES = "(min-width: 48rem) 32rem, calc(100vw - 2rem)"


def picture(photo: Photo, sizes: str = HERO_SIZES, thumb: bool = False,
            lazy: bool = True) -> SafeString:
    """A <picture> with modern formats first, the fallback last, and its size reserved.

    A list thumbnail sits beside its headline's link, which says it all: it is decorative
    (empty alternative text), so screen readers do not read each story twice.
    """
    sources = photo.sources(thumb=thumb)
    if not sources:
        return mark_safe("")  # noqa: S308 - an empty string
    modern = format_html_join(
        "", '<source type="{}" srcset="{}" sizes="{}">',
        ((mime, srcset, sizes) for mime, srcset in sources["modern"]))
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}>'
        "</picture>",
        modern, sources["src"], sources["srcset"], sizes, sources["width"],
        sources["height"], "" if thumb else photo.alt_text,
        mark_safe(' loading="lazy" decoding="async"') if lazy else "",  # noqa: S308
    )


def figure(photo: Photo, caption: str = "", lazy: bool = True, link: bool = False
           ) -> SafeString:
    """A photo with its caption and credit; `link` makes it open at full size."""
    text = caption or photo.caption
    image = picture(photo, lazy=lazy)
    if link:
        image = format_html('<a href="{}">{}</a>', photo.get_absolute_url(), image)
    credit = format_html('<span class="credit">{}</span>', photo.credit) if photo.credit else ""
    if not (text or credit):
        return format_html('<figure class="photo">{}</figure>', image)
    return format_html('<figure class="photo">{}<figcaption>{} {}</figcaption></figure>',
                       image, text, credit)


def video_link(address: str) -> tuple[str, str] | None:
    """(host name, clean address) of a YouTube or Vimeo video, or None for anything else."""
    parts = urlsplit(address.replace("&amp;", "&"))
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    if host in ("youtube.com", "youtube-nocookie.com"):
        ident = parse_qs(parts.query).get("v", [""])[0]
        if not ident and parts.path.startswith(("/shorts/", "/embed/", "/live/")):
            ident = parts.path.split("/")[2]
        if YOUTUBE_ID.match(ident):
            return "YouTube", f"https://www.youtube.com/watch?v={ident}"
    elif host == "youtu.be":
        ident = parts.path.strip("/")
        if YOUTUBE_ID.match(ident):
            return "YouTube", f"https://www.youtube.com/watch?v={ident}"
    elif host in ("vimeo.com", "player.vimeo.com"):
        ident = parts.path.rstrip("/").rsplit("/", 1)[-1]
        if VIMEO_ID.match(ident):
            return "Vimeo", f"https://vimeo.com/{ident}"
    return None


def photo_link(photo: Photo, caption: str = "") -> SafeString:
    """For the lite edition: a link to the photo instead of the photo."""
    text = caption or photo.caption or photo.alt_text
    return format_html('<p class="photo-link"><a href="{}">{}</a>{}</p>',
                       photo.get_absolute_url(), _("Photo"),
                       format_html(": {}", text) if text else "")


def _video_link(match: re.Match) -> str:
    found = video_link(match.group("link") or match.group("bare"))
    if found is None:
        return match.group(0)
    host, address = found
    return format_html('<p><a href="{}" rel="noopener noreferrer">{}</a></p>', address,
                       _("Watch the video on %(host)s") % {"host": host})


def _video(match: re.Match) -> str:
    found = video_link(match.group("link") or match.group("bare"))
    if found is None:
        return match.group(0)
    host, address = found
    return format_html(
        '<figure class="video"><a href="{}" rel="noopener noreferrer">'
        '<img src="{}" alt="" width="640" height="360"><span>{}</span></a></figure>',
        address, static("site/video.svg"),
        _("Watch the video on %(host)s") % {"host": host})


def render_body(html: str, photos: dict[int, Photo], lite: bool = False) -> SafeString:
    """The stored (sanitised) text with its placed photos and videos made into figures.

    Videos become a local placeholder and a link: nothing is loaded from the video host
    until the reader follows it. In the lite edition both are plain links.
    """
    show = photo_link if lite else figure
    if "[photo" in html:
        def place(match):
            photo = photos.get(int(match.group(1)))
            return show(photo) if photo else ""
        html = PLACED.sub(place, html)
        html = SHORTCODE.sub("", html)  # one not alone on its paragraph: dropped, not shown
    if "youtu" in html or "vimeo" in html:
        html = VIDEO.sub(_video_link if lite else _video, html)
    return mark_safe(html)  # noqa: S308 - sanitised when stored; the figures are escaped

