"""The roles table belongs to ``accounts`` (``accounts/roles.py``); core's cached menu asks it through this
hook, which ``AccountsConfig.ready()`` fills, so that core imports no app above it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_role_has_perm: Callable[[str, str], bool] | None = None


def register_role_permission_check(check: Callable[[str, str], bool]) -> None:
    """``check(role_code, "app.codename")``: whether a grant of that role carries the permission."""
    global _role_has_perm
    _role_has_perm = check


def role_has_perm(role: str, perm: str) -> bool:
    if _role_has_perm is None:
        raise ImproperlyConfigured("未注册角色权限表：jiceng.accounts 须在 INSTALLED_APPS 中。")
    return _role_has_perm(role, perm)


def admin_otp_satisfied(user) -> bool:
    """Administrator roles need a verified TOTP device; the DEBUG demo may skip it (and says so).

    Asked by the web gate (``accounts.middleware``) and by the API's permission (``api.base.ApiAccess``),
    so it lives below both."""
    if not user.is_admin_role:
        return True
    if user.is_verified():
        return True
    return bool(settings.DEBUG and settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP)
