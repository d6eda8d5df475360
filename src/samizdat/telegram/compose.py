"""What an article's message says: headline, lead and links as Telegram HTML, cut to
Telegram's limits (1024 characters under a photo, 4096 for text) at a word, never inside
a tag; and which of the platform's own renditions goes with it."""

import hashlib
import html
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096
# Telegram's photos are at most 1280 pixels wide when it re-encodes them: a wider file costs
# upload time and changes nothing readers see.
PHOTO_WIDTH = 1280
ELLIPSIS = "…"


@dataclass
class Message:
    text: str  # Telegram HTML
    photo: str | None  # a storage name of the photo's rendition, or None for a text post

    @property
    def kind(self) -> str:
        return "photo" if self.photo else "text"

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.photo}\n{self.text}".encode()).hexdigest()


def length(text: str) -> int:
    """Telegram counts UTF-16 code units: an emoji or a rare character counts twice."""
    return len(text.encode("utf-16-le")) // 2


def cut(text: str, budget: int) -> str:
    """`text` in at most `budget` units, ending at a word with an ellipsis if shortened."""
    if length(text) <= budget:
        return text
    if budget <= length(ELLIPSIS):
        return ""
    # A character is one or two units: start from as many characters as units allowed.
    kept = text[: budget - length(ELLIPSIS)]
    while length(kept) > budget - length(ELLIPSIS):
        kept = kept[:-1]
    space = kept.rfind(" ")
    if space > len(kept) // 2:
        kept = kept[:space]
    return kept.rstrip(" ,;:—–-") + ELLIPSIS


def links(article) -> list[tuple[str, str]]:
    """(label, address) of the article on the main site, then on the mirror or onion
    address when SAMIZDAT_TELEGRAM_SECOND_LINK asks for one."""
    path = article.get_absolute_url()
    found = [(_("Read on the website"), settings.SITE_URL + path)]
    second = settings.TELEGRAM_SECOND_LINK
    if second == "onion" and settings.ONION_ADDRESS:
        found.append((_("Onion address (Tor)"), f"http://{settings.ONION_ADDRESS}{path}"))
    elif second == "mirror":
        from samizdat.mirrors.models import Mirror

        mirror = Mirror.objects.filter(is_active=True).exclude(public_url="").first()
        if mirror is not None:
            found.append((_("Mirror"), mirror.public_url.rstrip("/") + path))
    return found


def compose(article, kind: str | None = None, with_lead: bool = True) -> Message:
    """The message for `article` in its edition's language: a photo with a caption when it
    has a main photo, else text; `kind` holds it to the kind already posted (a text message
    cannot become a photo, and a caption keeps the caption's limit)."""
    photo = rendition(article.hero_photo) if article.hero_photo_id and kind != "text" else None
    limit = CAPTION_LIMIT if photo or kind == "photo" else TEXT_LIMIT
    with override(article.edition.language):
        found = links(article)
    headline = cut(article.headline.strip(), limit // 2)
    footer = " · ".join(label for label, _url in found)
    # Visible units of everything but the lead: headline, footer, two blank lines between.
    fixed = length(headline) + length(footer) + 4
    lead = " ".join(article.lead.split()) if with_lead else ""
    lead = cut(lead, limit - fixed - 2) if lead else ""
    parts = [f"<b>{html.escape(headline, quote=False)}</b>"]
    if lead:
        parts.append(html.escape(lead, quote=False))
    parts.append(" · ".join(f'<a href="{html.escape(url)}">{html.escape(label, quote=False)}</a>'
                            for label, url in found))
    return Message(text="\n\n".join(parts), photo=photo)


def rendition(photo) -> str | None:
    """The widest JPEG (or PNG) rendition up to PHOTO_WIDTH, else the narrowest one."""
    if photo is None or not photo.renditions.get("widths"):
        return None
    return photo.share_rendition(PHOTO_WIDTH)[0]


def correction(text: str) -> str:
    return html.escape(cut(text.strip(), TEXT_LIMIT), quote=False)
