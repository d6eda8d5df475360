"""The API's endpoints: thin functions over published content, each in a fixed number of queries.

Every filter value is looked up first (one query each) and an unknown one answers 404; lists
walk an index by keyset cursor, never by OFFSET, so page 10,000 costs what page 1 does.
"""

import datetime
from typing import Annotated

from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.errors import HttpError

from samizdat.newsroom.models import Article, Author, Byline, Edition, Section, Tag
from samizdat.newsroom.workflow import Status
from samizdat.search.query import search
from samizdat.site.pagination import keyset_page

from . import schemas
from .throttles import ClientThrottle, SearchThrottle

router = Router()

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
# What the parameters accept; anything else is refused with 422 before a query is made.
LANGUAGE = r"^[a-z]{2,3}(-[a-z0-9]{1,4})?$"
SLUG = r"^[-a-zA-Z0-9_]{1,120}$"
# "micros-id" as site.pagination.encode writes it, within the bounds decode accepts.
ARTICLE_CURSOR = r"^[0-9]{1,17}-[1-9][0-9]{0,17}$"
ID_CURSOR = r"^[1-9][0-9]{0,17}$"
PAGE_CURSOR = r"^[1-9][0-9]{0,3}$"
MAX_ID = 10**18 - 1  # well inside a 64-bit integer column

# The errors each endpoint may answer with, for the schema: 429 everywhere (the rate limit),
# 422 for parameters that do not fit, 404 for unknown filter values or articles, 400 for a
# search the engine refuses.
LIMITED = {429: schemas.Error}
CHECKED = {**LIMITED, 422: schemas.Invalid}
FILTERED = {**CHECKED, 404: schemas.Error}

EditionParam = Annotated[str | None, Query(pattern=LANGUAGE, example="en",
                                            description="An edition's language code.")]
SectionParam = Annotated[str | None, Query(pattern=SLUG, example="belarus",
                                           description="A section's slug.")]
TagParam = Annotated[str | None, Query(pattern=SLUG, example="minsk",
                                       description="A tag's slug.")]
AuthorParam = Annotated[str | None, Query(pattern=SLUG, example="correspondent",
                                          description="An author's slug.")]
LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
NEXT = "`next` of the previous page."


# --- Lookups ----------------------------------------------------------------------------------

def _edition(language: str | None) -> Edition | None:
    if language is None:
        return None
    edition = Edition.objects.filter(language=language).first()
    if edition is None:
        raise HttpError(404, _("There is no edition “%(value)s”.") % {"value": language})
    return edition


def _matching(model, slug: str | None, edition: Edition | None, what: str) -> list | None:
    """The sections or tags called `slug`: one per edition, or the one in `edition`."""
    if slug is None:
        return None
    found = model.objects.filter(slug=slug).order_by("pk")
    if edition is not None:
        found = found.filter(edition=edition)
    rows = list(found)
    if not rows:
        raise HttpError(404, what % {"value": slug})
    return rows


def _author(slug: str | None) -> Author | None:
    if slug is None:
        return None
    author = Author.objects.filter(slug=slug).first()
    if author is None:
        raise HttpError(404, _("There is no author “%(value)s”.") % {"value": slug})
    return author


def _articles(*extra: str):
    """Published articles with everything an item shows (and `extra` fields): three queries
    for any page."""
    return (
        Article.objects.published()
        .select_related("edition", "section")
        .only("id", "headline", "slug", "lead", "published_at", "pub_date", "updated_at",
              "is_photo_report", "has_video", "edition__language",
              "section__slug", "section__name", *extra)
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("id", "slug", "name")),
            Prefetch("bylines", queryset=Byline.objects.select_related("author")
                     .only("id", "article_id", "position", "author__slug", "author__name")),
        )
    )


def _next_id(rows: list, limit: int) -> str | None:
    return str(rows[limit - 1].pk) if len(rows) > limit else None


# --- Endpoints --------------------------------------------------------------------------------

@router.get("/editions", response={200: list[schemas.EditionOut], **LIMITED},
            operation_id="listEditions", tags=["editions"], summary="Language editions")
def list_editions(request):
    return list(Edition.objects.order_by("position", "language"))


@router.get("/articles", response={200: schemas.ArticlePage, **FILTERED},
            operation_id="listArticles", tags=["articles"], summary="Published articles")
def list_articles(
    request,
    edition: EditionParam = None,
    section: SectionParam = None,
    tag: TagParam = None,
    author: AuthorParam = None,
    cursor: Annotated[str | None, Query(pattern=ARTICLE_CURSOR, example="1714737780000000-1234",
                                        description=NEXT)] = None,
    limit: LimitParam = DEFAULT_LIMIT,
):
    """Newest first. Section and tag slugs are per edition: without `edition`, a slug
    matches the sections or tags of that name in every edition."""
    chosen = _edition(edition)
    sections = _matching(Section, section, chosen, _("There is no section “%(value)s”."))
    tags = _matching(Tag, tag, chosen, _("There is no tag “%(value)s”."))
    byline = _author(author)
    articles = _articles()
    if chosen is not None:
        articles = articles.filter(edition=chosen)
    if sections is not None:
        articles = articles.filter(section__in=[s.pk for s in sections])
    if tags is not None:
        # One tag joins its links; several (one per edition) must not repeat an article
        # that somehow carries two of them.
        articles = (articles.filter(tags=tags[0]) if len(tags) == 1 else articles.filter(
            pk__in=Article.tags.through.objects.filter(tag__in=[t.pk for t in tags])
            .values("article_id")))
    if byline is not None:
        articles = articles.filter(bylines__author=byline)
    page = keyset_page(articles, "older" if cursor else None, cursor, limit)
    return {"items": page.items, "next": page.older}


