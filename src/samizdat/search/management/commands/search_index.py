"""`samizdat search_index`: rebuild the search index from the published articles."""

from django.core.management.base import BaseCommand
from django.db import transaction

from samizdat.newsroom.bulk import analyze
from samizdat.newsroom.models import Article
from samizdat.newsroom.workflow import Status
from samizdat.progress import progress
from samizdat.search.engines import engine
from samizdat.search.indexing import index_articles


class Command(BaseCommand):
    help = "Rebuild the search index of published articles (it is kept in step on its own)."

    def handle(self, *args, **options):
        ids = list(Article.objects.filter(status=Status.PUBLISHED)
                   .order_by("id").values_list("id", flat=True))
        search = engine()
        with transaction.atomic():
            # All or nothing: readers keep the old index until the new one is complete.
            for statement in search.drop_sql + search.create_sql:
                with transaction.get_connection().cursor() as cursor:
                    cursor.execute(statement)
            with progress(len(ids), "search index", self.stderr) as bar:
                indexed = index_articles(ids, bar)
        analyze(search.TABLE)
        self.stdout.write(f"Search index rebuilt: {indexed} published articles.")
