"""The search index: an FTS5 table on SQLite, a tsvector table on PostgreSQL."""

from django.db import migrations


def create(apps, schema_editor):
    from samizdat.search.engines import PostgresEngine, SqliteEngine

    engine = PostgresEngine if schema_editor.connection.vendor == "postgresql" else SqliteEngine
    for statement in engine.create_sql:
        schema_editor.execute(statement)
    # Articles published before search existed.
    Article = apps.get_model("newsroom", "Article")
    ids = list(Article.objects.filter(status="published").values_list("id", flat=True))
    if ids:
        from samizdat.search.indexing import index_articles

        index_articles(ids)


def drop(apps, schema_editor):
    from samizdat.search.engines import PostgresEngine, SqliteEngine

    engine = PostgresEngine if schema_editor.connection.vendor == "postgresql" else SqliteEngine
    for statement in engine.drop_sql:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0004_comment_policies")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
