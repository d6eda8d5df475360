"""Searching published articles: `search()` is the one entry point for pages and the API.

The engine returns the newest matching articles (at most CANDIDATES) with their relevance;
here they are ranked by relevance weighed with freshness, one page is loaded in a fixed
number of queries, and its headlines and snippets are marked.
"""

import datetime
import math
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from markupsafe import Markup

from samizdat.newsroom.models import Article, Author, Edition, Section

from . import text
from .engines import Filters, TooCostly, engine

PAGE_SIZE = 20
CANDIDATES = 1000
# A story loses half its freshness bonus in this many days.
FRESHNESS_DAYS = 90


@dataclass
class Hit:
    article: Article
    headline_html: Markup
    snippet_html: Markup
    score: float


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # matches ranked (at most CANDIDATES)
    page: int = 1
    pages: int = 0
    error: str = ""
    capped: bool = False  # more matches exist than were ranked


def score(relevance: float, published: float, now: float) -> float:
    """Relevance, raised by up to 2x for today's news and less for older news (times in Unix
    seconds)."""
    age_days = max(0.0, (now - float(published)) / 86400)
    return max(relevance, 1e-9) * (1 + math.pow(0.5, age_days / FRESHNESS_DAYS))


# The days a search may name: wider ranges are refused, not searched.
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2200, 1, 1)


def date_error(day: datetime.date | None) -> str:
    """Why `day` cannot bound a search, or ""."""
    if day and not FIRST_DAY <= day <= LAST_DAY:
        return _("Choose a date between 1900 and 2200.")
    return ""


def _bounds(date_from, date_to):
    """The moments a search is bounded by; a bound that excludes nothing (before the first
    day, after today) is dropped, so "0001 to 9999" costs what no dates cost."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    since = (datetime.datetime.combine(date_from, datetime.time(), tz)
             if date_from and date_from > FIRST_DAY else None)
    before = (datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time(), tz)
              if date_to else None)
    if before is not None and before > timezone.now():
        before = None  # nothing published is dated in the future
    return since, before


def search(query_text: str, *, editions: list[Edition] | None = None,
           section: Section | None = None, author: Author | None = None,
           date_from: datetime.date | None = None, date_to: datetime.date | None = None,
           page: int = 1) -> Results:
    """Published articles matching `query_text`, best first; `error` says what went wrong."""
    try:
        query = text.parse(query_text)
    except text.QueryError as error:
        return Results(error=str(error))
    if error := date_error(date_from) or date_error(date_to):
        return Results(error=error)
    if date_from and date_to and date_from > date_to:
        return Results(error=_("The start date is after the end date."))
    editions = list(editions) if editions else list(Edition.objects.all())
    since, before = _bounds(date_from, date_to)
    filters = Filters(editions={e.pk: e.language for e in editions},
                      section_id=section.pk if section else None,
                      author_id=author.pk if author else None, since=since, before=before)
    try:
        found = engine().candidates(query, filters, CANDIDATES + 1)
    except TooCostly:
        return Results(error=_("This search takes too long. Add a word, a section or dates "
                               "to narrow it."))
    capped = len(found) > CANDIDATES
    found = found[:CANDIDATES]
    pages = math.ceil(len(found) / PAGE_SIZE)
    page = max(1, page)
    if not found or page > pages:
        return Results(total=len(found), page=page, pages=pages, capped=capped)
    now = timezone.now().timestamp()
    ranked = sorted(((score(rel, published, now), pk) for pk, rel, published in found),
                    reverse=True)
    chosen = ranked[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    articles = Article.objects.for_lists("body").in_bulk([pk for _, pk in chosen])
    hits = []
    for value, pk in chosen:
        article = articles.get(pk)
        if article is None:
            continue
        language = article.edition.language
        body = text.plain_text(article.body)
        hits.append(Hit(article=article,
                        headline_html=text.mark(article.headline, query, language),
                        snippet_html=text.snippet(
                            f"{article.lead} {body}" if article.lead else body, query, language),
                        score=value))
    return Results(hits=hits, total=len(found), page=page, pages=pages, capped=capped)
