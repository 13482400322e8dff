"""API resources of the territory tree: areas (and the per-kind shortcuts), buildings, households."""

from __future__ import annotations

import django_filters
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from rest_framework import serializers

from jiceng.api.base import ScopedFilterSet, ScopedReadOnlyViewSet
from jiceng.api.registry import router
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area, Building, Household

# --- Areas ------------------------------------------------------------------------------------


def areas_with_parent():
    """Areas annotated with their parent's id, found by path prefix in the same SQL (no N+1)."""
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Area.steplen)
    parent = Area.objects.filter(path=parent_path).values("pk")[:1]
    return Area.objects.annotate(parent_id=Subquery(parent, output_field=IntegerField()))


class AreaFilterSet(ScopedFilterSet):
    path_field = "path"
    parent = django_filters.NumberFilter(method="filter_parent", label="上级节点")
    name = django_filters.CharFilter(lookup_expr="icontains", label="名称包含")

    class Meta:
        model = Area
        fields = ["kind", "code", "grid_type", "is_active"]

    def filter_parent(self, queryset, name, value):
        parent = Area.objects.filter(pk=value).values_list("path", "depth").first()
        if parent is None:
            return queryset.none()
        return queryset.filter(path__startswith=parent[0], depth=parent[1] + 1)


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True, label="上级节点")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label="层级名称")

    class Meta:
        model = Area
        fields = [
            "id", "kind", "kind_display", "code", "code_is_example", "name", "parent", "depth", "town_kind",
            "urban_rural_code", "is_active",
        ]  # fmt: skip


class StreetSerializer(AreaSerializer):
    pass


class CommunitySerializer(AreaSerializer):
    pass


class GridSerializer(AreaSerializer):
    boundary = serializers.JSONField(read_only=True, label="边界（GeoJSON）")

    class Meta(AreaSerializer.Meta):
        fields = [
            "id", "kind", "kind_display", "code", "code_is_example", "name", "parent", "depth", "grid_type",
            "brand_name", "boundary", "min_lng", "min_lat", "max_lng", "max_lat", "is_active",
        ]  # fmt: skip


class QuarterSerializer(AreaSerializer):
    class Meta(AreaSerializer.Meta):
        fields = [
            "id", "kind", "kind_display", "code", "code_is_example", "name", "parent", "depth", "address",
            "has_service_station", "is_active",
        ]  # fmt: skip


class AreaViewSet(ScopedReadOnlyViewSet):
    """辖区节点（区、街道、社区、网格、小区）。"""

    queryset = areas_with_parent()
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
    ordering_fields = ["path", "code", "name"]


class StreetViewSet(AreaViewSet):
    """街道。"""

    queryset = areas_with_parent().filter(kind=AreaKind.STREET)
    serializer_class = StreetSerializer


class CommunityViewSet(AreaViewSet):
    """社区。"""

    queryset = areas_with_parent().filter(kind=AreaKind.COMMUNITY)
    serializer_class = CommunitySerializer


class GridViewSet(AreaViewSet):
    """网格，含边界（GeoJSON）。"""

    queryset = areas_with_parent().filter(kind=AreaKind.GRID)
    serializer_class = GridSerializer


class QuarterViewSet(AreaViewSet):
    """小区。"""

    queryset = areas_with_parent().filter(kind=AreaKind.QUARTER)
    serializer_class = QuarterSerializer


# --- Buildings --------------------------------------------------------------------------------


class BuildingFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="名称包含")

    class Meta:
        model = Building
        fields = ["grid", "quarter", "code", "number", "usage"]


class BuildingSerializer(serializers.ModelSerializer):
    grid_name = serializers.CharField(source="grid.name", read_only=True, label="网格")
    quarter_name = serializers.CharField(source="quarter.name", read_only=True, allow_null=True, label="小区")

    class Meta:
        model = Building
        fields = [
            "id", "code", "number", "name", "grid", "grid_name", "quarter", "quarter_name", "floors", "units",
            "usage", "address", "lng", "lat",
        ]  # fmt: skip


class BuildingViewSet(ScopedReadOnlyViewSet):
    """楼栋。"""

    queryset = Building.objects.select_related("grid", "quarter")
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilterSet
    ordering_fields = ["code", "name"]


# --- Households -------------------------------------------------------------------------------


class HouseholdFilterSet(ScopedFilterSet):
    class Meta:
        model = Household
        fields = ["building", "household_no", "room", "hukou_type", "usage"]


class HouseholdSerializer(serializers.ModelSerializer):
    building_name = serializers.CharField(source="building.name", read_only=True, label="楼栋")
    head_name = serializers.CharField(read_only=True, allow_null=True, label="户主")
    resident_count = serializers.IntegerField(read_only=True, label="在册人数")

    class Meta:
        model = Household
        fields = [
            "id", "household_no", "building", "building_name", "room", "head", "head_name", "hukou_type", "usage",
            "area_sqm", "resident_count",
        ]  # fmt: skip


class HouseholdViewSet(ScopedReadOnlyViewSet):
    """户。"""

    queryset = (
        Household.objects.select_related("building")
        .annotate(
            head_name=F("head__name"),  # the head's name only: no need to load (and decrypt) the whole row
            resident_count=Count("residents", filter=Q(residents__deleted_at__isnull=True)),
        )
        .order_by("household_no")
    )  # an aggregate drops Meta.ordering
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilterSet
    ordering_fields = ["household_no"]


router.register("areas", AreaViewSet, basename="area")
router.register("streets", StreetViewSet, basename="street")
router.register("communities", CommunityViewSet, basename="community")
router.register("grids", GridViewSet, basename="grid")
router.register("quarters", QuarterViewSet, basename="quarter")
router.register("buildings", BuildingViewSet, basename="building")
router.register("households", HouseholdViewSet, basename="household")
