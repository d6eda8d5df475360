"""The search index: an FTS5 table on SQLite, a tsvector table on PostgreSQL.

The statements are written out here rather than read from search/engines.py: a migration
must create what it created when it was written, whatever the live code says later.
Articles already published when search arrived are indexed by `samizdat search_index`
(which also rebuilds the table from engines.py's current definition).
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "headline, lead, body, facets, tokenize = 'unicode61 remove_diacritics 0')",
]
POSTGRESQL = [
    """CREATE TABLE IF NOT EXISTS search_document (
        article_id integer PRIMARY KEY,
        edition_id integer NOT NULL,
        published_at timestamptz NOT NULL,
        facets text[] NOT NULL,
        document tsvector NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS search_document_text ON search_document USING gin (document)",
    "CREATE INDEX IF NOT EXISTS search_document_facets ON search_document USING gin (facets)",
    "CREATE INDEX IF NOT EXISTS search_document_feed ON search_document "
    "(edition_id, published_at DESC, article_id DESC)",
]
TABLES = {"sqlite": "search_fts", "postgresql": "search_document"}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    table = TABLES["postgresql" if schema_editor.connection.vendor == "postgresql" else "sqlite"]
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0004_comment_policies")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
