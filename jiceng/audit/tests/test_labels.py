"""The audit screens read in Chinese and mask as the lists do."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest

from jiceng.accounts.tests.utils import verified_login
from jiceng.audit import registry
from jiceng.audit.models import AuditLog, SensitiveAccessLog
from jiceng.core.tests.helpers import make_id
from jiceng.people.services import resident_create, resident_update
from jiceng.territory.models import Household
from jiceng.tickets.states import TRANSITIONS

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parents[2]


def _written_event_codes() -> set[str]:
    """Every constant ``action=`` passed to ``audit_record`` outside the tests."""
    codes = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit_record"
            ):
                for kw in node.keywords:
                    if kw.arg == "action" and isinstance(kw.value, ast.Constant):
                        codes.add(kw.value.value)
    return codes


def test_every_event_type_written_has_a_chinese_name():
    codes = _written_event_codes() | {f"ticket_{action}" for action in TRANSITIONS}
    assert {"import_submit", "import", "ticket_attachment", "workday_set", "open311_request"} <= codes
    missing = sorted(c for c in codes if c not in registry.EVENTS)
    assert missing == []
    for code in codes:
        assert re.search(r"[\u4e00-\u9fff]", registry.event_label(code)), code


def test_every_declared_life_cycle_step_has_a_chinese_name():
    from jiceng.core.entities import entities

    flows = [e.workflow for e in entities() if e.workflow is not None]
    assert len(flows) >= 4  # needs, projects, the unit report, the action items …
    for wf in flows:
        for t in wf.transitions:
            code = f"{wf.audit_prefix}{t.action}"
            assert code in registry.EVENTS and re.search(r"[\u4e00-\u9fff]", registry.event_label(code)), code


def test_ticket_event_names_come_from_the_transition_table():
    assert registry.event_label("ticket_accept") == "诉求受理"
    assert registry.event_label("ticket_verify_pass") == "诉求核查通过"
    assert {f"ticket_{a}" for a in TRANSITIONS} <= set(registry.EVENTS)


def _resident(personas):
    household = Household.objects.filter(building__grid__code="34110300301201").order_by("id").first()
    return resident_create(
        actor=personas.grid_wc01, name="欧阳测试", id_number=make_id("19850704", seq="913"), household=household,
        phone="13800007777", gender="1", current_address="文昌花园 3 栋 2 单元 5楼东",
    ).obj  # fmt: skip


def test_audit_list_and_filter_name_ticket_events(client, personas):
    from jiceng.audit.services import audit_record

    audit_record(actor=personas.grid_wc01, action="ticket_accept", detail={"ticket_no": "X1"}, scope_path="")
    verified_login(client, "auditor")
    page = client.get("/audit/", {"action": "ticket_accept"}).content.decode()
    assert '<option value="ticket_accept" selected>诉求受理</option>' in page
    assert '<optgroup label="诉求与事件">' in page and '<option value="import_submit">提交导入</option>' in page
    rows = re.findall(r"<tbody >.*</tbody>", page, re.S)[0]
    assert "<td >诉求受理</td>" in rows and "ticket_accept" not in rows
    assert rows.count("<tr") == AuditLog.objects.filter(action="ticket_accept").count() == 1


def test_audit_detail_is_a_table_of_chinese_field_names_with_masked_resident_data(client, personas):
    resident = _resident(personas)
    resident_update(actor=personas.grid_wc01, resident=resident, marital_status="20", ethnicity="02")
    verified_login(client, "auditor")
    created = AuditLog.objects.get(action="create", object_type="people.Resident", object_id=str(resident.pk))
    page = html.unescape(client.get(f"/audit/{created.pk}/").content.decode())
    assert '事件类型</dt><dd class="col-8 col-md-10">新建</dd>' in page
    assert "居民 #" in page and "people.Resident" not in page
    changes = re.findall(r'<table class="table table-sm mb-0" id="jc-audit-changes">.*?</table>', page, re.S)[0]
    cells = dict(re.findall(r'<th scope="row" class="fw-normal">(.*?)</th><td class="text-break">.*?</td>'
                            r'<td class="text-break">(.*?)</td>', changes))  # fmt: skip
    assert cells["姓名"] == "欧**试"
    assert cells["出生日期"] == "1985-**-**"
    assert cells["所在户"] == "（已隐藏）"
    assert cells["楼栋"] == "（已隐藏）"
    assert cells["现住地详址"] == "（已隐藏）"
    assert cells["性别"] == "男"
    assert cells["证件号码"] == "（已加密，不记录明文）"
    assert cells["网格"] == resident.grid.name
    for leaked in ("欧阳测试", "1985-07-04", "5楼东", '"name"', "birth_date", "household"):
        assert leaked not in page, leaked

    updated = AuditLog.objects.get(action="update", object_type="people.Resident", object_id=str(resident.pk))
    page = html.unescape(client.get(f"/audit/{updated.pk}/").content.decode())
    rows = re.findall(r'<th scope="row" class="fw-normal">(.*?)</th><td class="text-break">(.*?)</td>'
                      r'<td class="text-break">(.*?)</td>', page)  # fmt: skip
    assert [r[0] for r in rows] == ["更新时间", "民族", "婚姻状况"]  # in the model's field order
    assert rows[1:] == [("民族", "汉族", "蒙古族"), ("婚姻状况", "—", "已婚")]


def test_ticket_event_detail_names_statuses_and_keys(client, personas):
    from jiceng.audit.services import audit_record

    entry = audit_record(
        actor=personas.grid_wc01, action="ticket_reject", scope_path="",
        detail={"ticket_no": "20260101-0001", "from": "pending_accept", "to": "rejected", "reason": "重复",
                "reason_code": "out_of_scope"},
    )  # fmt: skip
    verified_login(client, "auditor")
    page = client.get(f"/audit/{entry.pk}/").content.decode()
    rows = dict(
        re.findall(r'<dt class="col-4 col-md-2">(.*?)</dt><dd class="col-8 col-md-10 text-break">(.*?)</dd>', page)
    )
    assert rows == {
        "工单编号": "20260101-0001", "原状态": "待受理", "新状态": "不予受理", "理由": "重复", "理由类别": "不属受理范围"
    }  # fmt: skip
    assert "诉求不予受理" in page and "pending_accept" not in page and "reason_code" not in page


def test_import_event_detail_names_the_kind(client, personas):
    from jiceng.audit.services import audit_record

    entry = audit_record(
        actor=personas.grid_wc01, action="import_submit", scope_path="",
        detail={"kind": "residents", "mode": "valid_rows", "dry_run": False, "file": "a.xlsx"},
    )  # fmt: skip
    verified_login(client, "auditor")
    page = client.get(f"/audit/{entry.pk}/").content.decode()
    rows = dict(
        re.findall(r'<dt class="col-4 col-md-2">(.*?)</dt><dd class="col-8 col-md-10 text-break">(.*?)</dd>', page)
    )
    assert rows == {"导入类型": "居民（实有人口）", "导入方式": "只导入正确的行", "仅校验": "否", "文件": "a.xlsx"}


def test_sensitive_access_list_names_the_type_and_field(client, personas):
    resident = personas.resident_demo.resident
    SensitiveAccessLog.objects.create(
        user=personas.wenchang_worker, subject_type="people.Resident", subject_id=str(resident.pk),
        field="id_number", reason="核实低保申请", scope_path=resident.scope_path,
    )  # fmt: skip
    verified_login(client, "auditor")
    page = client.get("/audit/sensitive/").content.decode()
    body = re.findall(r"<tbody >.*</tbody>", page, re.S)[0]
    assert "<td >居民</td>" in body and "<td >证件号码</td>" in body
    assert "people.Resident" not in body and "id_number" not in body
