"""The caller's scope, computed once per request (``user.scope``) and used by every restrict()."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q

from jiceng.core.scoping import permission_name
from jiceng.territory.models import Area

from .roles import ROLES


def _grant_rows(user_id: int) -> list[tuple]:
    """(role, area id, path, kind, name) of each of the user's grants, by path: five columns, not the
    areas' rows (grid polygons). Read on every logged-in request, so in SQL written once rather than
    built by the ORM each time; ``test_scope_and_session_loading.py`` compares it with the ORM query."""
    from .models import RoleGrant

    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g.{qn('role')}, g.{qn('area_id')}, a.{qn('path')}, a.{qn('kind')}, a.{qn('name')}"
            f" FROM {qn(RoleGrant._meta.db_table)} g INNER JOIN {qn(Area._meta.db_table)} a ON a.{qn('id')} = g.{qn('area_id')}"
            f" WHERE g.{qn('user_id')} = %s ORDER BY a.{qn('path')}, g.{qn('id')}",
            [user_id],
        )
        return cursor.fetchall()


@dataclass(frozen=True)
class Grant:
    role: str
    area_id: int
    area_path: str
    area_kind: str
    area_name: str

    @property
    def role_label(self) -> str:
        return ROLES[self.role].label


#: A grant on a node of this kind lets its holder list nodes of these kinds (its own node and below).
AREA_KINDS_LISTED = {
    "district": {"street", "community", "grid", "quarter"},
    "street": {"street", "community", "grid", "quarter"},
    "community": {"community", "grid", "quarter"},
    "grid": {"grid"},
    "quarter": {"quarter"},
}


@dataclass
class UserScope:
    user_id: int
    grants: list[Grant] = field(default_factory=list)
    resident_id: int | None = None
    household_id: int | None = None
    party_member_id: int | None = None
    report_community_id: int | None = None

    @classmethod
    def for_user(cls, user) -> UserScope:
        return cls.of(
            user,
            [Grant(*row) for row in _grant_rows(user.pk)],
            household_id=user.resident.household_id if user.resident_id else None,
            report_community_id=user.party_member.report_community_id if user.party_member_id else None,
        )

    @classmethod
    def of(cls, user, grants: list[Grant], *, household_id, report_community_id) -> UserScope:
        """The scope of ``user`` from its grants and its resident's household / member's community, read
        by the caller (``for_user``, or the one query of ``accounts.backends``)."""
        scope = cls(user_id=user.pk, grants=grants)
        if user.resident_id:
            scope.resident_id = user.resident_id
            scope.household_id = household_id
        if user.party_member_id:
            scope.party_member_id = user.party_member_id
            scope.report_community_id = report_community_id
        return scope

    def has_perm(self, perm: str) -> bool:
        return any(ROLES[g.role].has_perm(perm) for g in self.grants)

    @property
    def area_list_kinds(self) -> frozenset[str]:
        """The kinds of node (street, community, grid, quarter) of which this user's lists can show any:
        a grant covers its own node and what lies below it; a Party member's personal view is their
        报到 community alone. The 辖区 menu offers only these lists, never an empty one."""
        kinds: set[str] = set()
        for g in self.grants_with("territory.view_area"):
            kinds |= AREA_KINDS_LISTED.get(g.area_kind, set())
        personal = any(ROLES[g.role].personal and ROLES[g.role].has_perm("territory.view_area") for g in self.grants)
        if personal and self.report_community_id:
            kinds.add("community")
        return frozenset(kinds)

    def grants_with(self, perm: str) -> list[Grant]:
        return [g for g in self.grants if ROLES[g.role].has_perm(perm) and not ROLES[g.role].personal]

    def q_for(self, model, action: str) -> Q | None:
        perm = permission_name(model, action)
        q: Q | None = None
        path_field = getattr(model, "scope_path_field", "scope_path")
        quarter_lookup = getattr(model, "scope_quarter_lookup", None)
        for grant in self.grants_with(perm):
            if grant.area_kind == "quarter" and quarter_lookup:
                part = Q(**{quarter_lookup: grant.area_id})
            else:
                part = Q(**{f"{path_field}__startswith": grant.area_path})
            extra = getattr(model, "extra_scope_q", None)
            if extra is not None:
                more = extra(grant)
                if more is not None:
                    part = part | more
            q = part if q is None else q | part
        if any(ROLES[g.role].personal and ROLES[g.role].has_perm(perm) for g in self.grants):
            personal = getattr(model, "personal_scope_q", None)
            part = personal(self, action) if personal else None
            if part is not None:
                q = part if q is None else q | part
        return q

    def covers_path(self, path: str, perm: str, *, quarter_id: int | None = None) -> bool:
        """Whether a grant carrying ``perm`` covers the node at ``path`` (for create/move checks).

        ``quarter_id``: the 小区 the row belongs to, for rows stored at a grid's path that a quarter's
        grant reaches through ``scope_quarter_lookup`` (what ``q_for`` lets it read, it may then write)."""
        for g in self.grants_with(perm):
            if path.startswith(g.area_path):
                return True
            if quarter_id is not None and g.area_kind == "quarter" and g.area_id == quarter_id:
                return True
        return False

    @property
    def top_grant(self) -> Grant | None:
        business = [g for g in self.grants if not ROLES[g.role].admin and not ROLES[g.role].personal]
        return min(business, key=lambda g: len(g.area_path)) if business else None
