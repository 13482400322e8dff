import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.accounts import selectors, services
from jiceng.accounts.models import RoleGrant, User
from jiceng.audit.models import AuditLog
from jiceng.territory.models import Area


@pytest.fixture
def longpan(db):
    return Area.objects.get(kind="street", name="龙蟠街道")


@pytest.fixture
def yinhua(db):
    return Area.objects.get(kind="street", name="银花街道")


@pytest.fixture
def street_secadmin(personas, longpan):
    """A security administrator of 龙蟠街道 only (the demo's three administrators sit at the district)."""
    user = User.objects.create(username="lp_secadmin", display_name="龙蟠安全管理员", must_change_password=False)
    RoleGrant.objects.create(user=user, role="security_admin", area=longpan)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def street_sysadmin(personas, longpan):
    user = User.objects.create(username="lp_sysadmin", display_name="龙蟠系统管理员", must_change_password=False)
    RoleGrant.objects.create(user=user, role="system_admin", area=longpan)
    return User.objects.get(pk=user.pk)


def _counts():
    return RoleGrant.objects.count(), AuditLog.objects.count(), User.objects.count()


# --- 三员 (separation of duties) ---------------------------------------------------------------


def test_granting_audit_admin_to_the_system_admin_is_refused_and_writes_nothing(personas):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.role_grant(
            actor=personas.secadmin, user=personas.sysadmin, role="audit_admin", area=Area.objects.get(depth=1)
        )
    assert exc.value.message_dict["role"] == [
        "三员（系统管理员、安全管理员、审计管理员）互斥：该用户已是系统管理员，不能再授予审计管理员。请先撤销原角色或改用其他账号。"
    ]
    assert _counts() == before
    assert list(personas.sysadmin.grants.values_list("role", flat=True)) == ["system_admin"]


@pytest.mark.parametrize(("holder", "role"), [("auditor", "security_admin"), ("auditor", "system_admin")])
def test_every_pair_of_the_three_is_exclusive(personas, holder, role):
    before = _counts()
    with pytest.raises(ValidationError):
        services.role_grant(
            actor=personas.secadmin, user=getattr(personas, holder), role=role, area=Area.objects.get(depth=1)
        )
    assert _counts() == before


def test_the_same_admin_role_on_another_node_is_allowed(personas, longpan):
    grant = services.role_grant(actor=personas.secadmin, user=personas.auditor, role="audit_admin", area=longpan)
    assert (grant.user, grant.role, grant.area, grant.granted_by) == (
        personas.auditor,
        "audit_admin",
        longpan,
        personas.secadmin,
    )


def test_security_admin_cannot_grant_to_themselves(personas, longpan):
    before = _counts()
    with pytest.raises(ValidationError):
        services.role_grant(actor=personas.secadmin, user=personas.secadmin, role="street_admin", area=longpan)
    assert _counts() == before


# --- Who may grant, and where ----------------------------------------------------------------


def test_grant_inside_subtree_is_written_and_audited(street_secadmin, personas, longpan):
    community = Area.objects.filter(kind="community", path__startswith=longpan.path).order_by("path").first()
    newbie = services.user_create(
        actor=personas.sysadmin,
        username="lp_worker",
        display_name="龙蟠社工",
        password="Init#2026abc",
        home_area=longpan,
    )
    grant = services.role_grant(actor=street_secadmin, user=newbie, role="community_worker", area=community)
    assert RoleGrant.objects.filter(user=newbie).get() == grant
    row = AuditLog.objects.get(action="role_grant")
    assert (row.username, row.object_id, row.scope_path, row.success) == (
        "lp_secadmin",
        str(grant.pk),
        community.path,
        True,
    )
    assert row.detail["user"] == "lp_worker" and row.detail["role"] == "community_worker"


def test_grant_outside_subtree_is_refused_and_writes_nothing(street_secadmin, personas, yinhua):
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=street_secadmin, user=personas.yinhua_admin, role="street_admin", area=yinhua)
    # Nor may a street security admin grant a node outside their street to one of their own users.
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=street_secadmin, user=personas.longpan_admin, role="street_admin", area=yinhua)
    assert _counts() == before


def test_system_admin_cannot_grant_roles(personas, longpan):
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=personas.sysadmin, user=personas.grid_wc01, role="street_admin", area=longpan)
    assert _counts() == before


