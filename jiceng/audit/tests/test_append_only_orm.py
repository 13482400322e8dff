"""The audit trail is append-only at the Django level even without the database triggers: upserts,
``save_base`` on an existing row and raw deletes are refused; plain ``bulk_create`` still appends."""

import pytest

from jiceng.audit.models import AppendOnlyError, AuditLog, SensitiveAccessLog
from jiceng.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [AuditLog, SensitiveAccessLog])
def test_bulk_create_upsert_is_refused(model, personas):
    if model is AuditLog:
        first = audit_record(action="probe", username="probe")
    else:
        first = SensitiveAccessLog.objects.create(
            user=personas.grid_wc01, subject_type="people.Resident", subject_id="1", field="phone", reason="入户核实"
        )
    fields = ["reason"] if model is SensitiveAccessLog else ["action", "username"]
    tampered = model.objects.get(pk=first.pk)  # a complete row: without the refusal the upsert would succeed
    tampered._state.adding = True
    for f in fields:
        setattr(tampered, f, "tampered")
    with pytest.raises(AppendOnlyError):
        model.objects.bulk_create([tampered], update_conflicts=True, update_fields=fields, unique_fields=["id"])
    with pytest.raises(AppendOnlyError):
        model.objects.bulk_create([tampered], update_fields=fields)
    first.refresh_from_db()
    assert all(getattr(first, f) != "tampered" for f in fields)


def test_bulk_create_still_appends(personas):
    before = AuditLog.objects.count()
    AuditLog.objects.bulk_create([AuditLog(action="probe_a"), AuditLog(action="probe_b")])
    assert AuditLog.objects.count() == before + 2


def test_save_base_on_an_existing_row_is_refused(personas):
    log = audit_record(actor=personas.longpan_admin, action="probe", scope_path="0001")
    original = AuditLog.objects.get(pk=log.pk)
    row = AuditLog.objects.get(pk=log.pk)
    row.action = "tampered"
    with pytest.raises(AppendOnlyError):
        row.save_base()
    with pytest.raises(AppendOnlyError):
        row.save_base(force_update=True)
    with pytest.raises(AppendOnlyError):
        row._do_update(AuditLog._base_manager, "default", row.pk, [], None, False)  # the last door
    fresh = AuditLog(pk=log.pk, action="tampered")  # a new instance carrying an existing pk
    with pytest.raises(AppendOnlyError):
        fresh.save_base()
    assert AuditLog.objects.get(pk=log.pk).action == original.action == "probe"


def test_raw_delete_is_refused(personas):
    from django.db import connection

    log = audit_record(action="probe", scope_path="0001")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=log.pk)._raw_delete(connection.alias)
    assert AuditLog.objects.filter(pk=log.pk).exists()
