"""Old addresses of a site the newsroom moved in from, and where they lead now.

The public face of `LegacyRedirect` for importers, the admin and the reader site:

    normalize("https://old.example.org/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/?utm=x")
        -> "/новости/"
    add("/?p=123", article=article, source="wordpress")
    add_many([("/about-us/", {"page": page}), ("/?cat=5", {"section": section})])
    resolve("/?p=123") -> "/be/news/2024/05/03/slug/" (None if the article is not public)

An address is kept as Django's `request.path` gives it (percent-decoded) plus the query keys
that name content on WordPress (CONTENT_KEYS), sorted; every other query key (`utm_source`…)
is dropped, so a shared link with tracking still finds its redirect.
"""

import csv
import io
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from . import bulk
from .models import Article, AuditEntry, LegacyRedirect, Page, Section, Tag

# The query keys that name content on a WordPress site (post, page, category, tag, author,
# attachment): /?p=123 is an address of its own, /?utm_source=x is not.
CONTENT_KEYS = frozenset({"p", "page_id", "cat", "tag", "author", "attachment_id"})

TARGETS = ("article", "page", "section", "tag")
TARGET_MODELS = {"article": Article, "page": Page, "section": Section, "tag": Tag}
CHUNK = 1000  # rows per INSERT in add_many


def split(address: str) -> tuple[str, str]:
    """(path, query) of an address: a path with an optional query, or a full URL."""
    parts = urlsplit(address.strip())
    path = unquote(parts.path) or "/"
    if not path.startswith("/"):
        path = "/" + path
    return path, normalize_query(parts.query)


def normalize_query(query: str) -> str:
    """The content keys of a query string, sorted, values percent-decoded ("" if none)."""
    kept = {key: value.strip() for key, value in parse_qsl(query, keep_blank_values=True)
            if key in CONTENT_KEYS}
    # Only % and & need escaping for two equal addresses to give one string.
    return "&".join(f"{key}={value.replace('%', '%25').replace('&', '%26')}"
                    for key, value in sorted(kept.items()))


def normalize(address: str) -> str:
    """The form an old address is stored and looked up in: "/path/" or "/path/?p=1"."""
    path, query = split(address)
    return f"{path}?{query}" if query else path


def has_content_query(query: str) -> bool:
    """Whether a raw query string names content (so "/" with it may be an old address)."""
    return bool(query) and bool(normalize_query(query))


def check(redirect: LegacyRedirect) -> None:
    """Refuse what cannot be served: raises ValidationError saying what is wrong."""
    path, query = redirect.old_path, redirect.query
    if not path.startswith("/"):
        raise ValidationError(_("An old address must begin with /."))
    if any(ord(c) < 32 or c == "\x7f" for c in path) or any(
            part in (".", "..") for part in path.split("/")):
        raise ValidationError(_("The old address %(address)s is not a valid path.")
                              % {"address": path})
    if path == "/" and not query:
        raise ValidationError(_("The home page itself cannot be an old address."))
    if len(path) > 400 or len(query) > 200:
        raise ValidationError(_("The old address %(address)s is too long.")
                              % {"address": str(redirect)[:80]})
    given = [name for name in TARGETS if getattr(redirect, f"{name}_id")]
    if redirect.target:
        given.append("target")
    if len(given) != 1:
        raise ValidationError(_("Give exactly one new address: an article, a page, a section, "
                                "a tag or an address."))
    target = redirect.target
    if target and not ((target.startswith("/") and not target.startswith("//"))
                       or target.startswith(("https://", "http://"))):
        raise ValidationError(_("The new address %(address)s must be a path beginning with / "
                                "or a full address beginning with https://.")
                              % {"address": target})
    if target and split(target) == (path, query):
        raise ValidationError(_("The address %(address)s leads to itself.")
                              % {"address": target})


def build(address: str, *, article=None, page=None, section=None, tag=None, target: str = "",
          source: str = "") -> LegacyRedirect:
    """An unsaved, checked redirect. Targets are objects or their ids."""
    path, query = split(address)
    redirect = LegacyRedirect(old_path=path, query=query, target=(target or "").strip(),
                              source=_source(source))
    for name, value in (("article", article), ("page", page), ("section", section),
                        ("tag", tag)):
        if isinstance(value, Model):
            setattr(redirect, name, value)
        elif value is not None:
            setattr(redirect, f"{name}_id", int(value))
    check(redirect)
    return redirect


def _source(source: str) -> str:
    if not source:
        return LegacyRedirect.Source.OTHER
    if source not in LegacyRedirect.Source.values:
        raise ValidationError(_("Unknown source %(source)s.") % {"source": source})
    return source


def add(address: str, *, article=None, page=None, section=None, tag=None, target: str = "",
        source: str = "") -> LegacyRedirect:
    """Make `address` lead to the target; again for the same address replaces the target."""
    redirect = build(address, article=article, page=page, section=section, tag=tag,
                     target=target, source=source)
    values = {name: getattr(redirect, name) for name in _UPDATED}
    with transaction.atomic():
        saved, _created = LegacyRedirect.objects.update_or_create(
            old_path=redirect.old_path, query=redirect.query, defaults=values)
        announce()
    return saved


_UPDATED = ("article_id", "page_id", "section_id", "tag_id", "target", "source")


