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
    ("people_resident", "given_name"),
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


#: Every index on the two tables an import writes most to (people 0005, territory 0004 dropped the ones that
#: served nothing). A migration that adds one back — or Django re-adding a ``_like`` twin after an
#: ``AlterField`` — fails here: each index is written for every imported row.
INDEXES = {
    "people_resident": {
        "people_resident_pkey", "people_resident_id_hash_key", "people_resident_phone_hash_7f2bd51a",
        "people_resident_scope_path_5df9cefa", "people_resident_building_id_acedf8a4",
        "people_resident_grid_id_7033e219", "people_resident_household_id_ced4480b",
        "resident_scope_idx", "resident_name_idx", "resident_last4_idx", "resident_given_idx",
    },
    "territory_household": {
        "territory_household_pkey", "territory_household_household_no_key",
        "territory_household_household_no_2f72e677_like",  # the household filter's household_no__startswith
        "territory_household_scope_path_3a5874a7", "territory_household_head_id_35ad93fd", "uniq_household_room",
    },
}  # fmt: skip


@pytest.mark.parametrize("table", sorted(INDEXES))
def test_the_import_tables_carry_only_the_indexes_they_use(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        assert {row[0] for row in cursor.fetchall()} == INDEXES[table]


def test_a_name_search_and_a_dwelling_lookup_still_use_an_index():
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM people_resident WHERE name LIKE '张%%' AND scope_path LIKE '0001%%'"
            " AND deleted_at IS NULL ORDER BY name, scope_path, id LIMIT 50"
        )
        name_plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN SELECT id FROM territory_household WHERE building_id = 1")
        building_plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "resident_name_idx" in name_plan
    assert "uniq_household_room" in building_plan
