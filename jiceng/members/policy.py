"""Who may do what in 双报到 / 党员联户: the community (a grant covering the row's node) or the member themself."""

from __future__ import annotations

from jiceng.core.scoping import permission_name


def is_staff_for(user, obj, action: str = "change") -> bool:
    """A (non-personal) grant with ``<app>.<action>_<model>`` covers the row's node."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.scope.covers_path(obj.scope_path, permission_name(type(obj), action))


def is_the_member(user, obj) -> bool:
    """The account is the row's Party member (``User.party_member``)."""
    return user is not None and bool(getattr(user, "party_member_id", None)) and user.party_member_id == obj.member_id


def member_or_staff(user, obj) -> bool:
    return is_the_member(user, obj) or is_staff_for(user, obj)
