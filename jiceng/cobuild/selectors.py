"""Reads of 单位包保: pairings in force, coverage (grids without a unit, units without a grid), figures."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area

from .choices import ReportStatus
from .models import Pairing, UnitReport, liaison_units


def in_force(day: dt.date | None = None) -> Q:
    """Pairings whose period covers ``day`` (today)."""
    day = day or timezone.localdate()
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def pairings_in_force(qs: QuerySet[Pairing] | None = None, day: dt.date | None = None) -> QuerySet[Pairing]:
    qs = Pairing.objects.all() if qs is None else qs
    return qs.filter(in_force(day))


def selectable_units(user) -> QuerySet[Organisation]:
    """The co-building units a user may see by name: those the user sees as organisations (a street's
    units), those pairing a grid the user sees, and those serving a node of the user's 包保 subtree (a
    community worker's units, paired or not)."""
    visible = Organisation.objects.restrict(user, "view").filter(kind="unit").values("pk")
    paired = Pairing.objects.restrict(user, "view").values("unit_id")
    q = Q(pk__in=visible) | Q(pk__in=paired)
    for grant in user.scope.grants_with("cobuild.view_pairing"):
        q |= Q(area__path__startswith=grant.area_path)
    return Organisation.objects.filter(kind="unit").filter(q).order_by("name")


def coverage(user, node: Area, day: dt.date | None = None) -> dict:
    """Under ``node``: the grids without a pairing in force, and the units serving the node's subtree
    (their ``area``) that pair no grid now; each scoped to what the user may view."""
    paired = pairings_in_force(Pairing.objects.restrict(user, "view"), day).filter(scope_path__startswith=node.path)
    grids = Area.objects.restrict(user, "view").filter(kind="grid", is_active=True, path__startswith=node.path)
    unpaired = grids.exclude(pk__in=paired.values("grid_id")).only("id", "name", "code", "path").order_by("path")
    units = selectable_units(user).filter(is_active=True, area__path__startswith=node.path)
    all_in_force = pairings_in_force(Pairing.objects.all(), day).values("unit_id")
    idle = units.exclude(pk__in=all_in_force).select_related("area")
    return {
        "grids": grids.count(),
        "paired_grids": grids.filter(pk__in=paired.values("grid_id")).count(),
        "unpaired": unpaired,
        "idle_units": idle,
        "units": units.count(),
    }


# --- /api/v1/stats/ figures (``core.stats.register_stat``) ---------------------------------------


def _paired(scoped):
    return pairings_in_force(scoped(Pairing.objects.all()))


def count_cobuild_units(scoped, user, node) -> int:
    return _paired(scoped).values("unit_id").distinct().count()


def count_paired_grids(scoped, user, node) -> int:
    return _paired(scoped).values("grid_id").distinct().count()


def count_unpaired_grids(scoped, user, node) -> int:
    grids = scoped(Area.objects.filter(kind="grid", is_active=True))
    return grids.exclude(pk__in=_paired(scoped).values("grid_id")).count()


def count_reported_units(scoped, user, node) -> int:
    return scoped(UnitReport.objects.filter(status=ReportStatus.CONFIRMED)).values("unit_id").distinct().count()


def units_of_liaison(user) -> QuerySet[Organisation]:
    """The co-building units whose liaison the user is."""
    return Organisation.objects.filter(kind="unit", pk__in=liaison_units(user.pk)).order_by("name")