def add_many(items: Iterable[tuple[str, dict]]) -> int:
    """`add` for a whole archive, in bulk: (address, keyword arguments of add) pairs.

    All or nothing: a bad item raises ValidationError naming its number and address, and
    nothing is saved. Returns how many addresses were stored (repeats count once).
    """
    count = 0
    with transaction.atomic():
        chunk: dict[tuple[str, str], LegacyRedirect] = {}
        for number, (address, fields) in enumerate(items, start=1):
            try:
                redirect = build(address, **fields)
            except (ValidationError, TypeError, ValueError) as error:
                message = "; ".join(error.messages) if isinstance(error, ValidationError) \
                    else str(error)
                raise ValidationError(_("Item %(number)s (%(address)s): %(message)s") % {
                    "number": number, "address": address, "message": message}) from error
            # One statement must not touch a row twice (PostgreSQL refuses): the last wins.
            chunk[(redirect.old_path, redirect.query)] = redirect
            if len(chunk) >= CHUNK:
                count += _store(chunk)
        count += _store(chunk)
        announce()
    return count


def _store(chunk: dict) -> int:
    if not chunk:
        return 0
    columns = ("old_path", "query", *_UPDATED)
    bulk.insert(LegacyRedirect,
                [{name: getattr(redirect, name) for name in columns}
                 for redirect in chunk.values()],
                unique_fields=["old_path", "query"], update_fields=_UPDATED)
    stored = len(chunk)
    chunk.clear()
    return stored


def import_csv(text: str, actor, *, name: str = "") -> int:
    """Store the redirects of a CSV file, all or none: rows of old address and new address
    (a path, a full address, or `article:<id>`); a first row naming the columns is skipped.

    Raises ValidationError naming the first bad line; records one audit entry.
    """
    items, wanted = [], set()
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and not cells[0].startswith(("/", "?", "http://", "https://")):
            continue  # a header
        if len(cells) != 2 or not cells[1]:
            raise ValidationError(_("Line %(line)s: give two columns, the old address and the "
                                    "new one.") % {"line": number})
        old, new = cells
        fields: dict = {"source": LegacyRedirect.Source.CSV}
        if new.lower().startswith("article:"):
            number_text = new.split(":", 1)[1].strip()
            if not number_text.isdigit():
                raise ValidationError(_("Line %(line)s: “%(value)s” is not article:<number>.")
                                      % {"line": number, "value": new})
            fields["article"] = int(number_text)
            wanted.add(fields["article"])
        else:
            fields["target"] = new
        try:
            build(old, **fields)
        except ValidationError as error:
            raise ValidationError(_("Line %(line)s (%(address)s): %(message)s") % {
                "line": number, "address": old, "message": "; ".join(error.messages)}) from error
        items.append((number, old, fields))
    if not items:
        raise ValidationError(_("The file holds no addresses."))
    known = set(Article.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    for number, _old, fields in items:
        if fields.get("article", 0) and fields["article"] not in known:
            raise ValidationError(_("Line %(line)s: there is no article %(id)s.")
                                  % {"line": number, "id": fields["article"]})
    with transaction.atomic():
        count = add_many((old, fields) for _number, old, fields in items)
        # One entry for the file: a whole list is one change (services.audit, by hand).
        AuditEntry.objects.create(
            actor=actor if actor is not None and actor.pk else None,
            actor_name=actor.get_username() if actor is not None and actor.pk else "system",
            action="import", object_type=LegacyRedirect._meta.label_lower, object_id="",
            object_repr=(name or "CSV")[:250], details={"addresses": count, "file": name})
    return count


def find(path: str, query: str = "", *, decoded: bool = False) -> LegacyRedirect | None:
    """The redirect for an address, in one indexed query: the exact path with its content
    keys first, then the path alone, then the path with or without its trailing slash.
    `decoded`: the path is request.path, percent-decoded already (and has no query)."""
    if decoded:
        path = path or "/"
    elif "?" in path:
        path, own = split(path)
        query = query or own
    else:
        path = unquote(path) or "/"
    query = normalize_query(query)
    if path == "/" and not query or "\x00" in path or "\x00" in query:
        return None  # no address is stored with a NUL (PostgreSQL refuses one in text)
    paths = [path]
    if path != "/":
        paths.append(path[:-1] if path.endswith("/") else path + "/")
    queries = [query, ""] if query else [""]
    rows = (LegacyRedirect.objects.filter(old_path__in=paths, query__in=queries)
            .select_related("article__edition", "page__edition", "section__edition",
                            "tag__edition")
            .defer("article__body", "article__lead", "page__body")[:4])
    return min(rows, key=lambda r: (r.query != query, r.old_path != path), default=None)


def resolve(path: str, query: str = "") -> str | None:
    """The new address of an old one, or None (none known, or its target is not public)."""
    redirect = find(path, query)
    return None if redirect is None else redirect.destination()


def resolve_request(path: str, query: str) -> str | None:
    """`resolve` for a request: `path` is request.path (decoded), `query` its raw string."""
    redirect = find(path, query, decoded=True)
    return None if redirect is None else redirect.destination()


class _Announcement:
    """One announcement per transaction, however many redirects it changed."""

    def __call__(self):
        from .services import content_changed

        # A cached 404 of an address that now leads somewhere must go (site/pagecache.py).
        content_changed.send(LegacyRedirect, article=None, action="redirects")


def announce() -> None:
    """After the commit, tell the page cache that addresses changed."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
            isinstance(f, _Announcement) for _ids, f, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_Announcement())
