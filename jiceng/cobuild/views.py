"""Pages of 单位包保 beyond the declared entities' own: the coverage of a node (grids without a unit,
units without a grid) and the liaison's own unit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from jiceng.core import entity_views
from jiceng.core.scoping import get_scoped_object_or_404
from jiceng.territory.models import Area

from . import selectors
from .models import Pairing, UnitActivity, UnitReport


def _node(request):
    """The node the coverage is about: ``?area=`` (a street, community or district the user sees) or
    the user's top grant's node."""
    raw = request.GET.get("area")
    if raw:
        qs = Area.objects.filter(kind__in=("district", "street", "community"))
        return get_scoped_object_or_404(qs, request.user, "view", pk=raw)
    top = request.user.scope.top_grant
    if top is None:
        raise PermissionDenied("覆盖情况只对辖区工作人员开放。")
    return Area.objects.get(pk=top.area_id)


@login_required
@require_GET
def coverage(request):
    if not request.user.scope.has_perm("cobuild.view_pairing"):
        raise PermissionDenied("您没有查看包保关系的权限。")
    node = _node(request)
    if node.kind in ("grid", "quarter"):
        node = Area.objects.get(path=node.path[: -Area.steplen])
    data = selectors.coverage(request.user, node)
    children = Area.objects.restrict(request.user, "view").filter(
        kind__in=("street", "community"), depth=node.depth + 1, path__startswith=node.path
    )
    context = {
        "title": f"{node.name}包保覆盖情况",
        "node": node,
        "children": children.order_by("path"),
        "unpaired": list(data["unpaired"][:500]),
        "idle_units": list(data["idle_units"][:500]),
        **{k: data[k] for k in ("grids", "paired_grids", "units")},
    }
    context["unpaired_count"] = context["grids"] - context["paired_grids"]
    return render(request, "cobuild/coverage.html", context)


@login_required
@require_GET
def my_unit(request):
    """单位联络员的页面: their units, each with its pairings, its reports and its latest activities."""
    if not request.user.scope.has_perm("cobuild.view_pairing"):
        raise PermissionDenied("您没有查看包保关系的权限。")
    units = list(selectors.units_of_liaison(request.user))
    if not units:
        raise Http404("您不是任何共建单位的联络员。")
    pairings = Pairing.objects.restrict(request.user, "view").select_related("grid", "unit")
    reports = UnitReport.objects.restrict(request.user, "view").select_related("community", "unit")
    activities = UnitActivity.objects.restrict(request.user, "view").select_related("pairing__grid", "pairing__unit")
    context = {
        "title": "我的单位",
        "units": units,
        "pairings": pairings.order_by("unit__name", "grid__path")[:200],
        "reports": reports.order_by("-created_at")[:100],
        "activities": activities.order_by("-date", "-id")[:50],
    }
    return render(request, "cobuild/my_unit.html", context)


class PairingListView(entity_views.EntityListView):
    """The generated list of pairings, with links to the coverage page and, for a liaison, to their unit."""

    template_name = "cobuild/pairing_list.html"

    @cached_property
    def table_class(self):
        return entity_views.table_class(self.entity)

    @cached_property
    def filterset_class(self):
        return entity_views.filterset_class(self.entity)

    @cached_property
    def add_url(self):
        return reverse(self.entity.url_name("add"))

    def get_extra_context(self):
        user = self.request.user
        return {
            **super().get_extra_context(),
            "coverage_url": reverse("cobuild:coverage") if user.scope.top_grant is not None else "",
            "my_unit_url": reverse("cobuild:my_unit") if selectors.units_of_liaison(user).exists() else "",
        }
