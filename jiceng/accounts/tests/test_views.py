import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.accounts import services
from jiceng.accounts.models import RoleGrant, User
from jiceng.audit.models import AuditLog
from jiceng.territory.models import Area

from .utils import verified_login


def _counts():
    return RoleGrant.objects.count(), AuditLog.objects.count(), User.objects.count()


def test_system_admin_lists_and_creates_accounts(client, personas):
    verified_login(client, "sysadmin")
    page = client.get("/accounts/users/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "qu_admin" in html and "新建用户" in html
    root = Area.objects.get(depth=1)
    response = client.post(
        "/accounts/users/add/",
        {
            "username": "wang_fang",
            "display_name": "王芳",
            "home_area": root.pk,
            "password1": "Init#2026abc",
            "password2": "Init#2026abc",
        },
    )
    user = User.objects.get(username="wang_fang")
    assert response.status_code == 302 and response["Location"] == f"/accounts/users/{user.pk}/"
    assert user.must_change_password is True
    detail = client.get(response["Location"]).content.decode()
    assert "尚未授予角色" in detail and "停用账号" in detail
    assert 'id="jc-grant-link"' not in detail  # granting is the security administrator's job


def test_weak_initial_password_is_refused_in_chinese(client, personas):
    verified_login(client, "sysadmin")
    root = Area.objects.get(depth=1)
    before = _counts()
    response = client.post(
        "/accounts/users/add/",
        {
            "username": "u9",
            "display_name": "某",
            "home_area": root.pk,
            "password1": "abcdefgh",
            "password2": "abcdefgh",
        },
    )
    assert response.status_code == 400
    assert "至少三类" in response.content.decode()
    assert _counts() == before


def test_system_admin_cannot_grant_roles(client, personas):
    verified_login(client, "sysadmin")
    target = personas.grid_wc01
    assert client.get(f"/accounts/users/{target.pk}/grant/").status_code == 403
    before = _counts()
    response = client.post(
        f"/accounts/users/{target.pk}/grant/", {"role": "street_admin", "area": Area.objects.get(depth=1).pk}
    )
    assert response.status_code == 403
    assert _counts() == before


def test_security_admin_grants_and_revokes_but_cannot_create(client, personas):
    verified_login(client, "secadmin")
    assert client.get("/accounts/users/add/").status_code == 403
    assert "新建用户" not in client.get("/accounts/users/").content.decode()
    target = personas.grid_wc02
    longpan = Area.objects.get(kind="street", name="龙蟠街道")
    response = client.post(f"/accounts/users/{target.pk}/grant/", {"role": "street_admin", "area": longpan.pk})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=target, role="street_admin")
    assert grant.granted_by == personas.secadmin
    detail = client.get(f"/accounts/users/{target.pk}/").content.decode()
    assert f'href="/accounts/grants/{grant.pk}/revoke/">撤销</a>' in detail
    # Revoking asks first: the link shows the question, a POST without ``confirm`` only shows it again.
    question = client.get(f"/accounts/grants/{grant.pk}/revoke/")
    assert question.status_code == 200
    assert "在“龙蟠街道”的“街道党工委工作人员”角色吗？" in question.content.decode()
    before = _counts()
    again = client.post(f"/accounts/grants/{grant.pk}/revoke/")
    assert again.status_code == 200 and 'name="confirm" value="yes"' in again.content.decode()
    assert _counts() == before and RoleGrant.objects.filter(pk=grant.pk).exists()
    assert client.post(f"/accounts/grants/{grant.pk}/revoke/", {"confirm": "yes"}).status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    # Deactivating is the system administrator's job.
    before = _counts()
    assert client.post(f"/accounts/users/{target.pk}/active/", {"is_active": "0"}).status_code == 404
    assert _counts() == before and User.objects.get(pk=target.pk).is_active


def test_sanyuan_exclusivity_on_screen(client, personas):
    verified_login(client, "secadmin")
    before = _counts()
    response = client.post(
        f"/accounts/users/{personas.sysadmin.pk}/grant/", {"role": "audit_admin", "area": Area.objects.get(depth=1).pk}
    )
    assert response.status_code == 400
    assert "互斥：该用户已是系统管理员，不能再授予审计管理员" in response.content.decode()
    assert _counts() == before


def test_system_admin_deactivates_an_account(client, personas):
    verified_login(client, "sysadmin")
    target = personas.grid_wc02
    response = client.post(f"/accounts/users/{target.pk}/active/", {"is_active": "0"})
    assert response.status_code == 302
    assert User.objects.get(pk=target.pk).is_active is False
    # The deactivated account can no longer log in.
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"username": "grid_wc02", "password": "Jiceng#2026"})
    assert "用户名或密码错误" in response.content.decode()


@pytest.mark.parametrize("username", ["auditor", "longpan_admin", "grid_wc01"])
def test_others_see_no_account_pages(client, personas, username):
    verified_login(client, username)
    target = personas.grid_wc02
    assert client.get("/accounts/users/").status_code == 403
    assert client.get(f"/accounts/users/{target.pk}/").status_code == 404
    assert client.get("/accounts/users/add/").status_code == 403
    before = _counts()
    client.post(f"/accounts/users/{target.pk}/active/", {"is_active": "0"})
    client.post(f"/accounts/users/{target.pk}/grant/", {"role": "street_admin", "area": Area.objects.get(depth=1).pk})
    assert _counts() == before


def test_street_security_admin_gets_404_outside_their_street(client, personas):
    longpan = Area.objects.get(kind="street", name="龙蟠街道")
    user = User.objects.create(username="lp_secadmin", must_change_password=False)
    user.set_password("Jiceng#2026")
    user.password_changed_at = personas.sysadmin.password_changed_at
    user.save()
    RoleGrant.objects.create(user=user, role="security_admin", area=longpan)
    verified_login(client, "lp_secadmin")
    assert client.get(f"/accounts/users/{personas.yinhua_admin.pk}/").status_code == 404
    assert client.get(f"/accounts/users/{personas.longpan_admin.pk}/").status_code == 200
    before = _counts()
    yinhua = Area.objects.get(kind="street", name="银花街道")
    response = client.post(
        f"/accounts/users/{personas.longpan_admin.pk}/grant/", {"role": "street_admin", "area": yinhua.pk}
    )
    assert response.status_code == 400  # 银花 is not among the choices
    assert _counts() == before


def test_user_list_query_count_does_not_grow_with_rows(client, personas):
    verified_login(client, "sysadmin")
    client.get("/accounts/users/")
    with CaptureQueriesContext(connection) as first:
        assert client.get("/accounts/users/").status_code == 200
    root = Area.objects.get(depth=1)
    for i in range(5):
        u = services.user_create(
            actor=personas.sysadmin, username=f"bulk{i}", display_name="某", password="Init#2026abc"
        )
        RoleGrant.objects.create(user=u, role="grid_worker", area=root)
    with CaptureQueriesContext(connection) as second:
        assert client.get("/accounts/users/").status_code == 200
    assert len(second) == len(first)


def test_the_node_picker_has_a_search_box(client, personas):
    verified_login(client, "secadmin")
    html = client.get(f"/accounts/users/{personas.grid_wc02.pk}/grant/").content.decode()
    assert 'data-jc-filter="输入名称筛选，如“文昌”"' in html and 'name="area"' in html
    assert '<script src="/static/accounts/select-filter.js"></script>' in html
