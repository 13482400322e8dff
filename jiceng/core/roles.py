"""The roles table belongs to ``accounts`` (``accounts/roles.py``); core's cached menu asks it through this
hook, which ``AccountsConfig.ready()`` fills, so that core imports no app above it."""

from __future__ import annotations

from collections.abc import Callable

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
