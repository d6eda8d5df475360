"""Rows written many at once whose ids nobody needs back (imports, restores of links).

`bulk_create` builds a model instance per row and compiles every value of every row through
the ORM; at an archive's scale (a WordPress import writes some sixteen rows a post) that is
half the import. `insert` compiles the statement once per table, prepares only the columns
whose values need it (times, JSON), and hands the rows to the driver: SQLite's executemany,
PostgreSQL's COPY (or many rows a statement when a conflict must update). Like
bulk_create it sends no signals and calls no save(); unlike it, it returns nothing.
"""

from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

# Columns whose Python values the drivers take as they are; psycopg also takes (aware)
# times, dates and UUIDs, which Django would otherwise pass through several layers each.
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField,
          models.ForeignKey)
_PLAIN_ON_POSTGRESQL = _PLAIN + (models.DateTimeField, models.DateField, models.UUIDField)


def insert(model: type[models.Model], rows: Iterable[dict], *,
           unique_fields: Sequence[str] = (), update_fields: Sequence[str] = ()) -> None:
    """Insert `rows` (dicts of field name or attname -> value) into `model`'s table.

    Rows that give the primary key keep it (the caller then resets the sequence); otherwise
    the database numbers them. Fields a row leaves out get their default (computed once for
    the call), and auto_now/auto_now_add fields the time of the call, as bulk_create would. With
    `unique_fields` and `update_fields`, a row that meets an existing one on those unique
    fields updates its `update_fields` instead (INSERT ... ON CONFLICT, on SQLite and
    PostgreSQL alike).
    """
    rows = list(rows)
    if not rows:
        return
    pk = model._meta.pk
    given_pk = pk.attname in rows[0] or pk.name in rows[0]  # else the database numbers them
    fields = [f for f in model._meta.concrete_fields
              if given_pk or not (f.primary_key and isinstance(f, models.AutoField))]
    now = timezone.now()
    defaults, converters = [], []
    plain = _PLAIN_ON_POSTGRESQL if connection.vendor == "postgresql" else _PLAIN
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults.append(now)
        else:  # its default, else "" for text that may be blank, else NULL
            defaults.append(field.get_default())
        converters.append(None if isinstance(field, plain) else field.get_db_prep_save)
    names = [(field.name, field.attname) for field in fields]
    values = []
    for row in rows:
        line = []
        for (name, attname), default, convert in zip(names, defaults, converters, strict=True):
            if attname in row:
                value = row[attname]
            else:
                value = row.get(name, default)
            if isinstance(value, models.Model):
                value = value.pk
            if convert is not None and value is not None:
                value = convert(value, connection)
            line.append(value)
        values.append(line)
    tail = ""
    if unique_fields:
        quote = connection.ops.quote_name
        column = {f.name: f.column for f in fields} | {f.attname: f.column for f in fields}
        tail = " ON CONFLICT ({}) DO UPDATE SET {}".format(
            ", ".join(quote(column[name]) for name in unique_fields),
            ", ".join(f"{quote(column[name])} = EXCLUDED.{quote(column[name])}"
                      for name in update_fields))
    insert_values(model, fields, values, tail)


def insert_values(model: type[models.Model], fields: Sequence[models.Field],
                  values: Sequence[Sequence], tail: str = "") -> None:
    """Rows of values already prepared for the database, one per row, in `fields`' order."""
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 (names, not values)
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields))
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            # SQLite's executemany runs the one prepared statement row after row in C.
            cursor.executemany(head + row + tail, values)
            return
        if not tail:
            # COPY: the rows stream to the server in one operation and psycopg formats
            # them in C, several times faster than any INSERT.
            with cursor.copy("COPY {} ({}) FROM STDIN".format(
                    quote(model._meta.db_table),
                    ", ".join(quote(f.column) for f in fields))) as copy:
                for line in values:
                    copy.write_row(line)
            return
        # psycopg sends an executemany row by row, a round trip each: many rows a statement
        # instead (at most 65,535 parameters, PostgreSQL's limit).
        per = max(1, 60_000 // len(fields))
        for start in range(0, len(values), per):
            chunk = values[start:start + per]
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail,
                           [value for line in chunk for value in line])


def analyze(*models: type[models.Model] | str) -> None:
    """Fresh planner statistics for tables a bulk load just filled (PostgreSQL: ANALYZE),
    and their GIN indexes' pending entries merged (_GIN_INDEXES).

    Until autovacuum comes round, PostgreSQL plans a freshly loaded table as if it were
    empty: the home page's latest list joined every article of an edition instead of
    walking an index to the 20 it shows (seconds instead of milliseconds at 1,000,000).
    With no models, the whole database.
    Models bring their many-to-many tables; a string names a table of its own (the search
    index). SQLite's planner is left to its own rules, under
    which the embedded default's figures were measured.
    """
    if connection.vendor != "postgresql":
        return
    if not models:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute(f"SELECT gin_clean_pending_list(i.indexrelid) {_GIN_INDEXES}")
        return
    quote = connection.ops.quote_name
    tables = []
    for model in models:
        if isinstance(model, str):
            tables.append(model)
            continue
        tables.append(model._meta.db_table)
        tables += [field.remote_field.through._meta.db_table
                   for field in model._meta.local_many_to_many]
    tables = list(dict.fromkeys(tables))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(quote(t) for t in tables))
        cursor.execute(f"SELECT gin_clean_pending_list(i.indexrelid) {_GIN_INDEXES} "  # noqa: S608
                       "AND i.indrelid = ANY(%s::regclass[])", [tables])


# A GIN index (the search index's text and facets) takes new rows into a pending list,
# which every search then reads through from end to end, and which the planner prices in:
# after a bulk load it held 1.7 MB at 100,000 articles, and made a rare word's search read
# the table instead of the index. Autovacuum would merge it some time later.
_GIN_INDEXES = ("FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'gin'")
