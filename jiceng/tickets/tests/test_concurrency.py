"""Two people act on the same ticket at the same moment: exactly one succeeds.

On PostgreSQL two threads with their own connections race for real (``select_for_update`` makes the
second wait for the first, then see the new state and raise ``Conflict``). SQLite has no row locks
and serialises whole-database writes, so there the stale-copy test in ``test_services.py`` covers it.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jiceng.core.errors import Conflict
from jiceng.tickets.choices import Status
from jiceng.tickets.tests.conftest import centre, user

pytestmark = pytest.mark.django_db


def _in_thread(fn):
    """Run ``fn`` in a new thread, hence on its own connection, committing as it goes."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            box["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in box:
        raise box["error"]
    return box.get("value")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks: two writers cannot race")
def test_two_concurrent_transitions_exactly_one_succeeds(world):
    from jiceng.audit.models import AuditLog
    from jiceng.tickets.models import Ticket, TicketAction
    from jiceng.tickets.services import ticket_create, ticket_transition

    lng, lat = centre(world.grid)
    pk = _in_thread(
        lambda: (
            ticket_create(
                actor=user("resident_demo"), category=world.complaint.pk, description="并发测试", lng=lng, lat=lat
            ).obj.pk
        )
    )
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def act(username, action, **payload):
        def run():
            try:
                ticket = Ticket.objects.get(pk=pk)  # both read PENDING_ACCEPT before either writes
                barrier.wait(10)
                ticket_transition(actor=user(username), ticket=ticket, action=action, **payload)
                outcomes[username] = "ok"
            except Conflict as exc:
                outcomes[username] = exc
            finally:
                connections.close_all()

        return threading.Thread(target=run)

    threads = [act("grid_wc01", "accept"), act("wenchang_worker", "reject", reason="信息不全")]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        winners = [u for u, result in outcomes.items() if result == "ok"]
        losers = [result for result in outcomes.values() if isinstance(result, Conflict)]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        state = _in_thread(lambda: Ticket.objects.get(pk=pk).status)
        assert state == (Status.ACCEPTED if winners == ["grid_wc01"] else Status.REJECTED)
        actions = _in_thread(lambda: list(TicketAction.objects.filter(ticket_id=pk).values_list("action", flat=True)))
        assert sorted(actions) == sorted(["submit", "accept" if winners == ["grid_wc01"] else "reject"])
    finally:

        def cleanup():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {AuditLog._meta.db_table} WHERE object_type = %s AND object_id = %s",
                    ["tickets.Ticket", str(pk)],
                )
            Ticket.objects.filter(pk=pk).delete()

        _in_thread(cleanup)
