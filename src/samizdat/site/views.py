"""Reader views: thin functions that read published content and render one template each."""

import datetime
import functools
import zoneinfo

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from samizdat.comments import reading as comment_reading
from samizdat.comments import services as comment_services
from samizdat.newsroom import redirects as legacy_redirects
from samizdat.newsroom import services as newsroom
from samizdat.newsroom.models import (
    Article,
    ArticleRedirect,
    Author,
    Byline,
    Edition,
    Page,
    Section,
    Tag,
)
from samizdat.photos.embeds import render_body
from samizdat.photos.models import GalleryItem, Photo
from samizdat.photos.services import placed_ids
from samizdat.popular import ranking as popular

from . import chrome, fragments, pagecache
from . import preview as preview_tokens
from .fragments import Fragments, lazy
from .pagecache import reader_page
from .pagination import keyset_page
from .related import related_articles

PAGE_SIZE = 20
BREAKING_WINDOW = datetime.timedelta(hours=48)


def current_edition() -> Edition:
    edition = chrome.edition_for(get_language())
    if edition is None:
        raise Http404("no such edition")
    return edition


# The text-only edition (/{lang}/lite/...): the same views, these templates.
LITE_TEMPLATES = {
    "site/home.html": "lite/home.html",
    "site/article_list.html": "lite/list.html",
    "site/section_detail.html": "lite/list.html",
    "site/tag_detail.html": "lite/list.html",
    "site/author_detail.html": "lite/list.html",
    "site/archive.html": "lite/list.html",
    "site/article_detail.html": "lite/article.html",
    "site/page_detail.html": "lite/page.html",
    "site/404.html": "lite/404.html",
}


def is_lite(request) -> bool:
    return getattr(request, "lite", False)


def render(request, template, edition, context, status=200, fragments=None):
    """Render a reader page; the language switcher leads to translations where known.

    `fragments` declares the page's cached parts besides the masthead and footer every
    page has (site/fragments.py): name → (key parts, dependency names).
    """
    if is_lite(request):
        if template not in LITE_TEMPLATES:
            raise Http404("no text-only version of this page")
        template = LITE_TEMPLATES[template]
    parts = chrome.site_chrome(edition)
    declared = {}
    if not is_lite(request):  # the text-only templates mark no masthead or footer
        declared["footer"] = ((edition.pk,), ())
        if "translations" not in context:  # else the switcher is the page's own
            declared["masthead"] = ((edition.pk,), ())
    declared.update(fragments or {})
    context = {"edition": edition, "chrome": parts,
               "switcher": lazy(_switcher, parts["editions"], context.get("translations", ())),
               "fragments": Fragments(request, template, declared), **context}
    return TemplateResponse(request, template, context, status=status)


def _switcher(editions, translations):
    translated = {a.edition.language: a.get_absolute_url() for a in translations}
    return [(e, translated.get(e.language) or e.get_absolute_url()) for e in editions]


def published(edition=None):
    qs = Article.objects.published().for_lists()
    return qs.filter(edition=edition) if edition is not None else qs


@reader_page
def home(request):
    edition = current_edition()
    base = published(edition)
    latest = list(base.order_by("-published_at", "-id")[:PAGE_SIZE])
    # Breaking news is recent by definition; the bound keeps the scan short at 1M articles.
    breaking = list(
        base.filter(is_breaking=True, published_at__gte=timezone.now() - BREAKING_WINDOW)
        .order_by("-published_at", "-id")[:3]
    )
    lead = next(
        iter(base.filter(is_featured=True).order_by("-published_at", "-id")[:1]),
        latest[0] if latest else None,
    )
    photo_reports = list(base.filter(is_photo_report=True).order_by("-published_at", "-id")[:4])
    # The most-read list changes apart from content: the page depends on it by name.
    pagecache.depends_on(request, popular.dependency(edition.pk))
    most_read = popular.most_read(edition, "day")[:5]
    # Each section's block is a fragment that follows its section's articles, so after a
    # publication only the blocks of the sections it changed are read again.
    blocks, declared = [], {}
    for section in chrome.site_chrome(edition)["sections"]:
        if section.show_on_home:
            blocks.append((section, lazy(_newest_in, base, section)))
            declared[f"block:{section.pk}"] = (
                (edition.pk, section.pk), (fragments.section_dependency(section.pk),))
    return render(request, "site/home.html", edition, {
        "lead": lead,
        "breaking": breaking,
        "latest": [a for a in latest if a != lead][:10],
        "blocks": blocks,
        "photo_reports": photo_reports,
        "most_read": most_read,
    }, fragments=declared)


def _newest_in(articles, section):
    return list(articles.filter(section=section).order_by("-published_at", "-id")[:5])


def _listing(request, edition, queryset, template, context, url_name, url_kwargs,
             direction=None, cursor=None):
    page = keyset_page(queryset, direction, cursor, PAGE_SIZE, anchored=True)
    if cursor is not None and not page.items:
        raise Http404("no articles there")
    return render(request, template, edition, {
        **context,
        "articles": page.items,
        "page": page,
        "url_name": url_name,
        "url_kwargs": url_kwargs,
    })


