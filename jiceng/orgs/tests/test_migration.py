"""The move of 承办单位 from ``tickets.HandlerOrg`` to ``orgs.Organisation`` keeps existing rows.

Run in a child process on a fresh SQLite file (a schema migration cannot run inside the suite's test
transaction): migrate to ``tickets.0003``, create organisations, members and tickets pointing at them
through the historical models, migrate forward, and find them all again through the new models; then
migrate back and find them in the old table.
"""

from __future__ import annotations

import pytest

from jiceng.testing.migrations import run_migration_check

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("orgs_migration")]


def test_moving_the_model_keeps_organisations_members_and_ticket_links(tmp_path):
    run_migration_check(__file__, tmp_path)


def _check() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = ("tickets", "0003_ticket_followup_code_hash")
    call_command("migrate", verbosity=0)
    call_command("migrate", *before, verbosity=0)
    executor = MigrationExecutor(connection)
    # every app but those whose migrations depend on tickets past 0003 (core.0001 and notices.0002 follow tickets.0006)
    nodes = [
        n
        for n in executor.loader.graph.leaf_nodes()
        if n[0] not in {"tickets", "orgs", "open311", "core", "notices", "cobuild", "committee", "needs", "members"}
    ]
    old = executor.loader.project_state([*nodes, before]).apps
    Area, User = old.get_model("territory", "Area"), old.get_model("accounts", "User")
    HandlerOrg, Ticket = old.get_model("tickets", "HandlerOrg"), old.get_model("tickets", "Ticket")
    Category, TicketAction = old.get_model("tickets", "Category"), old.get_model("tickets", "TicketAction")

    district = Area.objects.create(kind="district", name="南谯区", code="341103000000", path="0001", depth=1)
    member = User.objects.create(username="dept_person")
    dept = HandlerOrg.objects.create(kind="department", name="区城市管理局", area=district)
    dept.members.add(member)
    territory = HandlerOrg.objects.create(kind="district", name="南谯区", area=district)
    category = Category.objects.create(kind="consult", name="咨询", service_code="M01")
    ticket = Ticket.objects.create(
        ticket_no="202601010001", channel="patrol", category=category, description="路灯不亮", grid=district,
        scope_path=district.path, handler_org=dept, lead_org=dept, whistle_org=dept, dispatcher_org=territory,
    )  # fmt: skip
    ticket.co_orgs.add(dept, territory)
    TicketAction.objects.create(ticket=ticket, org=dept, action="dispatch", to_status="dispatched")

    call_command("migrate", verbosity=0)
    from jiceng.orgs.models import Organisation
    from jiceng.tickets.models import Ticket as NewTicket
    from jiceng.tickets.models import TicketAction as NewAction

    org = Organisation.objects.get(pk=dept.pk)
    assert (org.kind, org.name, org.area_id) == ("department", "区城市管理局", district.pk), org
    assert list(org.members.values_list("username", flat=True)) == ["dept_person"]
    assert list(Organisation.objects.filter(members=member.pk)) == [org]
    moved = NewTicket.objects.get(pk=ticket.pk)
    assert (moved.handler_org, moved.lead_org, moved.whistle_org) == (org, org, org)
    assert moved.dispatcher_org_id == territory.pk
    assert set(moved.co_orgs.values_list("pk", flat=True)) == {dept.pk, territory.pk}
    assert list(NewTicket.objects.filter(co_orgs=org)) == [moved]
    assert NewAction.objects.get(ticket=moved).org == org

    call_command("migrate", *before, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id FROM tickets_handlerorg_members WHERE handlerorg_id = %s", [dept.pk])
        assert cursor.fetchall() == [(member.pk,)]
        cursor.execute("SELECT handlerorg_id FROM tickets_ticket_co_orgs WHERE ticket_id = %s", [ticket.pk])
        assert {row[0] for row in cursor.fetchall()} == {dept.pk, territory.pk}
    print("rows kept")


if __name__ == "__main__":
    _check()
