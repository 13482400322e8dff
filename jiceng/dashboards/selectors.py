"""Read-only numbers for a node of the tree, shared by the home page and ``/api/v1/stats/``."""

from __future__ import annotations

from jiceng.party.choices import BRANCH_TYPES
from jiceng.party.models import CentralHousehold, PartyGroup, PartyMember, PartyOrg
from jiceng.people.models import Resident, Worker
from jiceng.territory.models import Area, Building, Household

STAT_KEYS = (
    "streets", "communities", "grids", "quarters", "quarter_branches", "party_groups", "central_households",
    "buildings", "households", "residents", "party_members", "in_service_members", "grid_workers",
)  # fmt: skip

STAT_LABELS = {
    "streets": "街道", "communities": "社区", "grids": "网格", "quarters": "小区",
    "quarter_branches": "小区(网格)党支部", "party_groups": "楼栋党小组", "central_households": "党员中心户",
    "buildings": "楼栋", "households": "户", "residents": "实有人口", "party_members": "党员",
    "in_service_members": "在职党员（报到）", "grid_workers": "网格员",
}  # fmt: skip


def node_stats(user, node: Area | None = None) -> dict[str, int]:
    """Counts for ``node`` (default: everything the user may see), always within the user's scope."""

    def scoped(qs):
        qs = qs.restrict(user, "view")
        if node is not None:
            field = getattr(qs.model, "scope_path_field", "scope_path")
            qs = qs.filter(**{f"{field}__startswith": node.path})
        return qs

    areas = scoped(Area.objects.all())
    return {
        "streets": areas.filter(kind="street").count(),
        "communities": areas.filter(kind="community").count(),
        "grids": areas.filter(kind="grid").count(),
        "quarters": areas.filter(kind="quarter").count(),
        "quarter_branches": scoped(
            PartyOrg.objects.filter(org_type__in=BRANCH_TYPES, area__kind__in=["quarter", "grid"])
        ).count(),
        "party_groups": scoped(PartyGroup.objects.all()).count(),
        "central_households": scoped(CentralHousehold.objects.all()).count(),
        "buildings": scoped(Building.objects.all()).count(),
        "households": scoped(Household.objects.all()).count(),
        "residents": scoped(Resident.objects.filter(deleted_at__isnull=True)).count(),
        "party_members": scoped(PartyMember.objects.all()).count(),
        "in_service_members": scoped(
            PartyMember.objects.filter(is_in_service=True, report_community__isnull=False)
        ).count(),
        "grid_workers": scoped(Worker.objects.filter(is_grid_worker=True, is_active=True)).count(),
    }
