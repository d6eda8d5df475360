"""Links of rendered pages made relative, so the copy opens from any folder, bucket or disk.

Pages link root-relative ("/en/news/"): right on the live site, wrong anywhere else. In the
copy every internal link becomes relative to the page that holds it and names the file
("../../news/index.html"), since a folder address does not open from disk. An address the
copy does not hold (search, comments, anything with a query string) goes to the live site,
absolute. Absolute links (canonical, og:url, share links) are left as they are.

HTML is the markup our own templates and sanitiser write (attribute values quoted, "<" and
">" escaped everywhere but in comments, scripts and styles), so a tokenizing regular
expression finds its start tags; only the quoted values of link attributes are replaced,
everything else passes through byte for byte. It is 2-3 times faster than the standard
library's HTMLParser was here, which took a fifth of a bake's time (tests/bake/test_links.py
holds the markup it must pass through untouched).
"""

import functools
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape

# Comments and the raw text of scripts and styles pass through; a start tag's link
# attributes are matched with their quotes.
TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<(?P<raw>script|style)\b(?P<raw_attrs>[^>]*)>.*?</(?P=raw)\s*>"
    r"|<(?P<tag>[a-zA-Z][\w:-]*)(?P<attrs>\s[^<>]*?)?/?>",
    re.S | re.I)
ATTRIBUTE = re.compile(
    r"""(?P<space>\s)(?P<name>href|src|action|poster|srcset)\s*=\s*"""
    r"""(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)')""", re.I)
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")


@dataclass
class Copy:
    """What the copy holds, for deciding where each link goes."""

    pages: set[str]  # URL paths of pages and files written ("/en/", "/en/rss.xml")
    live: str  # the live site, settings.SITE_URL
    asset_prefixes: tuple[str, ...]  # STATIC_URL, MEDIA_URL: copied when a page uses them
    aliases: dict[str, str] = field(default_factory=dict)  # path -> page with its content
    # For an update, which holds only the pages it rewrites: whether the copy has a path.
    holds: Callable[[str], bool] | None = None
    drop_scripts: frozenset[str] = frozenset()  # script src values to leave out
    onion: str = ""  # the onion service's host, for Tor Browser's Onion-Location
    # The site's icon as a data: address. Browsers ask a host for /favicon.ico unless a page
    # names its icon, and a copy in a folder of someone else's host has none there.
    icon: str = ""

    def is_asset(self, path: str) -> bool:
        return path.startswith(self.asset_prefixes)


def file_of(path: str) -> str:
    """The file that stands for a URL path: folders get their index.html."""
    return path + "index.html" if path.endswith("/") else path


@functools.lru_cache(maxsize=65536)
def relative(target: str, base: str) -> str:
    """`target` (a root-relative file path) as seen from the page at URL path `base`."""
    folder = base if base.endswith("/") else posixpath.dirname(base) + "/"
    return posixpath.relpath(target, folder)


def _split(value: str) -> tuple[str, str]:
    """("/a/b/", "?q#f") from "/a/b/?q#f"."""
    cut = len(value)
    for mark in "?#":
        at = value.find(mark)
        if at != -1 and at < cut:
            cut = at
    return value[:cut], value[cut:]


class Rewriter:
    """Rewrites the links of the pages of one copy; collects the assets they use."""

    def __init__(self, copy: Copy):
        self.copy = copy
        self.assets: set[str] = set()

    def link(self, value: str, base: str) -> str:
        if not value.startswith("/") or value.startswith("//"):
            return value  # absolute, protocol-relative, relative already, or a fragment
        path, rest = _split(value)
        copy = self.copy
        if copy.is_asset(path):
            self.assets.add(path)
            return relative(path, base) + rest
        path = copy.aliases.get(path, path)
        if (path in copy.pages or (copy.holds is not None and copy.holds(path))) and \
                not rest.startswith("?"):
            return relative(file_of(path), base) + rest
        return copy.live + value

    def srcset(self, value: str, base: str) -> str:
        candidates = []
        for candidate in value.split(","):
            parts = candidate.strip().split(None, 1)
            if parts:
                parts[0] = self.link(parts[0], base)
                candidates.append(" ".join(parts))
        return ", ".join(candidates)

    def html(self, text: str, base: str) -> str:
        copy = self.copy
        head = ""
        if copy.onion:
            onion = escape(f"http://{copy.onion}{base}")
            head += f'\n<meta http-equiv="onion-location" content="{onion}">'
        if copy.icon:
            head += f'\n<link rel="icon" href="{escape(copy.icon)}">'

        def token(match: re.Match) -> str:
            whole = match.group(0)
            if match["raw"]:
                group = "raw_attrs"
                if copy.drop_scripts and match["raw"].lower() == "script" and any(
                        a["name"].lower() == "src" and _value(a) in copy.drop_scripts
                        for a in ATTRIBUTE.finditer(match["raw_attrs"])):
                    return ""
            elif match["tag"]:
                group = "attrs"
            else:
                return whole  # a comment
            attributes = match[group]
            if attributes:
                rewritten = ATTRIBUTE.sub(lambda a: self._attribute(a, base), attributes)
                if rewritten != attributes:
                    at = match.start()
                    whole = (whole[:match.start(group) - at] + rewritten
                             + whole[match.end(group) - at:])
            if head and match["tag"] and match["tag"].lower() == "head":
                whole += head
            return whole

        return TOKEN.sub(token, text)

    def _attribute(self, found: re.Match, base: str) -> str:
        value = _value(found)
        if found["name"].lower() == "srcset":
            rewritten = self.srcset(value, base)
        else:
            rewritten = self.link(value, base)
        if rewritten == value:
            return found.group(0)
        return f'{found["space"]}{found["name"]}="{escape(rewritten)}"'

    def css(self, text: str, base: str) -> str:
        def replace(match):
            url = match.group(2)
            if url.startswith(("data:", "#")):
                return match.group(0)
            if not url.startswith("/") and "://" not in url:
                # Relative to the stylesheet: the file must come along all the same.
                self.assets.add(posixpath.normpath(posixpath.join(posixpath.dirname(base), url)))
                return match.group(0)
            return f"url({match.group(1)}{self.link(url, base)}{match.group(1)})"

        return CSS_URL.sub(replace, text)


def _value(found: re.Match) -> str:
    return unescape(found["double"] if found["double"] is not None else found["single"])
