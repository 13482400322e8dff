from django.urls import reverse
from django.utils.functional import cached_property

from jiceng.core.breadcrumbs import area_breadcrumbs
from jiceng.core.scoping import get_scoped_object_or_404
from jiceng.core.views import ObjectDetailView, ObjectEditView, ObjectListView, pk_url

from . import services
from .choices import AreaKind
from .filters import AreaFilterSet, BuildingFilterSet, GridFilterSet, HouseholdFilterSet
from .forms import AreaForm, BuildingForm, HouseholdForm
from .models import Area, Building, Household
from .pages import page_context
from .tables import AreaTable, BuildingTable, GridTable, HouseholdTable


class AreaListView(ObjectListView):
    model = Area
    kind = None
    table_class = AreaTable
    filterset_class = AreaFilterSet

    def get_base_queryset(self):
        return Area.objects.filter(kind=self.kind)

    @cached_property
    def title(self):
        return AreaKind(self.kind).label


class StreetListView(AreaListView):
    kind = AreaKind.STREET


class CommunityListView(AreaListView):
    kind = AreaKind.COMMUNITY


class GridListView(AreaListView):
    kind = AreaKind.GRID
    table_class = GridTable
    filterset_class = GridFilterSet


class QuarterListView(AreaListView):
    from .tables import QuarterTable as table_class

    kind = AreaKind.QUARTER


class AreaDetailView(ObjectDetailView):
    model = Area
    queryset = Area.objects.defer("boundary")  # the page shows no polygon: a grid's is not parsed for it
    template_name = "territory/area_detail.html"

    def get_extra_context(self, area):
        user = self.request.user
        is_leaf = area.kind in {AreaKind.GRID, AreaKind.QUARTER}  # grids and quarters have no children
        children = (
            Area.objects.none()
            if is_leaf
            else Area.objects.restrict(user)
            .only("id", "path", "kind", "code", "name")
            .filter(path__startswith=area.path, depth=area.depth + 1)
            .order_by("kind", "code")
        )
        # The node's figures (with the breadcrumbs, read in the same query) and its Party organisations come
        # from the apps that own them (``pages.register_page_context``).
        extra = {
            "children": children,
            "stats": [],
            "party_orgs": [],
            **page_context("area_detail", user, area),
            "is_leaf": is_leaf,
            "can_add_child": self.can("add"),
        }
        if "breadcrumbs" not in extra:
            extra["breadcrumbs"] = area_breadcrumbs(user, area)
        # The buildings table shows a link, the name, the code and the floors: nothing else is read (a
        # grid at city scale has a hundred buildings; their quarters' polygons were parsed for nothing).
        buildings = Building.objects.restrict(user).only("id", "scope_path", "name", "code", "floors")
        if area.kind == AreaKind.GRID:
            extra["grid_workers"] = area.grid_workers.restrict(user).filter(is_active=True)
            extra["buildings"] = _with_urls(buildings.filter(grid=area)[:200])
        if area.kind == AreaKind.QUARTER:
            extra["buildings"] = _with_urls(buildings.filter(quarter=area)[:200])
        return extra


def _with_urls(buildings) -> list[Building]:
    url = pk_url("territory:building_detail")
    rows = list(buildings)
    for b in rows:
        b.detail_url = url(b.pk)
    return rows


class AreaEditView(ObjectEditView):
    model = Area
    form_class = AreaForm

    def get_form_kwargs(self):
        return {"kind": get_scoped_object_or_404(Area.objects.all(), self.request.user, pk=self.kwargs["pk"]).kind}

    def save(self, form, obj):
        data = form.service_data()
        return services.area_update(actor=self.request.user, area=obj, **data)

    def success_url(self, obj):
        return reverse("territory:area_detail", args=[obj.pk])


