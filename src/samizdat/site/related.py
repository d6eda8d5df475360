"""Related articles: recent stories of the same section, those sharing tags first."""

from django.db.models import Q

from samizdat.newsroom.models import Article

CANDIDATES = 30
SHOWN = 5


def related_articles(article: Article) -> list[Article]:
    """Two bounded, indexed queries whatever the archive size."""
    if not article.section_id or not article.published_at:
        return []
    candidates = list(
        Article.objects.published()
        .for_lists()
        .filter(section_id=article.section_id)
        .filter(Q(published_at__lte=article.published_at)
                & ~Q(published_at=article.published_at, id__gte=article.pk))
        .order_by("-published_at", "-id")[:CANDIDATES]
    )
    tag_ids = [t.pk for t in article.tags.all()]
    if not candidates or not tag_ids:
        return candidates[:SHOWN]
    through = Article.tags.through
    shared: dict[int, int] = {}
    for article_id in through.objects.filter(
        article_id__in=[c.pk for c in candidates], tag_id__in=tag_ids
    ).values_list("article_id", flat=True):
        shared[article_id] = shared.get(article_id, 0) + 1
    # Stable sort: most shared tags first, then newest (the candidates' own order).
    return sorted(candidates, key=lambda c: -shared.get(c.pk, 0))[:SHOWN]
