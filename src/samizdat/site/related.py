"""Related articles: recent stories of the same section, those sharing tags first."""

from django.db.models import Q

from samizdat.newsroom.models import Article

CANDIDATES = 30
SHOWN = 5


def related_articles(article: Article, tags=None) -> list[Article]:
    """Three bounded, indexed queries whatever the archive size.

    Candidates are read as bare ids (no model instances for the 25 not shown); only the
    five chosen are loaded whole.
    """
    if not article.section_id or not article.published_at:
        return []
    candidates = list(
        Article.objects.published()
        .filter(section_id=article.section_id)
        .filter(Q(published_at__lte=article.published_at)
                & ~Q(published_at=article.published_at, id__gte=article.pk))
        .order_by("-published_at", "-id")
        .values_list("id", flat=True)[:CANDIDATES]
    )
    if not candidates:
        return []
    tag_ids = [t.pk for t in (article.tags.all() if tags is None else tags)]
    shared: dict[int, int] = {}
    if tag_ids:
        through = Article.tags.through
        for article_id in through.objects.filter(
            article_id__in=candidates, tag_id__in=tag_ids
        ).values_list("article_id", flat=True):
            shared[article_id] = shared.get(article_id, 0) + 1
    # Stable sort: most shared tags first, then newest (the candidates' own order).
    chosen = sorted(candidates, key=lambda pk: -shared.get(pk, 0))[:SHOWN]
    loaded = Article.objects.for_lists().in_bulk(chosen)
    return [loaded[pk] for pk in chosen if pk in loaded]
