"""The auditor reads every write's before/after, so sensitive personal information (个人信息保护法
第二十八条: religion, the special-population tag and its measures, …) is never copied into the audit
trail, only *that* it changed; residents are named masked."""

import pytest

from jiceng.accounts.tests.utils import verified_login
from jiceng.audit.models import AuditLog
from jiceng.audit.services import SENSITIVE_CHANGED, audit_record, diff, snapshot
from jiceng.party.models import PartyMember
from jiceng.party.services import member_update
from jiceng.people.models import Resident
from jiceng.people.services import resident_update, tag_create, tag_update

pytestmark = pytest.mark.django_db


RELIGION = "基督教"
PERMIT = "341100202400123456"
MEASURES = "每周走访，矫正期至2025年"


def _resident_of(grid_code="34110300301201"):
    return Resident.objects.filter(grid__code=grid_code, deleted_at__isnull=True).order_by("pk").first()


def _write_sensitive(personas):
    actor = personas.grid_wc01
    resident = _resident_of()
    resident_update(actor=actor, resident=resident, religion=RELIGION, residence_permit_no=PERMIT)
    tag = tag_create(
        actor=actor, resident=resident, tag_type="correction", risk_level="high", help_measures=MEASURES
    ).obj
    tag_update(actor=actor, tag=tag, risk_level="medium", help_measures=MEASURES + "（已调整）")
    return resident, tag


def test_sensitive_fields_are_recorded_only_as_changed(personas):
    resident, tag = _write_sensitive(personas)
    res_log = AuditLog.objects.filter(action="update", object_type="people.Resident", object_id=str(resident.pk)).get()
    changes = res_log.detail["changes"]
    assert changes["religion"]["after"] == SENSITIVE_CHANGED
    assert changes["residence_permit_no"]["after"] == SENSITIVE_CHANGED
    assert RELIGION not in str(res_log.detail) and PERMIT not in str(res_log.detail)

    tag_logs = list(AuditLog.objects.filter(object_type="people.ResidentTag", object_id=str(tag.pk)).order_by("id"))
    assert [log.action for log in tag_logs] == ["create", "update"]
    for log in tag_logs:
        text = str(log.detail) + log.object_repr
        for secret in ("correction", "社区矫正", "high", "medium", "高", MEASURES):
            assert secret not in text, (log.action, secret)
        assert log.object_repr == f"人群标签 #{tag.pk}"
    create, update = tag_logs
    assert create.detail["changes"]["tag_type"] == {"before": None, "after": SENSITIVE_CHANGED}
    assert set(update.detail["changes"]) >= {"risk_level", "help_measures"}
    assert "tag_type" not in update.detail["changes"]  # unchanged: not listed, as before


def test_party_member_phone_is_not_in_the_audit_row(personas):
    member = PartyMember.objects.filter(scope_path__startswith="000100010001", org__isnull=False).first()
    member_update(actor=personas.wenchang_worker, member=member, phone="13912345678")
    log = AuditLog.objects.filter(action="update", object_type="party.PartyMember", object_id=str(member.pk)).get()
    assert "13912345678" not in str(log.detail)
    assert log.detail["changes"]["phone"]["after"] != "13912345678"


def test_auditor_pages_show_no_sensitive_data(client, personas):
    resident, tag = _write_sensitive(personas)
    verified_login(client, "auditor")
    listing = client.get("/audit/").content.decode()
    assert f"人群标签 #{tag.pk}" in listing
    assert "社区矫正" not in listing
    for log in AuditLog.objects.filter(object_type__in=["people.Resident", "people.ResidentTag"], action="update"):
        page = client.get(f"/audit/{log.pk}/")
        assert page.status_code == 200
        html = page.content.decode()
        for secret in (RELIGION, PERMIT, "correction", "社区矫正", MEASURES):
            assert secret not in html, (log.object_type, secret)
        assert SENSITIVE_CHANGED in html


def test_rows_written_before_the_fix_are_shown_redacted(client, personas):
    """Old rows can never be rewritten; the audit pages hide their sensitive values on display."""
    old = audit_record(
        action="update", username="legacy", scope_path="0001",
        detail={"changes": {"religion": {"before": "", "after": RELIGION}, "tag_type": {"before": None, "after": "correction"}}},
    )  # fmt: skip
    AuditLog.objects.create(
        action="create", username="legacy", object_type="people.ResidentTag", object_id="7", object_repr="社区矫正对象"
    )
    verified_login(client, "auditor")
    html = client.get(f"/audit/{old.pk}/").content.decode()
    assert RELIGION not in html and "correction" not in html
    assert "社区矫正" not in client.get("/audit/", {"username": "legacy"}).content.decode()


def test_snapshot_compares_sensitive_values_without_holding_them(personas):
    resident = _resident_of()
    before = snapshot(resident)
    assert before == snapshot(Resident.objects.get(pk=resident.pk))  # same values → equal snapshots
    resident.religion = RELIGION
    after = snapshot(resident)
    assert after != before and RELIGION not in repr(after)
    assert diff(before, after)["religion"]["after"] == SENSITIVE_CHANGED
    assert diff(before, snapshot(Resident.objects.get(pk=resident.pk))) == {}


def test_a_resident_is_named_masked_in_the_audit_log(personas):
    resident = Resident.objects.filter(
        scope_path__startswith=personas.wenchang_worker.scope.grants[0].area_path
    ).first()
    resident_update(actor=personas.wenchang_worker, resident=resident, occupation="教师")
    log = AuditLog.objects.filter(action="update", object_type="people.Resident", object_id=str(resident.pk)).get()
    assert log.object_repr == f"居民 {resident.name_masked}"
    assert resident.name not in log.object_repr or len(resident.name) == 1