@router.get("/articles/{article_id}", response={200: schemas.ArticleDetail, **FILTERED},
            operation_id="getArticle", tags=["articles"], summary="One published article")
def get_article(request, article_id: Annotated[int, Path(ge=1, le=MAX_ID)]):
    article = _articles("body").filter(pk=article_id).first()
    if article is None:
        raise HttpError(404, _("There is no published article with this number."))
    return article


@router.get("/sections", response={200: list[schemas.SectionOut], **FILTERED},
            operation_id="listSections", tags=["sections"], summary="Sections")
def list_sections(request, edition: EditionParam = None):
    chosen = _edition(edition)
    sections = Section.objects.select_related("edition").order_by(
        "edition__position", "edition__language", "position", "name")
    if chosen is not None:
        sections = sections.filter(edition=chosen)
    return list(sections)


@router.get("/tags", response={200: schemas.TagPage, **FILTERED},
            operation_id="listTags", tags=["tags"], summary="Tags with published articles")
def list_tags(
    request,
    edition: EditionParam = None,
    cursor: Annotated[str | None, Query(pattern=ID_CURSOR, description=NEXT)] = None,
    limit: LimitParam = DEFAULT_LIMIT,
):
    chosen = _edition(edition)
    used = Article.tags.through.objects.filter(tag=OuterRef("pk"),
                                               article__status=Status.PUBLISHED)
    tags = Tag.objects.filter(Exists(used)).select_related("edition").order_by("id")
    if chosen is not None:
        tags = tags.filter(edition=chosen)
    if cursor is not None:
        tags = tags.filter(id__gt=int(cursor))
    rows = list(tags[: limit + 1])
    return {"items": rows[:limit], "next": _next_id(rows, limit)}


@router.get("/authors", response={200: schemas.AuthorPage, **CHECKED},
            operation_id="listAuthors", tags=["authors"], summary="Authors with published articles")
def list_authors(
    request,
    cursor: Annotated[str | None, Query(pattern=ID_CURSOR, description=NEXT)] = None,
    limit: LimitParam = DEFAULT_LIMIT,
):
    signed = Byline.objects.filter(author=OuterRef("pk"), article__status=Status.PUBLISHED)
    authors = Author.objects.filter(Exists(signed)).only("id", "slug", "name", "bio").order_by("id")
    if cursor is not None:
        authors = authors.filter(id__gt=int(cursor))
    rows = list(authors[: limit + 1])
    return {"items": rows[:limit], "next": _next_id(rows, limit)}


@router.get("/search", response={200: schemas.SearchPage, **FILTERED, 400: schemas.Error},
            operation_id="searchArticles", tags=["search"], summary="Full-text search",
            throttle=[ClientThrottle(), SearchThrottle()])
def search_articles(
    request,
    # 200 characters: the search engine's own limit.
    q: Annotated[str, Query(min_length=1, max_length=200, example="minsk", description=(
        'Words to find; "quoted words" must stand together.'))],
    edition: EditionParam = None,
    section: SectionParam = None,
    author: AuthorParam = None,
    date_from: Annotated[datetime.date | None, Query(alias="from", description="First day.")
                         ] = None,
    date_to: Annotated[datetime.date | None, Query(alias="to", description="Last day.")] = None,
    cursor: Annotated[str | None, Query(pattern=PAGE_CURSOR, description=NEXT)] = None,
):
    """Best matches first, weighed with freshness; 20 a page."""
    chosen = _edition(edition)
    sections = _matching(Section, section, chosen, _("There is no section “%(value)s”."))
    if sections is not None and len(sections) > 1:
        raise HttpError(400, _("Sections of several editions have this slug: choose an "
                               "edition too."))
    results = search(
        q.replace("\x00", " "),  # PostgreSQL refuses NUL in text; nobody searches for it
        editions=[chosen] if chosen is not None else None,
        section=sections[0] if sections else None,
        author=_author(author),
        date_from=date_from,
        date_to=date_to,
        page=int(cursor or 1),
    )
    if results.error:
        raise HttpError(400, results.error)
    # The hits' articles again, with their tags and bylines: three queries for the page,
    # and a second check that each is published.
    articles = _articles().in_bulk([hit.article.pk for hit in results.hits])
    items = []
    for hit in results.hits:
        article = articles.get(hit.article.pk)
        if article is not None:
            article.headline_html = str(hit.headline_html)
            article.snippet_html = str(hit.snippet_html)
            article.score = hit.score
            items.append(article)
    more = results.page < results.pages
    return {"items": items, "total": results.total, "next": str(results.page + 1) if more else None}
