"""Keeping the search index in step with what readers can see.

An article's index row is rewritten in the same transaction as the change itself (saving
the article, or its bylines), so the index and the articles cannot disagree: a published
article is found, an unpublished or deleted one is gone, whatever path changed it. Bulk
writers (the demo, imports) call `index_articles` with the ids they wrote.
"""

from django.db.models.signals import post_delete, post_save

from samizdat.newsroom.models import Article, Byline
from samizdat.newsroom.workflow import Status

from .engines import Document, engine
from .text import plain_text

CHUNK = 2000


def _documents(ids: list[int]) -> tuple[list[Document], list[int]]:
    """Index rows of the published articles among `ids`, and the ids that have none."""
    rows = list(
        Article.objects.filter(pk__in=ids, status=Status.PUBLISHED)
        .values_list("id", "edition_id", "edition__language", "published_at", "headline",
                     "lead", "body", "section_id")
    )
    authors: dict[int, list[int]] = {}
    for article_id, author_id in Byline.objects.filter(
            article_id__in=[r[0] for r in rows]).values_list("article_id", "author_id"):
        authors.setdefault(article_id, []).append(author_id)
    docs = [
        Document(article_id=pk, edition_id=edition_id, language=language,
                 published_at=published_at, headline=headline, lead=lead,
                 text=plain_text(body),
                 facets=tuple([f"s{section_id}"] * bool(section_id)
                              + [f"a{a}" for a in authors.get(pk, ())]))
        for pk, edition_id, language, published_at, headline, lead, body, section_id in rows
    ]
    found = {d.article_id for d in docs}
    return docs, [pk for pk in ids if pk not in found]


def index_articles(ids, bar=None) -> int:
    """(Re)write the index rows of these articles; returns how many are now indexed."""
    ids = list(ids)
    indexed = 0
    search = engine()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        docs, _gone = _documents(chunk)
        search.remove(chunk)
        search.add(docs)
        indexed += len(docs)
        if bar is not None:
            bar.update(len(chunk))
    return indexed


def _article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index_articles([instance.pk])


def _article_deleted(sender, instance, **kwargs):
    engine().remove([instance.pk])


def _byline_changed(sender, instance, raw=False, **kwargs):
    if not raw and Article.objects.filter(pk=instance.article_id).exists():
        index_articles([instance.article_id])


def connect() -> None:
    post_save.connect(_article_saved, sender=Article, dispatch_uid="search-article")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="search-article-del")
    post_save.connect(_byline_changed, sender=Byline, dispatch_uid="search-byline")
    post_delete.connect(_byline_changed, sender=Byline, dispatch_uid="search-byline-del")