class AreaCreateView(ObjectEditView):
    """A new street, community, grid or quarter under a parent node in the user's scope.

    Codes are proposed (next grid serial; next quarter number) and validated by ``area_create``.
    """

    model = Area
    form_class = AreaForm

    def _parent(self):
        return get_scoped_object_or_404(Area.objects.all(), self.request.user, "add", pk=self.kwargs["parent"])

    def _kind(self):
        kind = self.kwargs["kind"]
        if kind not in {AreaKind.STREET, AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.QUARTER}:
            from django.http import Http404

            raise Http404("未知的层级。")
        return kind

    def get_initial(self):
        parent, kind = self._parent(), self._kind()
        if kind == AreaKind.GRID:
            return {"code": services.next_grid_code(parent), "grid_type": "basic", "is_active": True}
        if kind == AreaKind.QUARTER:
            n = Area.objects.filter(kind="quarter", code__startswith=parent.code[:12]).count() + 1
            return {"code": f"{parent.code[:12]}Q{n:02d}", "is_active": True}
        return {"is_active": True}

    def get_form_kwargs(self):
        return {"kind": self._kind()}

    def post(self, request, *args, **kwargs):
        self._parent()  # a parent out of scope is a 404 before the form says anything, as for GET
        return super().post(request, *args, **kwargs)

    def save(self, form, obj):
        data = form.service_data()
        return services.area_create(
            actor=self.request.user,
            parent=self._parent(),
            kind=self._kind(),
            code=data.pop("code"),
            name=data.pop("name"),
            **data,
        )

    def success_url(self, obj):
        return reverse("territory:area_detail", args=[obj.pk])


class BuildingListView(ObjectListView):
    model = Building
    queryset = Building.objects.select_related("grid", "quarter")
    table_class = BuildingTable
    filterset_class = BuildingFilterSet
    add_url = "/territory/buildings/add/"


class BuildingDetailView(ObjectDetailView):
    model = Building
    queryset = Building.objects.select_related("grid", "quarter")
    template_name = "territory/building_detail.html"

    def get_extra_context(self, obj):
        user = self.request.user
        return {
            "breadcrumbs": area_breadcrumbs(user, obj.grid, tail=[{"name": obj.name, "url": None}]),
            "households": Household.objects.restrict(user).filter(building=obj).order_by("room")[:300],
            "party_groups": obj.party_groups.restrict(user).select_related("branch"),
        }


class BuildingEditView(ObjectEditView):
    model = Building
    form_class = BuildingForm

    def save(self, form, obj):
        data = form.service_data()
        if obj is None:
            return services.building_create(actor=self.request.user, **data)
        return services.building_update(actor=self.request.user, building=obj, **data)

    def success_url(self, obj):
        return reverse("territory:building_detail", args=[obj.pk])


class HouseholdListView(ObjectListView):
    model = Household
    queryset = Household.objects.select_related("building")
    table_class = HouseholdTable
    filterset_class = HouseholdFilterSet
    add_url = "/territory/households/add/"


class HouseholdDetailView(ObjectDetailView):
    model = Household
    queryset = Household.objects.select_related("building__grid", "building__quarter", "head")
    template_name = "territory/household_detail.html"

    def get_extra_context(self, obj):
        user = self.request.user
        crumbs = area_breadcrumbs(user, obj.building.grid, tail=[{"name": str(obj), "url": None}])
        return {
            "breadcrumbs": crumbs if user.scope.grants_with("territory.view_area") else [],
            "can_add_member": user.scope.covers_path(
                obj.scope_path, "people.add_resident", quarter_id=obj.building.quarter_id
            ),
            "members": [],
            **page_context("household_detail", user, obj),  # the residents (``jiceng.people``)
        }


class HouseholdEditView(ObjectEditView):
    model = Household
    form_class = HouseholdForm

    def save(self, form, obj):
        data = form.service_data()
        if not data.get("household_no"):
            data.pop("household_no", None)
        if obj is None:
            return services.household_create(actor=self.request.user, **data)
        return services.household_update(actor=self.request.user, household=obj, **data)

    def success_url(self, obj):
        return reverse("territory:household_detail", args=[obj.pk])
