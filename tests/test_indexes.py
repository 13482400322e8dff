"""What the migrations do to PostgreSQL that Django's models do not describe: byte-order ("C") collation
on the columns every scoped read filters and sorts on (``jiceng.core.collation``), and autovacuum
thresholds for the biggest tables (people 0004). A later ``AlterField`` could undo either: this fails then."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]

C_COLLATED = [
    ("audit_auditlog", "scope_path"),
    ("audit_sensitiveaccesslog", "scope_path"),
    ("party_centralhousehold", "scope_path"),
    ("party_committeeseat", "scope_path"),
    ("party_partygroup", "scope_path"),
    ("party_partymember", "scope_path"),
    ("party_partyorg", "scope_path"),
    ("people_resident", "name"),
    ("people_resident", "scope_path"),
    ("people_residenttag", "scope_path"),
    ("people_worker", "scope_path"),
    ("territory_area", "path"),
    ("territory_building", "scope_path"),
    ("territory_household", "scope_path"),
]


@pytest.mark.parametrize("table,column", C_COLLATED)
def test_scope_columns_are_c_collated(table, column):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
            [table, column],
        )
        assert cursor.fetchone() == ("C",)


@pytest.mark.parametrize("table", ["people_resident", "territory_household"])
def test_big_tables_are_vacuumed_after_two_percent_changed(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        options = set(cursor.fetchone()[0] or [])
    assert {"autovacuum_vacuum_scale_factor=0.02", "autovacuum_analyze_scale_factor=0.02"} <= options


def test_a_prefix_range_on_a_scope_path_is_an_index_range():
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM people_resident WHERE scope_path LIKE '0001%%' AND deleted_at IS NULL "
            "ORDER BY scope_path, id LIMIT 50"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "Index" in plan and "scope_path >= '0001'" in plan and "Sort" not in plan.split("->")[0]
