"""三员账号互不管理: no administrator (de)activates a 三员 account, their own included.

The system administrator (``accounts.change_user``, the only role that may (de)activate accounts)
disables and re-enables business accounts. A 三员 account — system, security or audit administrator —
is taken out of service only in two steps by two people: the security administrator revokes its
三员 role, then the system administrator may deactivate what is now an ordinary account. Both steps
are audited and the audit administrator reads them.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.accounts import services
from jiceng.accounts.models import RoleGrant, User
from jiceng.audit.models import AuditLog

from .utils import verified_login

pytestmark = pytest.mark.django_db

REFUSAL = "三员（系统管理员、安全管理员、审计管理员）账号不能被停用或启用：须先由安全管理员撤销其管理员角色。"


def _state():
    return (
        dict(
            User.objects.filter(username__in=["sysadmin", "secadmin", "auditor"]).values_list("username", "is_active")
        ),
        AuditLog.objects.filter(success=True).count(),
    )


@pytest.mark.parametrize("target", ["secadmin", "auditor"])
@pytest.mark.parametrize("is_active", [False, True])
def test_system_admin_cannot_deactivate_or_enable_another_sanyuan_account(personas, target, is_active):
    user = User.objects.get(username=target)
    if is_active:  # re-enabling one that is off is refused the same way
        User.objects.filter(pk=user.pk).update(is_active=False)
    before = _state()
    with pytest.raises(PermissionDenied) as exc:
        services.user_set_active(actor=personas.sysadmin, user=user, is_active=is_active)
    assert str(exc.value) == REFUSAL
    assert _state() == before
    denied = AuditLog.objects.get(success=False)
    assert (denied.action, denied.username, denied.object_repr) == (
        "user_activate" if is_active else "user_deactivate",
        "sysadmin",
        str(user),
    )
    assert denied.detail == {"reason": REFUSAL}


def test_street_system_admin_cannot_deactivate_a_sanyuan_account_of_their_street(personas):
    from jiceng.territory.models import Area

    longpan = Area.objects.get(kind="street", name="龙蟠街道")
    lp_sys = User.objects.create(username="lp_sys", must_change_password=False)
    RoleGrant.objects.create(user=lp_sys, role="system_admin", area=longpan)
    lp_audit = User.objects.create(username="lp_audit", must_change_password=False)
    RoleGrant.objects.create(user=lp_audit, role="audit_admin", area=longpan)
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=User.objects.get(pk=lp_sys.pk), user=lp_audit, is_active=False)
    assert User.objects.get(pk=lp_audit.pk).is_active is True


def test_nobody_deactivates_themselves(personas):
    with pytest.raises(ValidationError):
        services.user_set_active(actor=personas.sysadmin, user=personas.sysadmin, is_active=False)
    assert User.objects.get(username="sysadmin").is_active is True


def test_after_the_security_admin_revokes_the_role_the_system_admin_may_deactivate(personas):
    auditor = personas.auditor
    grant = RoleGrant.objects.get(user=auditor, role="audit_admin")
    services.role_revoke(actor=personas.secadmin, grant=grant)
    services.user_set_active(actor=personas.sysadmin, user=User.objects.get(pk=auditor.pk), is_active=False)
    assert User.objects.get(pk=auditor.pk).is_active is False
    assert list(AuditLog.objects.filter(action__in=["role_revoke", "user_deactivate"]).values_list("action", "username")
                .order_by("id")) == [("role_revoke", "secadmin"), ("user_deactivate", "sysadmin")]  # fmt: skip


def test_business_accounts_are_still_deactivated_and_enabled(personas):
    services.user_set_active(actor=personas.sysadmin, user=personas.grid_wc02, is_active=False)
    assert User.objects.get(username="grid_wc02").is_active is False
    services.user_set_active(actor=personas.sysadmin, user=personas.grid_wc02, is_active=True)
    assert User.objects.get(username="grid_wc02").is_active is True


def test_the_page_offers_no_button_and_the_post_is_refused_in_chinese(personas, client):
    verified_login(client, "sysadmin")
    auditor = personas.auditor
    page = client.get(f"/accounts/users/{auditor.pk}/").content.decode()
    assert "停用账号" not in page
    assert "三员账号不能在此停用或启用" in page
    response = client.post(f"/accounts/users/{auditor.pk}/active/", {"is_active": "0"})
    assert response.status_code == 403
    assert REFUSAL in response.content.decode()
    assert User.objects.get(pk=auditor.pk).is_active is True
    # A business account still has its button.
    assert "停用账号" in client.get(f"/accounts/users/{personas.grid_wc02.pk}/").content.decode()
