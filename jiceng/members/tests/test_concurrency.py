"""Two confirmations of two applications to a post with one place left, at the same moment: exactly one
member gets it (PostgreSQL: the post row is the lock; SQLite serialises writers, nothing races)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jiceng.core.entities import entity_for
from jiceng.core.errors import Conflict
from jiceng.members.models import MemberReport, PostApplication, ServicePost
from jiceng.members.workflow import APPLICATIONS
from jiceng.testing.personas import persona

pytestmark = pytest.mark.django_db


def _in_thread(fn):
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
def test_two_concurrent_confirmations_fill_one_place_exactly_once():
    def setup():
        worker = persona("wenchang_worker")
        reports = MemberReport.objects.filter(status="confirmed", community__name="文昌花园社区").order_by("pk")[:2]
        post = (
            entity_for(ServicePost)
            .service.create(
                actor=worker, community=reports[0].community, name="并发测试岗", category="other", headcount=1
            )
            .obj
        )
        service = entity_for(PostApplication).service
        return post.pk, [service.create(actor=worker, post=post, member=r.member).obj.pk for r in reports]

    post_pk, app_pks = _in_thread(setup)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def confirm(username, pk):
        def run():
            try:
                application = PostApplication.objects.get(pk=pk)
                barrier.wait(10)
                APPLICATIONS.transition(actor=persona(username), obj=application, action="confirm")
                outcomes[username] = "ok"
            except Conflict as exc:
                outcomes[username] = exc
            finally:
                connections.close_all()

        return threading.Thread(target=run)

    threads = [confirm("wenchang_worker", app_pks[0]), confirm("longpan_admin", app_pks[1])]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(str(type(v).__name__) for v in outcomes.values()) == ["Conflict", "str"], outcomes
        confirmed = _in_thread(lambda: PostApplication.objects.filter(post_id=post_pk, status="confirmed").count())
        assert confirmed == 1
    finally:

        def cleanup():
            from jiceng.audit.models import AuditLog

            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {AuditLog._meta.db_table} WHERE object_type IN (%s, %s)",
                    ["members.PostApplication", "members.ServicePost"],
                )
            PostApplication.objects.filter(post_id=post_pk).delete()
            ServicePost.objects.filter(pk=post_pk).delete()

        _in_thread(cleanup)
