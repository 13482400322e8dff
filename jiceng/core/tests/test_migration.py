"""The move of 工作日历调整 from ``tickets.WorkCalendarDay`` to ``core.WorkCalendarDay`` keeps existing rows.

Run in a child process on a fresh SQLite file (a schema migration cannot run inside the suite's test
transaction): migrate ``tickets`` to 0005 only (and what it needs), create an override through the
historical model, migrate ``core`` forward (which brings ``tickets.0006``), and find the row through
the new model and ``core.workdays``; then migrate back and find it in the old table.
"""

from __future__ import annotations

import pytest

from jiceng.testing.migrations import run_migration_check

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("core_migration")]


def test_moving_the_model_keeps_the_calendar_overrides(tmp_path):
    run_migration_check(__file__, tmp_path)


def _check() -> None:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = ("tickets", "0005_organisation_moved_to_orgs")
    call_command("migrate", *before, verbosity=0)
    old = MigrationExecutor(connection).loader.project_state(before).apps
    OldDay = old.get_model("tickets", "WorkCalendarDay")
    OldDay.objects.create(date=dt.date(2027, 2, 6), is_workday=True, note="春节调休上班")
    assert "tickets_workcalendarday" in connection.introspection.table_names()

    call_command("migrate", "core", verbosity=0)
    from jiceng.core import workdays
    from jiceng.core.models import WorkCalendarDay

    tables = connection.introspection.table_names()
    assert "core_workcalendarday" in tables and "tickets_workcalendarday" not in tables, tables
    day = WorkCalendarDay.objects.get()
    assert (day.date, day.is_workday, day.note) == (dt.date(2027, 2, 6), True, "春节调休上班"), day
    workdays.clear_cache()
    assert workdays.is_workday(dt.date(2027, 2, 6))  # a Saturday, a working day only by the override

    call_command("migrate", *before, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT date, is_workday, note FROM tickets_workcalendarday")
        rows = cursor.fetchall()
    assert [(str(d), bool(w), n) for d, w, n in rows] == [("2027-02-06", True, "春节调休上班")], rows
    print("rows kept")


if __name__ == "__main__":
    _check()
