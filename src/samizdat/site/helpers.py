"""Helpers the reader templates call: localised dates, share links, pagination links."""

import functools
import re
from urllib.parse import quote

from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CAPITALISED_WEEKDAYS = {"en", "de"}


def newsdate(value, with_time=True):
    """'3 May 2024, Friday, 14:23' in the newsroom's time zone and the active language."""
    if not value:
        return ""
    return _newsdate(value, with_time, get_language())


@functools.lru_cache(maxsize=8192)
def _newsdate(value, with_time, language):
    # A pure function of its arguments (the time zone is fixed at start-up); list pages
    # format the same few dozen dates over and over.
    # The language's formats (samizdat/formats): the genitive month in be and ru.
    local = timezone.localtime(value)
    day = date_filter(local, "DATE_FORMAT")
    if not with_time:
        return day
    weekday = date_filter(local, "l")
    if language not in CAPITALISED_WEEKDAYS:
        weekday = weekday.lower()  # "3 мая 2024, пятница": Slavic weekdays are not capitalised
    return f"{day}, {weekday}, {date_filter(local, 'TIME_FORMAT')}"


LITE_PREFIX = re.compile(r"^(/[a-z]{2,3}(?:-[a-z0-9]{1,8})?/)(?!lite/)")


def lite(path: str) -> str:
    """The text-only edition's address of a reader page: /en/news/… → /en/lite/news/…"""
    prefix = get_script_prefix()
    rest = path.removeprefix(prefix.rstrip("/"))
    return prefix.rstrip("/") + LITE_PREFIX.sub(r"\1lite/", rest, count=1)


def page_url(url_name, url_kwargs, direction, cursor):
    """The address of an older/newer page of a listing ("" cursor: the first page)."""
    if not cursor:
        return reverse(url_name, kwargs=url_kwargs)
    return reverse(f"{url_name}-{direction}", kwargs={**url_kwargs, "cursor": cursor})


def absolute(path):
    if path.startswith(("https://", "http://")):
        return path
    return f"{settings.SITE_URL}{path}"


# Set in the WSGI environ by `samizdat bake` for the pages it renders; no HTTP header can
# set a key without the HTTP_ prefix.
COPY_MARK = "samizdat.copy"


def elsewhere(request, path):
    """In a baked copy, the addresses of `path` on the site itself and on its onion, for
    what only the live site does (comments, search); None on the live site."""
    if not request.META.get(COPY_MARK):
        return None
    onion = getattr(settings, "ONION_ADDRESS", "")
    return {"site": absolute(path), "onion": f"http://{onion}{path}" if onion else ""}


SHARE_TARGETS = (
    ("Telegram", "https://t.me/share/url?url={url}&text={title}"),
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    ("X", "https://x.com/intent/post?url={url}&text={title}"),
    ("VK", "https://vk.com/share.php?url={url}&title={title}"),
    ("WhatsApp", "https://wa.me/?text={title}%20{url}"),
    (_("Email"), "mailto:?subject={title}&body={url}"),  # the others are names
)


def share_links(article):
    """Plain links to each network's share page: nothing loads until a reader clicks."""
    url = quote(f"{settings.SITE_URL}{article.get_absolute_url()}", safe="")
    title = quote(article.headline, safe="")
    return [(name, pattern.format(url=url, title=title)) for name, pattern in SHARE_TARGETS]
