"""Byte-order ("C") collation for the columns every scoped read filters and sorts on (PostgreSQL only).

``scope_path__startswith`` becomes ``scope_path LIKE 'P%'``. PostgreSQL can answer a prefix LIKE from
an ordinary btree only when the column's collation is ``C``; with any other collation (this server's
default is ``C.UTF-8``) it needs a second ``varchar_pattern_ops`` index — which Django already adds
for every ``db_index`` CharField (the ``*_like`` indexes) — and that index cannot serve ``ORDER BY``.
With ``COLLATE "C"`` one btree, e.g. ``(scope_path, id)``, answers "everything under P" as a range
*in order*, so a list page is ``LIMIT 50`` off an index and a capped count is an index-only scan.

Materialised paths (``0001000A…``) and the name column sort the same under ``C`` as under
``C.UTF-8`` (code-point order), so nothing visible changes on such a server; on a server whose
default collation sorts Chinese by pinyin (``zh_CN.UTF-8``) names would sort by code point instead.

Django does not know about this (the model fields carry no ``db_collation``, so SQLite is untouched).
A later ``AlterField`` on one of these columns would reset it to the default collation: re-run
:func:`set_c_collation` in that migration (``tests/test_indexes.py`` checks the columns).
"""

from __future__ import annotations

from django.db import migrations


def set_c_collation(columns: list[tuple[str, str, int]]):
    """A migration operation: ``ALTER COLUMN … TYPE varchar(n) COLLATE "C"`` for each (table, column, max_length)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column, length in columns:
            schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length}) COLLATE "C"')

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column, length in columns:
            schema_editor.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length}) COLLATE "default"'
            )

    return migrations.RunPython(forwards, backwards, elidable=False)


def drop_like_indexes(columns: list[tuple[str, str]]):
    """A migration operation: drop the ``*_like`` (``varchar_pattern_ops``) index Django adds for each
    ``db_index`` / ``unique`` CharField, for each (table, column) — PostgreSQL only.

    They serve nothing on these columns: a ``COLLATE "C"`` column's own btree answers a prefix LIKE, and
    a hash column is only ever compared whole. Each one is an index entry to write for every row an
    import inserts. Django recreates no ``_like`` index by itself; a later ``AlterField`` that changes
    ``db_index`` / ``unique`` on such a column drops it with ``IF EXISTS`` (nothing breaks) and may add it
    back: ``tests/test_indexes.py`` lists each table's indexes and fails then."""

    def run(schema_editor, sql: str) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in columns:
            name = schema_editor._create_index_name(table, [column], suffix="_like")
            schema_editor.execute(sql.format(name=name, table=table, column=column))

    def forwards(apps, schema_editor):
        run(schema_editor, 'DROP INDEX IF EXISTS "{name}"')

    def backwards(apps, schema_editor):
        run(schema_editor, 'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" varchar_pattern_ops)')

    return migrations.RunPython(forwards, backwards, elidable=False)
