"""The Jinja2 environment for reader pages: Django's URLs, static files, translations and dates.

Reader pages render with Jinja2, which compiles templates to Python, rather than the Django
template language; the admin keeps Django's templates. On this project's pages the switch
alone did not measurably shorten an uncached render: its queries cost more than its
template (docs/architecture.md).
Translatable strings are written `{{ _("...") }}`, which `makemessages` extracts.
"""

import functools

from django.core.signals import setting_changed
from django.template import defaultfilters
from django.templatetags.static import static as django_static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from jinja2 import Environment

from samizdat.comments.text import render as comment_text
from samizdat.newsletter.offer import newsletter_offered
from samizdat.photos.embeds import LEAD_SIZES, THUMB_SIZES, figure, photo_link, picture
from samizdat.syndication.structured_data import article_json_ld

from .describe import describe, describe_list
from .fragments import FragmentExtension
from .helpers import absolute, elsewhere, lite, newsdate, page_url, share_links


def url(name: str, *args, **kwargs) -> str:
    # Reversing walks the URL patterns each time; a page asks for the same few addresses
    # on every render. What else the answer depends on is part of the key.
    return _reverse(name, args, tuple(sorted(kwargs.items())), get_urlconf(),
                    get_script_prefix(), translation.get_language())


@functools.lru_cache(maxsize=2048)
def _reverse(name, args, kwargs, urlconf, prefix, language) -> str:
    return reverse(name, args=args or None, kwargs=dict(kwargs) or None, urlconf=urlconf)


@functools.lru_cache(maxsize=256)
def static(path: str) -> str:
    """A static file's hashed address: fixed for the life of a process (the manifest is)."""
    return django_static(path)


def _forget(**kwargs):
    _reverse.cache_clear()
    static.cache_clear()


setting_changed.connect(_forget)  # tests change the URLconf, the storages, the languages


def environment(**options) -> Environment:
    from django.conf import settings

    options["autoescape"] = True  # whatever the settings say: reader pages are escaped
    env = Environment(extensions=["jinja2.ext.i18n", FragmentExtension], **options)  # noqa: S701 - set above
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)
    env.globals.update({
        "url": url, "static": static, "absolute": absolute, "page_url": page_url,
        "share_links": share_links, "article_json_ld": article_json_ld,
        "picture": picture, "figure": figure, "THUMB_SIZES": THUMB_SIZES,
        "LEAD_SIZES": LEAD_SIZES, "comment_text": comment_text, "lite": lite,
        "photo_link": photo_link, "elsewhere": elsewhere,
        "newsletter_offered": newsletter_offered,
        "describe": describe, "describe_list": describe_list,
    })
    env.globals["comment_max_length"] = settings.COMMENTS_MAX_LENGTH
    env.filters.update({
        "date": defaultfilters.date, "newsdate": newsdate,
        "linebreaksbr": defaultfilters.linebreaksbr,
        "truncatechars": defaultfilters.truncatechars,
    })
    return env
