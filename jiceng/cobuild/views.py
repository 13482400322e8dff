"""Pages of 单位包保 beyond the declared entities' own: the coverage of a node (grids without a unit,
units without a grid), the liaison's own unit, and the photos of an activity."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from jiceng.attachments.selectors import attachments_for
from jiceng.attachments.services import attach
from jiceng.core.entity_views import EntityDetailView
from jiceng.core.errors import OutOfScope
from jiceng.core.scoping import get_scoped_object_or_404, user_can
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


class ActivityDetailView(EntityDetailView):
    """The activity's page, with its photos (``jiceng.attachments``) and an upload for those who may edit."""

    template_name = "cobuild/activity_detail.html"

    def get_extra_context(self, obj):
        context = super().get_extra_context(obj)
        context["photos"] = [
            (a, reverse("attachments:file", args=[a.pk]))
            for a in attachments_for(obj)
            if a.content_type != "application/pdf"
        ]
        context["can_attach"] = user_can(self.request.user, obj, "change")
        return context

    def post(self, request, pk):
        obj = get_scoped_object_or_404(self.get_base_queryset(), request.user, "change", pk=pk)
        try:
            attach(actor=request.user, target=obj, files=request.FILES.getlist("photos"), purpose="活动照片")
        except OutOfScope:
            raise Http404("未找到对象，或对象不在您的管辖范围内。") from None
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "照片已上传。")
        return redirect(obj.get_absolute_url())
