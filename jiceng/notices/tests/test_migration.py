"""The move of 站内通知 from ``tickets.Notification`` to ``notices.Notice`` keeps every row.

Run in a child process on a fresh SQLite file (a schema migration cannot run inside the suite's test
transaction): migrate ``tickets`` to 0006, write a notification about a ticket (read) and one about no
ticket (unread) through the historical models, migrate forward and find both as notices (same id, text,
kind, time, read state; the first targets its ticket, with the ticket's page as its address); then
migrate ``notices`` back and find both in the old table.
"""

from __future__ import annotations

import pytest

from jiceng.testing.migrations import run_migration_check

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("notices_migration")]


def test_moving_the_model_keeps_the_notifications(tmp_path):
    run_migration_check(__file__, tmp_path)


def _check() -> None:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = ("tickets", "0006_workcalendarday_moved_to_core")
    call_command("migrate", *before, verbosity=0)
    old = MigrationExecutor(connection).loader.project_state(before).apps
    User = old.get_model("accounts", "User")
    Area = old.get_model("territory", "Area")
    Ticket = old.get_model("tickets", "Ticket")
    Notification = old.get_model("tickets", "Notification")
    who = User.objects.create(username="grid_wc01")
    grid = Area.objects.create(path="0001", depth=1, kind="grid", code="G1", name="文昌第一网格")
    ticket = Ticket.objects.create(
        scope_path="0001",
        ticket_no="20270206-0001",
        channel="phone",
        category=old.get_model("tickets", "Category").objects.first(),
        description="路灯不亮",
        grid=grid,
    )
    when = dt.datetime(2027, 2, 6, 1, 2, 3, tzinfo=dt.UTC)
    read = Notification.objects.create(user=who, ticket=ticket, kind="todo", text="新诉求待受理", read_at=when)
    plain = Notification.objects.create(user=who, ticket=None, kind="progress", text="测试通知")
    Notification.objects.filter(pk=read.pk).update(created_at=when)

    call_command("migrate", "tickets", verbosity=0)
    from jiceng.notices.models import Notice
    from jiceng.tickets.models import Ticket as NewTicket

    assert "tickets_notification" not in connection.introspection.table_names()
    first, second = Notice.objects.order_by("pk")
    assert (first.pk, first.user_id, first.kind, first.text) == (read.pk, who.pk, "todo", "新诉求待受理")
    assert (first.created_at, first.read_at) == (when, when), (first.created_at, first.read_at)
    assert first.target == NewTicket.objects.get(pk=ticket.pk)
    assert first.target_url == f"/tickets/{ticket.pk}/", first.target_url
    assert (second.pk, second.target_type_id, second.target_id, second.target_url) == (plain.pk, None, None, "")
    assert (second.kind, second.text, second.read_at) == ("progress", "测试通知", None)
    later = Notice.objects.create(user_id=who.pk, text="新的")  # the id sequence moved past the copied rows
    assert later.pk > plain.pk

    call_command("migrate", "notices", "0001_initial", verbosity=0)  # takes tickets back to 0006 first
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, ticket_id, kind, text, read_at IS NULL FROM tickets_notification ORDER BY id")
        rows = cursor.fetchall()
    expected = [(read.pk, ticket.pk, "todo", "新诉求待受理", 0), (plain.pk, None, "progress", "测试通知", 1)]
    assert [tuple(r[:4]) + (int(r[4]),) for r in rows[:2]] == expected, rows
    print("rows kept")


if __name__ == "__main__":
    _check()
