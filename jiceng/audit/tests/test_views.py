import datetime as dt

import pytest
from django.urls import get_resolver
from django.utils import timezone

from jiceng.accounts.models import RoleGrant, User
from jiceng.accounts.tests.utils import verified_login
from jiceng.audit.models import AuditLog, SensitiveAccessLog
from jiceng.audit.services import audit_record
from jiceng.territory.models import Area


@pytest.fixture
def rows(personas):
    longpan = Area.objects.get(kind="street", name="龙蟠街道")
    yinhua = Area.objects.get(kind="street", name="银花街道")
    a = audit_record(actor=personas.longpan_admin, action="update", scope_path=longpan.path, detail={"x": 1})
    b = audit_record(action="login_failed", username="yinhua_admin", success=False, scope_path=yinhua.path)
    return a, b


def test_auditor_reads_the_audit_log(client, personas, rows):
    verified_login(client, "auditor")
    page = client.get("/audit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "审计日志" in html and "登录失败" in html and "longpan_admin" in html
    detail = client.get(f"/audit/{rows[0].pk}/")
    assert detail.status_code == 200 and "修改" in detail.content.decode()


def test_filters(client, personas, rows):
    verified_login(client, "auditor")
    html = client.get("/audit/", {"action": "login_failed", "success": "false"}).content.decode()
    assert "yinhua_admin" in html and "longpan_admin" not in html
    html = client.get("/audit/", {"username": "longpan"}).content.decode()
    assert "longpan_admin" in html and "yinhua_admin" not in html
    today = timezone.localdate()
    assert "longpan_admin" in client.get("/audit/", {"date_from": today.isoformat()}).content.decode()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert "longpan_admin" not in client.get("/audit/", {"date_from": tomorrow}).content.decode()


def test_audit_administrator_of_a_street_reads_only_their_street(client, personas, rows):
    longpan = Area.objects.get(kind="street", name="龙蟠街道")
    user = User.objects.create(username="lp_auditor", must_change_password=False)
    user.password_changed_at = timezone.now()
    user.save()
    RoleGrant.objects.create(user=user, role="audit_admin", area=longpan)
    verified_login(client, "lp_auditor")
    html = client.get("/audit/").content.decode()
    assert "longpan_admin" in html and "yinhua_admin" not in html
    assert client.get(f"/audit/{rows[1].pk}/").status_code == 404


def test_sensitive_access_log_page(client, personas):
    resident = personas.resident_demo.resident
    SensitiveAccessLog.objects.create(
        user=personas.wenchang_worker,
        subject_type="people.Resident",
        subject_id=str(resident.pk),
        field="id_number",
        reason="核实低保申请",
        scope_path=resident.scope_path,
    )
    verified_login(client, "auditor")
    page = client.get("/audit/sensitive/")
    assert page.status_code == 200
    assert "核实低保申请" in page.content.decode() and "wenchang_worker" in page.content.decode()


@pytest.mark.parametrize(
    "username", ["longpan_admin", "qu_admin", "sysadmin", "secadmin", "grid_wc01", "resident_demo"]
)
def test_non_auditors_cannot_see_audit_pages(client, personas, rows, username):
    verified_login(client, username)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/sensitive/").status_code == 403
    assert client.get(f"/audit/{rows[0].pk}/").status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_no_route_changes_an_audit_row(client, personas, rows):
    verified_login(client, "auditor")
    row = rows[0]
    snapshot = list(AuditLog.objects.order_by("id").values())
    for url in ["/audit/", f"/audit/{row.pk}/", "/audit/sensitive/"]:
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url, {"action": "x"} if method == "post" else None)
            assert response.status_code == 405, (method, url)
    assert list(AuditLog.objects.order_by("id").values()) == snapshot
    # No URL of the audit app other than these read-only pages exists.
    audit_patterns = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "audit")
    assert {p.name for p in audit_patterns.url_patterns} == {"log_list", "log_detail", "sensitive_list"}
