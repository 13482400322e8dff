"""Reads about accounts, always from the actor's point of view (the accounts' ``restrict``).

An account lies within an administrator's subtree when every role it holds is on a node in that
subtree and it holds at least one there, or, before any role is granted, when its ``home_area``
(the node whose system administrator created it) is in that subtree. A grant on the root node sees
every account. Out of scope and absent look the same (404), as everywhere else.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from jiceng.territory.models import Area

from .models import RoleGrant, User

#: The permission each account action needs (roles.py).
USER_ACTION_PERMS = {
    "view": "accounts.view_user",
    "add": "accounts.add_user",
    "change": "accounts.change_user",
    "grant": "accounts.grant_rolegrant",
}


def admin_paths(actor, perm: str) -> list[str]:
    """The node paths on which ``actor`` holds ``perm`` (an empty list: nowhere)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return [g.area_path for g in actor.scope.grants_with(perm)]


def _covers_root(paths: list[str]) -> bool:
    return any(len(p) <= Area.steplen for p in paths)


def _prefix_q(field: str, paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def user_restrict(actor, action: str = "view") -> QuerySet[User]:
    """The accounts ``actor`` may ``action`` (view / add / change / grant)."""
    paths = admin_paths(actor, USER_ACTION_PERMS[action])
    qs = User.objects.all()
    if not paths:
        return qs.none()
    if _covers_root(paths):
        return qs
    inside = RoleGrant.objects.filter(_prefix_q("area__path", paths)).values("user_id")
    outside = RoleGrant.objects.exclude(_prefix_q("area__path", paths)).values("user_id")
    return qs.filter(Q(pk__in=inside) | _prefix_q("home_area__path", paths)).exclude(pk__in=outside)


def user_list(actor) -> QuerySet[User]:
    grants = Prefetch("grants", queryset=RoleGrant.objects.select_related("area").order_by("area__path", "role"))
    return user_restrict(actor, "view").select_related("home_area").prefetch_related(grants).order_by("username")


def get_user_or_404(actor, pk, action: str = "view") -> User:
    try:
        return user_restrict(actor, action).select_related("home_area").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该账号，或账号不在您的管理范围内。") from None


def get_grant_or_404(actor, pk) -> RoleGrant:
    """A role grant the actor may revoke: on a node inside a subtree where they may grant roles."""
    paths = admin_paths(actor, USER_ACTION_PERMS["grant"])
    try:
        return RoleGrant.objects.select_related("user", "area").filter(_prefix_q("area__path", paths)).get(pk=pk)
    except (RoleGrant.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该授权，或不在您的管理范围内。") from None


def areas_for(actor, action: str) -> QuerySet[Area]:
    """Nodes on which ``actor`` may create accounts (``add``) or grant roles (``grant``)."""
    paths = admin_paths(actor, USER_ACTION_PERMS[action])
    return Area.objects.filter(_prefix_q("path", paths)).order_by("path")


def user_scope_path(user) -> str:
    """The audit scope of an account: the shallowest node it holds a role on, else its home node."""
    paths = [g.area.path for g in user.grants.select_related("area")]
    if paths:
        return min(paths, key=len)
    return user.home_area.path if user.home_area_id else ""