@reader_page
def latest(request, direction=None, cursor=None):
    edition = current_edition()
    return _listing(request, edition, published(edition), "site/article_list.html",
                    {"heading": None}, "site:latest", {}, direction, cursor)


@reader_page
def section_detail(request, slug, direction=None, cursor=None):
    edition = current_edition()
    section = get_object_or_404(Section, edition=edition, slug=slug)
    articles = published(edition).filter(section=section)
    return _listing(request, edition, articles, "site/section_detail.html",
                    {"section": section}, "site:section", {"slug": slug}, direction, cursor)


@reader_page
def tag_detail(request, slug, direction=None, cursor=None):
    edition = current_edition()
    tag = get_object_or_404(Tag, edition=edition, slug=slug)
    articles = published(edition).filter(tags=tag)
    return _listing(request, edition, articles, "site/tag_detail.html",
                    {"tag": tag}, "site:tag", {"slug": slug}, direction, cursor)


@reader_page
def author_detail(request, slug, direction=None, cursor=None):
    edition = current_edition()
    author = get_object_or_404(Author, slug=slug)
    articles = published(edition).filter(bylines__author=author)
    return _listing(request, edition, articles, "site/author_detail.html",
                    {"author": author}, "site:author", {"slug": slug}, direction, cursor)


def archive_period(year: int, month: int | None = None, day: int | None = None):
    """[start, end) of a year, month (or day) in the newsroom's time zone; end is None
    past the last date Python knows (9999-12-31). ValueError for a date that is none."""
    if year < 1000:
        # No news archive begins before; and year 1 in a time zone east of UTC is before
        # the first moment Python's datetime can hold (OverflowError, a 500).
        raise ValueError("no archive before the year 1000")
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = datetime.date(year, 1 if month is None else month, 1 if day is None else day)
    try:
        if day is not None:
            end = start + datetime.timedelta(days=1)
        elif month is not None:
            end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        else:
            end = start.replace(year=year + 1)
    except (OverflowError, ValueError):
        end = None
    return (datetime.datetime.combine(start, datetime.time(), tz),
            None if end is None else datetime.datetime.combine(end, datetime.time(), tz))


@reader_page
def archive(request, year, month=None, day=None, direction=None, cursor=None):
    edition = current_edition()
    try:
        start, end = archive_period(int(year), month and int(month), day and int(day))
    except ValueError:
        raise Http404("no such date") from None
    articles = published(edition).filter(published_at__gte=start)
    if end is not None:
        articles = articles.filter(published_at__lt=end)
    kwargs = {"year": year, **({"month": month} if month else {}), **({"day": day} if day else {})}
    level = "day" if day else "month" if month else "year"
    return _listing(request, edition, articles, "site/archive.html",
                    {"period_start": start.date(), "level": level}, "site:archive", kwargs,
                    direction, cursor)


def _article_context(article: Article, lite: bool = False) -> dict:
    """What an article page shows, each part read only if a template uses it: with its
    fragments cached, a page-cache miss reads the article's row and nothing else."""
    tags = lazy(lambda: list(article.tags.all()))
    return {
        "article": article,
        "body": lazy(_body, article, lite),
        "gallery": lazy(lambda: list(
            GalleryItem.objects.filter(article=article).select_related("photo"))),
        "bylines": lazy(lambda: [b.author for b in
                                 Byline.objects.filter(article=article).select_related("author")]),
        "tags": tags,
        "translations": lazy(article.translations),
        "related": lazy(related_articles, article, tags),
    }


def _body(article: Article, lite: bool):
    placed = placed_ids(article.body)
    in_text = {p.pk: p for p in Photo.objects.filter(pk__in=placed)} if placed else {}
    return render_body(article.body, in_text, lite=lite)


def _article_fragments(article: Article, comments_open: bool, lite: bool) -> dict:
    own = (fragments.article_dependency(article.pk),
           fragments.group_dependency(article.translation_key))
    related = (fragments.section_dependency(article.section_id),) if article.section_id else ()
    comments = (comment_services.dependency(article.pk),)
    if lite:  # one fragment: its comment count and related list are in it
        return {"lite": ((article.pk,), own + related + comments)}
    return {
        "masthead": ((article.edition_id, article.pk), own),
        "meta": ((article.pk,), own),
        "article": ((article.pk,), own),
        "related": ((article.pk,), related),
        "comments": ((article.pk, comments_open), comments),
    }


def _article_queryset():
    return Article.objects.select_related("edition", "section", "hero_photo")


def _dated_article(edition: Edition, date: datetime.date, slug: str) -> Article | None:
    """The published article at a dated address, in one query whose SQL and column
    converters are worked out once: the ORM compiling them on every request took a
    fifth of a page-cache miss."""
    sql, names, converters = _dated_query()
    pub_date = Article._meta.get_field("pub_date").get_db_prep_value(date, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [edition.pk, pub_date, slug, "published"])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for index, convert, expression in converters:
        row[index] = convert(row[index], expression, connection)
    return Article.from_db(connection.alias, names, row)


