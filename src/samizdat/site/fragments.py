"""Fragment caching: the parts of a reader page that outlive the page cache.

The page cache's version is global, so a publication makes every cached page a miss, and
a flood right after it makes every worker render. Most of what those pages show has not
changed: an article's own text, its related list, its comments, the masthead and footer.

So a view declares the fragments of its page, each with the named dependencies it follows
(pagecache stamps, touched by the signals below), and the templates mark them:

    {% fragment "related" %}…{% endfragment %}

A page-cache miss then reads every declared fragment in one cache call and renders only
those whose dependencies moved. The views hand their data to the templates as lazy values
(`lazy`), so the queries behind a cached fragment never run.

Keys carry the stamps' versions, so nothing is ever deleted: a changed dependency makes
new keys, and the old entries age out of the cache. A fragment rendered while its data
changes is stored under the versions read before the data was, so it is never served.
"""

import functools
import hashlib
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from . import pagecache
from .helpers import COPY_MARK

SITE = pagecache.SITE


def article_dependency(pk) -> str:
    return f"fragments:article:{pk}"


def section_dependency(pk) -> str:
    """The articles of a section: what each of its articles' related lists is made of."""
    return f"fragments:section:{pk}"


def group_dependency(translation_key) -> str:
    """The translations of one story: each version's language switcher and hreflang links."""
    return f"fragments:translations:{translation_key}"


def lazy(function, *args):
    """A value computed when a template first uses it: not at all when its fragment is cached."""
    return SimpleLazyObject(functools.partial(function, *args))


@functools.cache
def release() -> str:
    """Changes with the code and its templates, so a shared cache never serves fragments
    rendered by an earlier release; the same on every machine running the same files."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(metadata.version("samizdat").encode(), digest_size=8)
    for template in sorted(root.glob("*/jinja2/**/*.html")):
        digest.update(template.relative_to(root).as_posix().encode())
        digest.update(template.read_bytes())
    return digest.hexdigest()


def _cache():
    """Their own local-memory cache, so they never push whole pages out; else the shared one."""
    return caches["fragments"] if "fragments" in settings.CACHES else caches["default"]


class Fragments:
    """The declared fragments of one page: name → (key parts, dependency names)."""

    def __init__(self, request, template: str, declared: dict[str, tuple[tuple, tuple]]):
        if request.META.get(COPY_MARK):
            declared = {}  # a bake renders each page once: fragments would crowd the cache
        names = sorted(set().union(*(deps for _, deps in declared.values())))
        versions = {**pagecache.dependency_versions(names), SITE: pagecache.site_version()}
        common = (release(), template, get_language(), request.scheme, request.get_host(),
                  settings.SITE_URL, getattr(request, "lite", False))
        self.keys = {}
        for name, (parts, deps) in declared.items():
            raw = repr((name, common, parts, versions[SITE], [versions[d] for d in deps]))
            self.keys[name] = "samizdat:fragment:" + hashlib.blake2b(
                raw.encode(), digest_size=16).hexdigest()
        self.found = (_cache().get_many(self.keys.values())
                      if settings.FRAGMENT_CACHE_SECONDS else {})

    def render(self, name: str, caller) -> str:
        key = self.keys.get(name)
        if key is None:
            return caller()
        if key in self.found:
            # Our own rendering, escaped when it was made and stored by us alone.
            return Markup(self.found[key])  # noqa: S704
        html = caller()
        if settings.FRAGMENT_CACHE_SECONDS:
            _cache().set(key, str(html), settings.FRAGMENT_CACHE_SECONDS)
        return html


class FragmentExtension(Extension):
    """`{% fragment "name" %}…{% endfragment %}`: the body, or its cached rendering when the
    page's `fragments` declares the name; pages that declare none render it as usual."""

    tags = {"fragment"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        name = parser.parse_expression()
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        call = self.call_method("_render", [nodes.ContextReference(), name])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _render(self, context, name, caller):
        fragments = context.get("fragments")
        return caller() if fragments is None else fragments.render(name, caller)


# --- Invalidation -----------------------------------------------------------------------------

def _touch_after_commit(*names) -> None:
    from django.db import transaction

    transaction.on_commit(lambda: [pagecache.touch(name) for name in names if name])


def site_changed(sender, **kwargs):
    """Whatever every page may show besides articles changed: sections, tags, photos…"""
    _touch_after_commit(SITE)


def content_changed(sender, article=None, **kwargs):
    """The newsroom's announcement, sent after the commit: also for what changed besides
    the article's row (its translation group set from the admin, its update time)."""
    if article is None:
        pagecache.touch(SITE)
        return
    for name in (article_dependency(article.pk), group_dependency(article.translation_key),
                 article.section_id and section_dependency(article.section_id)):
        if name:
            pagecache.touch(name)


def article_about_to_change(sender, instance, raw=False, **kwargs):
    # Where the article was: moving it to another section or story changes the lists there.
    instance._fragment_was = None
    if instance.pk and not raw:
        instance._fragment_was = (
            type(instance).objects.filter(pk=instance.pk)
            .values_list("section_id", "translation_key").first()
        )


def article_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    was = getattr(instance, "_fragment_was", None) or (None, None)
    _touch_after_commit(
        article_dependency(instance.pk),
        instance.section_id and section_dependency(instance.section_id),
        was[0] and was[0] != instance.section_id and section_dependency(was[0]),
        group_dependency(instance.translation_key),
        was[1] and was[1] != instance.translation_key and group_dependency(was[1]),
    )


def part_changed(sender, instance, **kwargs):
    """A byline or gallery item: its article's page, and the related lists of its section."""
    from samizdat.newsroom.models import Article

    section = Article.objects.filter(pk=instance.article_id).values_list(
        "section_id", flat=True).first()
    _touch_after_commit(article_dependency(instance.article_id),
                        section and section_dependency(section))


def tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # a tag's articles changed: rare, and done from the tag's side
        _touch_after_commit(SITE)
        return
    _touch_after_commit(article_dependency(instance.pk),
                        instance.section_id and section_dependency(instance.section_id))
