"""Links of rendered pages made relative, so the copy opens from any folder, bucket or disk.

Pages link root-relative ("/en/news/"): right on the live site, wrong anywhere else. In the
copy every internal link becomes relative to the page that holds it and names the file
("../../news/index.html"), since a folder address does not open from disk. An address the
copy does not hold (search, comments, anything with a query string) goes to the live site,
absolute. Absolute links (canonical, og:url, share links) are left as they are.

HTML goes through the standard library's HTMLParser: each start tag is either passed on
as it was written or, when one of its links changes, written anew from its parsed
attributes; everything else passes through untouched.
"""

import functools
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

LINK_ATTRIBUTES = {"href", "src", "action", "poster"}
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
        parser = _Parser(self, base)
        parser.feed(text)
        parser.close()
        return "".join(parser.out)

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


class _Parser(HTMLParser):
    def __init__(self, rewriter: Rewriter, base: str):
        super().__init__(convert_charrefs=False)
        self.rewriter, self.base = rewriter, base
        self.out: list[str] = []
        self.skipping = False

    def _tag(self, tag, attrs, closed):
        copy = self.rewriter.copy
        if tag == "script" and copy.drop_scripts and dict(attrs).get("src") in copy.drop_scripts:
            self.skipping = not closed
            return
        changed = False
        new = []
        for name, value in attrs:
            if value is not None and (name in LINK_ATTRIBUTES or name == "srcset"):
                rewritten = (self.rewriter.srcset(value, self.base) if name == "srcset"
                             else self.rewriter.link(value, self.base))
                if rewritten != value:
                    value, changed = rewritten, True
            new.append((name, value))
        if not changed:
            self.out.append(self.get_starttag_text())
        else:
            attributes = "".join(f" {n}" if v is None else f' {n}="{escape(v)}"' for n, v in new)
            self.out.append(f"<{tag}{attributes}{' /' if closed else ''}>")
        if tag == "head" and copy.onion:
            onion = escape(f"http://{copy.onion}{self.base}")
            self.out.append(f'\n<meta http-equiv="onion-location" content="{onion}">')
        if tag == "head" and copy.icon:
            self.out.append(f'\n<link rel="icon" href="{escape(copy.icon)}">')

    def handle_starttag(self, tag, attrs):
        if not self.skipping:
            self._tag(tag, attrs, closed=False)

    def handle_startendtag(self, tag, attrs):
        if not self.skipping:
            self._tag(tag, attrs, closed=True)

    def handle_endtag(self, tag):
        if self.skipping:
            self.skipping = tag != "script"
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")