@functools.cache
def _dated_query() -> tuple[str, list[str], list]:
    quote = connection.ops.quote_name
    meta = Article._meta
    fields = meta.concrete_fields
    columns = ", ".join(quote(f.column) for f in fields)
    where = " AND ".join(f"{quote(c)} = %s" for c in ("edition_id", "pub_date", "slug", "status"))
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where} LIMIT 1"  # noqa: S608
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(meta.db_table)
        for convert in (connection.ops.get_db_converters(column)
                        + column.get_db_converters(connection)):
            converters.append((index, convert, column))
    return sql, [f.attname for f in fields], converters


@reader_page
def article_detail(request, year, month, day, slug):
    edition = current_edition()
    try:
        date = datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise Http404("no such date") from None
    # One query, no joins: the edition and its sections are in memory already (chrome),
    # and the hero photo is read only if the article's fragment must be rendered.
    article = _dated_article(edition, date, slug)
    if article is None:
        moved = (
            ArticleRedirect.objects.select_related("article__edition")
            .filter(old_path=request.path).first()
        )
        if moved is not None and moved.article.is_public:
            return HttpResponsePermanentRedirect(moved.article.get_absolute_url())
        raise Http404("no such article")
    article.edition = edition
    section = chrome.section_for(edition, article.section_id)
    if section is not None:
        article.section = section
    # The article's comments are part of its page, which depends on them besides content.
    comment_reading.depends(request, article)
    comments_open = comment_services.is_open(article)
    lite = is_lite(request)
    return render(request, "site/article_detail.html", edition, {
        **_article_context(article, lite),
        "comments": lazy(comment_reading.threads, article),
        "comments_open": comments_open,
    }, fragments=_article_fragments(article, comments_open, lite))


def short_link(request, pk):
    article = get_object_or_404(Article.objects.published().select_related("edition"), pk=pk)
    return HttpResponsePermanentRedirect(article.get_absolute_url())


@never_cache
def preview(request, token):
    """A draft exactly as readers will see it, for staff allowed to edit it."""
    pk = preview_tokens.read_token(token)
    if pk is None:
        raise Http404("bad preview link")
    if not (request.user.is_authenticated and request.user.is_verified()):
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    article = get_object_or_404(_article_queryset(), pk=pk)
    if not (newsroom.can_edit(request.user, article) or newsroom.can_publish(request.user)):
        raise Http404("no such article")
    response = render(request, "site/article_detail.html", article.edition,
                      {**_article_context(article), "is_preview": True})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@reader_page
def page_detail(request, slug):
    edition = current_edition()
    page = get_object_or_404(Page, edition=edition, slug=slug, is_published=True)
    context = {"page": page}
    if page.kind == Page.Kind.SUPPORT:
        from .support import donation_methods

        context["donation_methods"] = donation_methods(edition)
    return render(request, "site/page_detail.html", edition, context)


def page_not_found(request, exception=None):
    # Before reader_page drops the query string: /?p=123 is an old address by its query.
    moved = _legacy_address(request)
    if moved is not None:
        return HttpResponsePermanentRedirect(moved)
    return _not_found_page(request, exception)


@reader_page
def _not_found_page(request, exception=None):
    try:
        edition = current_edition()
    except Http404:
        edition = Edition.objects.order_by("position").first()
    if edition is None:
        return TemplateResponse(request, "site/404_bare.html", {"language": get_language()},
                                status=404)
    return render(request, "site/404.html", edition, {}, status=404)


def _legacy_address(request) -> str | None:
    """Where an address of the site the newsroom moved in from leads now (newsroom.redirects).

    Asked only here, on a 404 of a reader host (one indexed query), and so on "/" only with
    a query naming content (/?p=123), which would otherwise be sent to the default edition.
    """
    if request.method not in ("GET", "HEAD"):
        return None
    admin_host = settings.ADMIN_HOST
    if admin_host and request.get_host().split(":")[0] == admin_host:
        return None
    query = request.META.get("QUERY_STRING", "")
    if request.path == "/" and not legacy_redirects.has_content_query(query):
        return None
    return legacy_redirects.resolve_request(request.path, query)


def server_error(request):
    # No database, no context processors: whatever broke must not break this page too.
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponseServerError
    from django.template import loader

    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return _database_away(request)
    template = loader.get_template("site/500.html")
    return HttpResponseServerError(template.render({"language": get_language()}))


def _database_away(request):
    """The database restarting or unreachable: a 503 saying to try again soon, with the
    mirrors and the onion address (the page written for nginx, mirrors/unavailable.py),
    for the seconds it takes; not a 500, which says something is broken."""
    from django.http import HttpResponse

    from samizdat.mirrors.unavailable import unavailable_dir

    language = request.path.split("/")[1] if request.path.count("/") > 1 else ""
    folder = unavailable_dir()
    named = [folder / f"{language}.html"] if language.isalpha() else []
    page = next((p for p in [*named, folder / "default.html"] if p.is_file()), None)
    body = page.read_bytes() if page else b"Temporarily unavailable. Try again in a minute."
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8"
                            if page else "text/plain; charset=utf-8")
    response["Retry-After"] = "10"
    response["Cache-Control"] = "no-store"
    return response