def test_role_revoke(personas, longpan):
    grant = services.role_grant(actor=personas.secadmin, user=personas.grid_wc01, role="street_admin", area=longpan)
    services.role_revoke(actor=personas.secadmin, grant=grant)
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    row = AuditLog.objects.get(action="role_revoke")
    assert row.detail["changes"]["role"] == {"before": "street_admin", "after": None}


def test_revoke_outside_subtree_is_refused(street_secadmin, personas):
    grant = personas.yinhua_admin.grants.get()
    with pytest.raises(PermissionDenied):
        services.role_revoke(actor=street_secadmin, grant=grant)
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_personal_roles_need_the_personal_link(personas, longpan):
    with pytest.raises(ValidationError) as exc:
        services.role_grant(actor=personas.secadmin, user=personas.grid_wc01, role="resident", area=longpan)
    assert "未关联居民档案" in exc.value.message_dict["role"][0]


# --- Accounts --------------------------------------------------------------------------------


def test_user_create_forces_a_change_and_audits(personas):
    user = services.user_create(actor=personas.sysadmin, username="li_na", display_name="李娜", password="Init#2026abc")
    assert user.must_change_password is True and user.check_password("Init#2026abc")
    assert user.home_area == Area.objects.get(depth=1)
    row = AuditLog.objects.get(action="user_create")
    assert row.username == "sysadmin" and row.object_id == str(user.pk)
    assert row.detail["changes"]["password"]["after"] == "（已加密，不记录明文）"


def test_user_create_rules(personas, yinhua, street_sysadmin):
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.user_create(actor=personas.secadmin, username="x1", display_name="某", password="Init#2026abc")
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=street_sysadmin, username="x2", display_name="某", password="Init#2026abc", home_area=yinhua
        )
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=personas.sysadmin, username="QU_ADMIN", display_name="某", password="Init#2026abc")
    assert exc.value.message_dict["username"] == ["该用户名已被使用。"]
    with pytest.raises(ValidationError):
        services.user_create(actor=personas.sysadmin, username="x3", display_name="某", password="short")
    assert _counts() == before


def test_user_set_active(personas):
    services.user_set_active(actor=personas.sysadmin, user=personas.grid_wc02, is_active=False)
    assert User.objects.get(username="grid_wc02").is_active is False
    assert AuditLog.objects.get(action="user_deactivate").detail["changes"]["is_active"] == {
        "before": True,
        "after": False,
    }
    with pytest.raises(ValidationError):
        services.user_set_active(actor=personas.sysadmin, user=personas.sysadmin, is_active=False)
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=personas.secadmin, user=personas.grid_wc01, is_active=False)
    assert User.objects.get(username="grid_wc01").is_active is True


def test_street_sysadmin_sees_and_manages_only_accounts_of_their_street(street_sysadmin, personas, longpan):
    created = services.user_create(
        actor=street_sysadmin, username="lp_new", display_name="新同事", password="Init#2026abc", home_area=longpan
    )
    visible = set(selectors.user_restrict(street_sysadmin).values_list("username", flat=True))
    assert {"longpan_admin", "lp_sysadmin", "lp_new", "wenchang_worker", "grid_wc01"} <= visible  # 文昌花园 is in 龙蟠
    assert not visible & {"yinhua_admin", "tongle_admin", "qu_admin", "sysadmin", "auditor"}
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=street_sysadmin, user=personas.yinhua_admin, is_active=False)
    services.user_set_active(actor=street_sysadmin, user=created, is_active=False)
    assert User.objects.get(pk=created.pk).is_active is False


def test_auditor_sees_no_accounts(personas):
    assert selectors.user_restrict(personas.auditor).count() == 0


def test_an_administrator_never_holds_a_business_role(personas, longpan):
    secadmin = personas.secadmin
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.role_grant(actor=secadmin, user=personas.auditor, role="street_admin", area=longpan)
    assert "管理员（三员）账号不能再授予业务角色" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.role_grant(actor=secadmin, user=personas.grid_wc01, role="audit_admin", area=longpan)
    assert "不能同时担任业务角色" in str(exc.value)
    assert _counts() == before


def test_role_and_password_changes_end_api_tokens(personas, longpan):
    from rest_framework.authtoken.models import Token

    worker = personas.wenchang_worker
    Token.objects.create(user=worker)
    services.role_grant(actor=personas.secadmin, user=worker, role="community_worker", area=longpan)
    assert not Token.objects.filter(user=worker).exists()
    Token.objects.create(user=worker)
    services.password_change(user=User.objects.get(pk=worker.pk), old="Jiceng#2026", new="Wenchang#2027x")
    assert not Token.objects.filter(user=worker).exists()
