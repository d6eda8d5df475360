"""The Jinja2 environment for reader pages: Django's URLs, static files, translations and dates.

Reader pages render with Jinja2, which compiles templates to Python, rather than the Django
template language; the admin keeps Django's templates. On this project's pages the switch
alone did not measurably shorten an uncached render: its queries cost more than its
template (docs/architecture.md).
Translatable strings are written `{{ _("...") }}`, which `makemessages` extracts.
"""

from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from jinja2 import Environment

from samizdat.comments.text import render as comment_text
from samizdat.photos.embeds import LEAD_SIZES, THUMB_SIZES, figure, photo_link, picture
from samizdat.syndication.structured_data import article_json_ld

from .fragments import FragmentExtension
from .helpers import absolute, elsewhere, lite, newsdate, page_url, share_links


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


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
    })
    env.globals["comment_max_length"] = settings.COMMENTS_MAX_LENGTH
    env.filters.update({
        "date": defaultfilters.date, "newsdate": newsdate,
        "linebreaksbr": defaultfilters.linebreaksbr,
        "truncatechars": defaultfilters.truncatechars,
    })
    return env
