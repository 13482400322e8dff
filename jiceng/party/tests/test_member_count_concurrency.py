"""Concurrent member creation does not lose a member count (PostgreSQL: real row locks)."""

import threading

import pytest
from django.db import connection, connections

from jiceng.audit.models import AuditLog
from jiceng.party import services as svc
from jiceng.party.models import PartyMember
from jiceng.party.services import member_create
from jiceng.party.tests.helpers import WENCHANG_Q2, member_data, party_branch

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks: two writers cannot race")
def test_concurrent_member_creates_keep_the_member_count(personas):
    """Two members join one branch at the same moment: both are counted.

    Each thread waits for the other at its *first* ``PartyOrg.objects.filter`` call, so without a lock
    both have inserted and counted (each seeing only its own insert) before either writes the count.
    With the fix, that first call is the row lock at the start of ``member_create``: the second thread
    waits there until the first commits, then counts both.
    """
    org = party_branch(WENCHANG_Q2)
    start = org.members.count()
    barrier = threading.Barrier(2, timeout=10)
    real = svc.PartyOrg
    local = threading.local()

    class _Objects:
        def __getattr__(self, name):
            return getattr(real.objects, name)

        def filter(self, *args, **kwargs):
            if not getattr(local, "waited", False):
                local.waited = True
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass
            return real.objects.filter(*args, **kwargs)

    class _PartyOrg:
        objects = _Objects()
        DoesNotExist = real.DoesNotExist

    created, errors = [], []

    def worker(i):
        try:
            actor = personas.wenchang_worker
            created.append(
                member_create(actor=actor, **member_data(real.objects.get(pk=org.pk), f"并发党员{i}")).obj.pk
            )
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(repr(exc))
        finally:
            connections.close_all()

    svc.PartyOrg = _PartyOrg
    try:
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        svc.PartyOrg = real
    try:
        assert errors == []
        box = {}

        def read():
            try:
                fresh = real.objects.get(pk=org.pk)
                box["stored"] = (fresh.member_count, fresh.full_member_count)
                box["actual"] = PartyMember.objects.filter(org_id=org.pk).count()
            finally:
                connections.close_all()

        t = threading.Thread(target=read)
        t.start()
        t.join(30)
        assert box["actual"] == start + 2
        assert box["stored"][0] == box["actual"], f"lost update: stored {box['stored']}, real {box['actual']}"
    finally:

        def cleanup():  # the threads committed: undo by hand
            try:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"DELETE FROM {AuditLog._meta.db_table} WHERE object_type = %s AND object_id = ANY(%s)",
                        ["party.PartyMember", [str(pk) for pk in created]],
                    )
                PartyMember.objects.filter(pk__in=created).delete()
                svc.refresh_org_counts([org.pk])
            finally:
                connections.close_all()

        t = threading.Thread(target=cleanup)
        t.start()
        t.join(30)
