"""Comment text: cleaned of invisible tricks when it arrives, escaped when it is shown."""

import re
import unicodedata

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Direction overrides and isolates (the "RTL override" that turns "gpj.exe" around),
# invisible spaces, and other controls. Zero-width joiners stay: emoji and some scripts
# need them.
INVISIBLE = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200E,
                           0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x061C,
                           0x180E, 0x00AD])
CONTROLS = {c: None for c in range(32) if c not in (9, 10)} | {0x7F: None}
LINK = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
TRAILING = ".,;:!?)»”'"


def clean(text: str, single_line: bool = False) -> str:
    """Text as it is stored: normalised, without invisible characters or controls."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(INVISIBLE).translate(CONTROLS)
    if single_line:
        return " ".join(text.split())
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def links(text: str) -> list[str]:
    return LINK.findall(text)


def _link(match: re.Match) -> str:
    address = match.group(0)
    tail = ""
    while address and address[-1] in TRAILING:
        address, tail = address[:-1], address[-1] + tail
    return format_html('<a href="{}" rel="nofollow ugc noopener noreferrer">{}</a>{}',
                       address, address, tail)


def render(text: str) -> SafeString:
    """Paragraphs and line breaks; http(s) addresses become links; everything else escaped."""
    paragraphs = []
    for block in text.split("\n\n"):
        parts, last = [], 0
        for match in LINK.finditer(block):
            parts.append(escape(block[last:match.start()]))
            parts.append(_link(match))
            last = match.end()
        parts.append(escape(block[last:]))
        paragraphs.append("<p>" + "".join(parts).replace("\n", "<br>") + "</p>")
    return mark_safe("".join(paragraphs))  # noqa: S308 - every piece escaped above
