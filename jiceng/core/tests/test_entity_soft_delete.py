"""``Entity.soft_delete``: the generic delete stamps ``deleted_at`` instead of removing the row, after the
same lock and scope check, and audits it. No declared entity soft-deletes yet, so the test declares one
over ``people.Resident`` (the model with ``deleted_at``) for its duration only."""

from __future__ import annotations

import pytest

from jiceng.audit.models import AuditLog
from jiceng.core import entities
from jiceng.core.errors import OutOfScope
from jiceng.people.models import Resident
from jiceng.testing.personas import persona

pytestmark = pytest.mark.django_db


class SoftResidentEntity(entities.Entity):
    model = Resident
    fields = ("name",)
    scope_from = ("grid",)
    soft_delete = True
    permissions = {"community_worker": ("view", "delete")}


@pytest.fixture
def soft_entity():
    assert Resident._meta.label_lower not in entities.REGISTRY  # a real declaration would be replaced
    entities.register(SoftResidentEntity)
    yield entities.entity_for(Resident)
    entities.REGISTRY.pop(Resident._meta.label_lower)
    entities._fragments.clear()


def test_soft_delete_stamps_deleted_at_scoped_and_audited(soft_entity):
    resident = Resident.objects.filter(scope_path__startswith=persona("wenchang_worker").scope.grants[0].area_path,
                                       deleted_at__isnull=True).order_by("pk").first()  # fmt: skip
    before = AuditLog.objects.count()
    with pytest.raises(OutOfScope):  # the sibling community's worker holds the permission, not the node
        soft_entity.service.delete(actor=persona("dougang_worker"), obj=resident)
    assert Resident.objects.get(pk=resident.pk).deleted_at is None and AuditLog.objects.count() == before

    soft_entity.service.delete(actor=persona("wenchang_worker"), obj=resident)
    kept = Resident.objects.get(pk=resident.pk)  # the row stays, stamped
    assert kept.deleted_at is not None and kept.name == resident.name
    row = AuditLog.objects.latest("id")
    assert (row.action, row.object_type, row.object_id, row.username) == (
        "delete", "people.Resident", str(resident.pk), "wenchang_worker"
    )  # fmt: skip
