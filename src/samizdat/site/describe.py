"""Meta descriptions of reader pages: the page's own words, else a sentence saying what it is."""

import html
import re

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

# Search engines show about this many characters; a longer text is cut at a word.
LENGTH = 200
PHOTO_CODE = re.compile(r"\[photo\s+\d+\]")
# Where a block ends, words on either side are apart: "<h2>Bridge</h2><p>The" → "Bridge The".
BLOCK_END = re.compile(r"(</(?:p|h[1-6]|li|blockquote|div|figure|figcaption|td|th)>|<br\s*/?>)",
                       re.IGNORECASE)


def plain(markup: str) -> str:
    """The text of an HTML fragment without its tags, entities, photo codes or runs of
    white space."""
    text = PHOTO_CODE.sub(" ", strip_tags(BLOCK_END.sub(r"\1 ", markup or "")))
    return " ".join(html.unescape(text).split())


def shorten(text: str, length: int = LENGTH) -> str:
    if len(text) <= length:
        return text
    cut = text[:length]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—–-") + "…"


def describe(edition, text: str = "", markup: str = "") -> str:
    """The page's own words, short: its plain `text` (an article's lead), else the text of
    its `markup` (an article's or a page's body); else the edition's tagline, else a
    sentence naming the site."""
    own = shorten(" ".join((text or "").split()) or plain(markup))
    if own:
        return own
    if edition.tagline.strip():
        return edition.tagline.strip()
    return _("%(site)s: news, reports and analysis.") % {"site": edition.site_name}


def describe_list(edition, kind: str, name: str = "", text: str = "") -> str:
    """A list page's description: its own plain text if it has one (a section's
    description, an author's biography), else a sentence naming the list and the site."""
    own = shorten(" ".join((text or "").split()))
    if own:
        return own
    sentences = {
        "latest": _("%(site)s: all the news, newest first."),
        "section": _("The latest articles in the section “%(name)s” on %(site)s."),
        "tag": _("Articles tagged #%(name)s on %(site)s."),
        "author": _("%(name)s: articles on %(site)s."),
        "archive": _("%(name)s: articles in the archive of %(site)s."),
    }
    return sentences[kind] % {"site": edition.site_name, "name": name}
