"""The audit log is append-only at the model, the queryset and the database (等保 2.0, GB/T 22239-2019 安全审计: records protected against deletion and change)."""

import datetime as dt
import importlib

import pytest
from django.db import DatabaseError, connection, transaction

from jiceng.audit.models import AppendOnlyError, AuditLog, SensitiveAccessLog
from jiceng.audit.services import audit_record, diff, snapshot
from jiceng.core.request_context import reset_current_ip, set_current_ip
from jiceng.core.tests.helpers import area, make_id
from jiceng.party.models import PartyOrg
from jiceng.party.services import party_org_update
from jiceng.people.services import resident_create, reveal_personal_data
from jiceng.territory.models import Household

pytestmark = pytest.mark.django_db

triggers = importlib.import_module("jiceng.audit.migrations.0002_append_only_triggers")


@pytest.fixture
def log_row(personas):
    return audit_record(actor=personas.qu_admin, action="test", detail={"k": "v"}, scope_path="0001")


@pytest.fixture
def access_row(personas):
    r = resident_create(
        actor=personas.grid_wc01, name="审计测试", id_number=make_id("19900315", seq="903"),
        household=Household.objects.filter(building__grid__code="34110300301201").first(),
    ).obj  # fmt: skip
    reveal_personal_data(actor=personas.grid_wc01, obj=r, field="id_number", reason="核对身份信息")
    return SensitiveAccessLog.objects.latest("id")


def test_model_refuses_update_and_delete(log_row, access_row):
    for row in (log_row, access_row):
        with pytest.raises(AppendOnlyError) as exc:
            row.save()
        assert str(exc.value) == "审计日志只能追加，不能修改。"
        with pytest.raises(AppendOnlyError) as exc:
            row.delete()
        assert str(exc.value) == "审计日志只能追加，不能删除。"


def test_queryset_refuses_update_and_delete(log_row, access_row):
    for model, row in ((AuditLog, log_row), (SensitiveAccessLog, access_row)):
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=row.pk).update(ts=row.ts)
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=row.pk).delete()
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()
        with pytest.raises(AppendOnlyError):
            model.objects.bulk_update([row], ["ts"])
    log_row.refresh_from_db()
    assert log_row.action == "test"


class _Executor:
    """What ``install_triggers`` needs of a schema editor. SQLite's real schema editor refuses to open inside
    the test's transaction (foreign-key checks cannot be switched off there), so the DDL runs directly;
    both SQLite and PostgreSQL roll it back with the test."""

    def __init__(self, conn):
        self.connection = conn

    def execute(self, sql, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params or None)


def _install():
    if connection.vendor == "sqlite":
        triggers.install_triggers(_Executor(connection))
    else:
        with connection.schema_editor(atomic=False) as editor:
            triggers.install_triggers(editor)


@pytest.mark.parametrize("table", ["audit_auditlog", "audit_sensitiveaccesslog"])
def test_database_triggers_refuse_raw_update_and_delete(log_row, access_row, table):
    assert connection.vendor in {"sqlite", "postgresql"}
    _install()
    pk = log_row.pk if table == "audit_auditlog" else access_row.pk
    column = "action" if table == "audit_auditlog" else "reason"
    for sql in (f"UPDATE {table} SET {column} = 'tampered' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError) as exc, transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [pk])
        assert "审计日志只能追加" in str(exc.value)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {table} CASCADE")
    # inserts still work, and nothing was changed
    audit_record(action="after_trigger", scope_path="")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        assert cursor.fetchone()[0] == ("test" if table == "audit_auditlog" else "核对身份信息")


def test_record_has_who_when_what_where_and_success(personas):
    token = set_current_ip("10.1.2.3")
    try:
        row = audit_record(actor=personas.longpan_admin, action="export", detail={"rows": 5}, scope_path="00010001")
    finally:
        reset_current_ip(token)
    assert row.user == personas.longpan_admin and row.username == "longpan_admin"
    assert row.ip == "10.1.2.3" and row.action == "export" and row.success is True
    assert row.ts is not None and row.detail == {"rows": 5}


def test_update_records_before_and_after(personas):
    org = PartyOrg.objects.filter(area__code="341103003012Q01", org_type="branch").get()
    old_name = org.name
    party_org_update(actor=personas.wenchang_worker, org=org, name="新名称党支部", established_at=dt.date(2021, 6, 1))
    log = AuditLog.objects.filter(action="update", object_type="party.PartyOrg", object_id=str(org.pk)).get()
    changes = log.detail["changes"]
    assert changes["name"] == {"before": old_name, "after": "新名称党支部"}
    assert changes["established_at"] == {"before": "2021-05-01", "after": "2021-06-01"}
    assert "term_end" not in changes  # unchanged fields are not listed
    assert log.scope_path == org.scope_path and log.object_repr == "新名称党支部"


def test_snapshot_and_diff_hide_personal_data():
    r = Household.objects.first().residents.first()
    snap = snapshot(r)
    assert snap["id_number"] == "（已加密，不记录明文）" and snap["phone"] in {"", "（已加密，不记录明文）"}
    assert r.id_number not in str(snap)
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {
        "b": {"before": 2, "after": 3},
        "c": {"before": None, "after": 4},
    }


def test_audit_restrict_for_the_audit_admin_and_others(personas):
    yinhua = area("银花街道")
    audit_record(actor=personas.yinhua_admin, action="probe", scope_path=yinhua.path)
    assert AuditLog.objects.restrict(personas.auditor).filter(action="probe").exists()
    for name in ("longpan_admin", "qu_admin", "sysadmin", "secadmin", "member_demo"):
        assert not AuditLog.objects.restrict(getattr(personas, name)).exists()
