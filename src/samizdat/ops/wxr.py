"""A streaming reader of WordPress export files (WXR 1.0-1.2, plain or gzipped).

Items are read one at a time with lxml's iterparse and cleared once read, so memory stays
flat whatever the size of the archive. A malformed file raises `Malformed` with its line.
"""

import gzip
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

WP = "http://wordpress.org/export/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
EXCERPT_SUFFIX = "/excerpt/"


class Malformed(Exception):
    """The file is not a well-formed WordPress export; `line` says where reading stopped."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message, self.line = message, line


@dataclass
class Comment:
    wp_id: int
    author: str
    date_gmt: str
    content: str
    approved: str
    type: str
    parent: int


@dataclass
class Term:
    kind: str  # category or post_tag
    slug: str
    name: str
    parent: str = ""


@dataclass
class Author:
    login: str
    display_name: str


@dataclass
class Item:
    line: int
    title: str = ""
    link: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    wp_id: int = 0
    date_gmt: str = ""
    status: str = ""
    name: str = ""
    type: str = ""
    parent: int = 0
    is_sticky: bool = False
    attachment_url: str = ""
    terms: list[Term] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)

    def first_meta(self, key: str) -> str:
        values = self.meta.get(key)
        return values[0] if values else ""


@dataclass
class Channel:
    wxr_version: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    title: str = ""


def _local(element) -> tuple[str, str]:
    """(namespace family, local name): "wp", "content", "excerpt", "dc" or ""."""
    tag = element.tag
    if not isinstance(tag, str):
        return "", ""
    if tag[0] != "{":
        return "", tag
    namespace, name = tag[1:].split("}", 1)
    if namespace.startswith(WP):
        family = "excerpt" if namespace.endswith(EXCERPT_SUFFIX) else "wp"
    elif namespace == CONTENT:
        family = "content"
    elif namespace == DC:
        family = "dc"
    else:
        family = namespace
    return family, name


def _text(element) -> str:
    return element.text or ""


def _int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        return 0


def _children(element) -> dict[tuple[str, str], str]:
    return {_local(child): _text(child) for child in element}


def _comment(element) -> Comment:
    values = _children(element)
    return Comment(
        wp_id=_int(values.get(("wp", "comment_id"), "0")),
        author=values.get(("wp", "comment_author"), ""),
        date_gmt=values.get(("wp", "comment_date_gmt"), ""),
        content=values.get(("wp", "comment_content"), ""),
        approved=values.get(("wp", "comment_approved"), "").strip(),
        type=values.get(("wp", "comment_type"), "").strip(),
        parent=_int(values.get(("wp", "comment_parent"), "0")),
    )


def _item(element) -> Item:
    item = Item(line=element.sourceline or 0)
    for child in element:
        family, name = _local(child)
        text = _text(child)
        if family == "":
            if name == "title":
                item.title = text
            elif name == "link":
                item.link = text.strip()
            elif name == "category":
                domain = child.get("domain", "")
                if domain in ("category", "post_tag"):
                    item.terms.append(Term(domain, child.get("nicename", ""), text))
        elif family == "dc" and name == "creator":
            item.creator = text.strip()
        elif family == "content" and name == "encoded":
            item.content = text
        elif family == "excerpt" and name == "encoded":
            item.excerpt = text
        elif family == "wp":
            if name == "post_id":
                item.wp_id = _int(text)
            elif name == "post_date_gmt":
                item.date_gmt = text.strip()
            elif name == "status":
                item.status = text.strip()
            elif name == "post_name":
                item.name = text.strip()
            elif name == "post_type":
                item.type = text.strip()
            elif name == "post_parent":
                item.parent = _int(text)
            elif name == "is_sticky":
                item.is_sticky = text.strip() == "1"
            elif name == "attachment_url":
                item.attachment_url = text.strip()
            elif name == "postmeta":
                values = _children(child)
                key = values.get(("wp", "meta_key"), "")
                item.meta.setdefault(key, []).append(values.get(("wp", "meta_value"), ""))
            elif name == "comment":
                item.comments.append(_comment(child))
    return item


def _term(element, name: str) -> Term:
    values = _children(element)
    if name == "category":
        return Term("category", values.get(("wp", "category_nicename"), "").strip(),
                    values.get(("wp", "cat_name"), ""),
                    values.get(("wp", "category_parent"), "").strip())
    if name == "tag":
        return Term("post_tag", values.get(("wp", "tag_slug"), "").strip(),
                    values.get(("wp", "tag_name"), ""))
    taxonomy = values.get(("wp", "term_taxonomy"), "").strip()
    return Term(taxonomy, values.get(("wp", "term_slug"), "").strip(),
                values.get(("wp", "term_name"), ""),
                values.get(("wp", "term_parent"), "").strip())


_CONTENT = {("", "item"), ("wp", "category"), ("wp", "tag"), ("wp", "term"), ("wp", "author")}


def _open(path: Path):
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def read(path: Path, channel: Channel | None = None) -> Iterator[Item | Term | Author]:
    """Every item, term and author of the export, in file order. Fills `channel` as its
    elements go by (they come before the items)."""
    channel = channel if channel is not None else Channel()
    seen_rss = False
    with _open(path) as stream:
        parser = etree.iterparse(stream, events=("start", "end"), resolve_entities=False,
                                 no_network=True, huge_tree=True, remove_comments=True)
        depth = 0
        try:
            for event, element in parser:
                if event == "start":
                    depth += 1
                    if depth == 1:
                        seen_rss = _local(element)[1] == "rss"
                    continue
                depth -= 1
                if depth != 2:  # only the channel's own children are read whole
                    continue
                family, name = _local(element)
                if (family, name) in _CONTENT and not (seen_rss and channel.wxr_version):
                    raise Malformed("not a WordPress export (no rss element with a "
                                    "wp:wxr_version before the items)", element.sourceline)
                if family == "" and name == "item":
                    yield _item(element)
                elif family == "wp" and name in ("category", "tag", "term"):
                    yield _term(element, name)
                elif family == "wp" and name == "author":
                    values = _children(element)
                    login = values.get(("wp", "author_login"), "").strip()
                    yield Author(login, values.get(("wp", "author_display_name"), "").strip()
                                 or login)
                elif family == "wp" and name == "wxr_version":
                    channel.wxr_version = _text(element).strip()
                elif family == "wp" and name == "base_site_url":
                    channel.base_site_url = _text(element).strip()
                elif family == "wp" and name == "base_blog_url":
                    channel.base_blog_url = _text(element).strip()
                elif family == "" and name == "title":
                    channel.title = _text(element).strip()
                element.clear(keep_tail=False)
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
        except etree.XMLSyntaxError as exc:
            line = exc.position[0] if exc.position else exc.lineno
            raise Malformed(exc.msg or str(exc), line) from None
        except (OSError, EOFError) as exc:  # a truncated or corrupt .gz
            raise Malformed(str(exc), None) from None
    if not (seen_rss and channel.wxr_version):
        raise Malformed("not a WordPress export (no rss element with a wp:wxr_version)", None)
