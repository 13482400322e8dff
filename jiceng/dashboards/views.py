from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render

from jiceng.core.breadcrumbs import area_breadcrumbs
from jiceng.core.scoping import get_scoped_object_or_404
from jiceng.party.models import PartyMember
from jiceng.people.models import Resident
from jiceng.territory.models import Area, Household
from jiceng.tickets.selectors import todo
from jiceng.tickets.todo import todo_context

from . import selectors
from .selectors import area_chain_with_versions, community_grids_geojson, coverage_gaps, node_stats, stat_labels


@login_required
def home(request):
    user = request.user
    scope = user.scope
    if scope.household_id and not scope.top_grant:
        return _resident_home(request)
    if scope.party_member_id and not scope.top_grant:
        return _member_home(request)
    grant = scope.top_grant
    if grant is None and any(g.role == "unit_handler" for g in scope.grants):
        return _handler_home(request)
    # The node, its ancestors (the breadcrumbs) and the versions its cached figures are filed under: one query.
    chain, known_versions = area_chain_with_versions(grant.area_path) if grant is not None else ([], {})
    node = chain[-1] if chain else None
    stats = node_stats(user, node, known_versions=known_versions) if node is not None else None
    labels = stat_labels()
    context = {
        "title": "首页",
        "node": node,
        "stats": [(k, labels[k], v) for k, v in stats.items()] if stats else [],
        "breadcrumbs": area_breadcrumbs(user, node, chain=chain) if node else [],
        "is_admin": user.is_admin_role,
    }
    if grant is not None and grant.role in TODO_HOME_ROLES:
        context["todo"] = todo(user, rows=False)  # the counts; the 待办 page lists the tickets
    return render(request, "dashboards/home.html", context)


#: Who finds their 待办 on the home page: the people who handle requests day to day (a street or the
#: district supervises; its home stays the figures of its subtree).
TODO_HOME_ROLES = frozenset({"grid_worker", "community_worker"})


def _handler_home(request):
    """A department or co-building unit person (``unit_handler``): their home is their 待办."""
    return render(request, "dashboards/home_handler.html", {**todo_context(request.user), "title": "首页 · 我的待办"})


def _resident_home(request):
    user = request.user
    household = Household.objects.restrict(user).select_related("building__grid", "building__quarter").first()
    members = Resident.objects.restrict(user).filter(deleted_at__isnull=True).order_by("relation_to_head", "birth_date")
    return render(
        request, "dashboards/home_resident.html", {"title": "我的家庭", "household": household, "members": members}
    )


def _member_home(request):
    user = request.user
    member = PartyMember.objects.restrict(user).select_related("org", "report_community").first()
    community = Area.objects.restrict(user).filter(kind="community").first()
    return render(
        request, "dashboards/home_member.html", {"title": "我的党员信息", "member": member, "community": community}
    )


def _require_subtree_view(user, perm: str) -> None:
    """Coverage and the map are for people who run part of the tree, not for personal or 三员 roles."""
    if not user.scope.grants_with(perm):
        raise PermissionDenied("您没有查看该页面的权限。")


@login_required
def coverage(request):
    _require_subtree_view(request.user, "territory.view_building")
    gaps = coverage_gaps(request.user)
    return render(request, "dashboards/coverage.html", {"title": "组织覆盖情况", "gaps": gaps})


@login_required
def overview(request):
    """党建引领看板: the node's Party-building figures beside each of its children's, with a chart; a street
    or the district compares its communities (or streets), a community its grids."""
    user = request.user
    _require_subtree_view(user, "territory.view_area")
    if request.GET.get("node"):
        node = get_scoped_object_or_404(Area.objects.all(), user, pk=request.GET["node"])
    else:
        node = Area.objects.filter(path=user.scope.top_grant.area_path).first() if user.scope.top_grant else None
        if node is None:
            raise PermissionDenied("您没有查看该页面的权限。")
    context = {
        "title": f"党建引领看板 · {node.name}",
        "node": node,
        "breadcrumbs": area_breadcrumbs(user, node),
        **selectors.overview(user, node),
    }
    return render(request, "dashboards/overview.html", context)


@login_required
def grid_map(request):
    user = request.user
    _require_subtree_view(user, "territory.view_area")
    communities = Area.objects.restrict(user).filter(kind="community").order_by("code")
    selected = None
    if request.GET.get("community"):
        selected = get_scoped_object_or_404(Area.objects.filter(kind="community"), user, pk=request.GET["community"])
    elif communities:
        selected = communities[0]
    from django.conf import settings

    return render(
        request,
        "dashboards/map.html",
        {
            "title": "网格地图",
            "communities": communities,
            "selected": selected,
            "tile_url": settings.JICENG_MAP_TILE_URL,
        },
    )


@login_required
def grid_geojson(request, community):
    area = get_scoped_object_or_404(Area.objects.filter(kind="community"), request.user, pk=community)
    return JsonResponse(community_grids_geojson(request.user, area))
