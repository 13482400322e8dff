"""A member and a unit claim the same need at the same moment: exactly one wins, the other gets a
``Conflict`` (409) and writes nothing.

On PostgreSQL two threads with their own connections race for real (the engine's ``select_for_update``
makes the second wait, then see ``claimed``). SQLite has no row locks; there the stale-copy test in
``test_needs.py`` (a second claim of an already claimed need) covers it.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jiceng.core.errors import Conflict
from jiceng.testing.personas import persona

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
def test_two_concurrent_claims_exactly_one_winner():
    from jiceng.audit.models import AuditLog
    from jiceng.needs.choices import Audience, NeedStatus
    from jiceng.needs.models import Need, NeedEvent
    from jiceng.needs.services import need_transition
    from jiceng.territory.models import Area

    def create():
        community = Area.objects.get(name="文昌花园社区")
        grid = Area.objects.filter(kind="grid", path__startswith=community.path).order_by("path").first()
        return Need.objects.create(
            title="并发认领", category="care", description="并发测试", community=community, grid=grid,
            scope_path=grid.path, status=NeedStatus.OPEN, audience=Audience.BOTH, posted_by=persona("resident_demo"),
        ).pk  # fmt: skip

    pk = _in_thread(create)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def claim(username):
        def run():
            try:
                need = Need.objects.get(pk=pk)  # both read ``open`` before either writes
                barrier.wait(10)
                need_transition(actor=persona(username), need=need, action="claim")
                outcomes[username] = "ok"
            except Conflict as exc:
                outcomes[username] = exc
            finally:
                connections.close_all()

        return threading.Thread(target=run)

    threads = [claim("member_demo"), claim("unit_demo")]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        winners = [u for u, result in outcomes.items() if result == "ok"]
        losers = [result for result in outcomes.values() if isinstance(result, Conflict)]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        assert "已被他人认领" in str(losers[0])
        need = _in_thread(lambda: Need.objects.select_related("claimed_by").get(pk=pk))
        assert need.status == NeedStatus.CLAIMED
        if winners == ["member_demo"]:
            assert need.claimed_by.username == "member_demo" and need.claimed_unit_id is None
        else:
            assert need.claimed_unit_id is not None
        events = _in_thread(lambda: list(NeedEvent.objects.filter(need_id=pk).values_list("action", flat=True)))
        assert events == ["claim"]
        audits = _in_thread(lambda: AuditLog.objects.filter(object_id=str(pk), action="need_claim").count())
        assert audits == 1
    finally:

        def cleanup():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {AuditLog._meta.db_table} WHERE object_type = %s AND object_id = %s",
                    ["needs.Need", str(pk)],
                )
            Need.objects.filter(pk=pk).delete()

        _in_thread(cleanup)
