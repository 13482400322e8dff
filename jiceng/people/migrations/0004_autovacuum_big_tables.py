"""PostgreSQL: vacuum the two biggest tables after 2 % of their rows changed, not PostgreSQL's 20 %.

An import dry run (or an all-or-nothing import that was rejected) writes and rolls back up to 100,000
residents and their dwellings: dead tuples. At a million residents the default threshold (20 %) never
reaches them, and until a vacuum does, the planner reads through them at the ends of the indexes on
every list query (planning a street's resident page went from 1 ms to 14 ms). With 2 %, autovacuum
cleans up within a minute or two of such an import.
"""

from django.db import migrations

TABLES = ("people_resident", "territory_household")
OPTIONS = "autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f'ALTER TABLE "{table}" SET ({OPTIONS})')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f'ALTER TABLE "{table}" RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_list_indexes"),
        ("territory", "0003_c_collation"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
