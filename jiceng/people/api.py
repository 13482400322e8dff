"""API resources about people: residents, special-population tags (sensitive), community and grid workers.

Personal data leaves the server masked exactly as on screen (docs/architecture.md, “Personal data”): the serializers expose
``id_number_masked`` and ``phone_masked``, never the stored value and never the lookup hashes; the
free-text addresses (which carry unit and room) are not exposed at all. Full values are revealed only
through the reveal service, with a reason, in the web UI.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from rest_framework import serializers

from jiceng.api.base import ID_LAST4_PATTERN, PHONE_PATTERN, ScopedFilterSet, ScopedReadOnlyViewSet, pattern_filter
from jiceng.api.registry import router
from jiceng.core.validators import is_ascii_digits, validate_phone
from jiceng.people.models import Resident, ResidentTag, Worker
from jiceng.people.services import phone_hash_for
from jiceng.territory.models import Area

# --- Residents --------------------------------------------------------------------------------


def _validate_last4(value: str) -> None:
    if len(value) != 4 or not is_ascii_digits(value[:3]) or not (is_ascii_digits(value[3]) or value[3] in "xX"):
        raise ValidationError("请输入证件号码的后 4 位（数字，末位可为 X）。")


class ResidentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名包含")
    id_last4 = pattern_filter(ID_LAST4_PATTERN)(
        method="filter_id_last4", validators=[_validate_last4], label="证件号后 4 位"
    )
    phone = pattern_filter(PHONE_PATTERN)(method="filter_phone", validators=[validate_phone], label="联系电话（精确）")

    class Meta:
        model = Resident
        fields = ["household", "building", "grid", "gender", "population_type", "political_status", "is_deceased"]

    def filter_id_last4(self, queryset, name, value):
        return queryset.filter(id_last4=value.upper())

    def filter_phone(self, queryset, name, value):
        # The phone is encrypted at rest; exact lookup goes through its keyed hash.
        return queryset.filter(phone_hash=phone_hash_for(validate_phone(value)))


class ResidentSerializer(serializers.ModelSerializer):
    id_number_masked = serializers.CharField(read_only=True, label="证件号码（脱敏）")
    phone_masked = serializers.CharField(read_only=True, label="联系电话（脱敏）")
    gender_display = serializers.CharField(source="get_gender_display", read_only=True, label="性别名称")
    population_type_display = serializers.CharField(
        source="get_population_type_display", read_only=True, label="人口类型名称"
    )
    household_no = serializers.CharField(source="household.household_no", read_only=True, label="户号")
    building_name = serializers.CharField(source="building.name", read_only=True, label="楼栋")
    grid_name = serializers.CharField(source="grid.name", read_only=True, label="网格")

    class Meta:
        model = Resident
        fields = [
            "id", "name", "former_name", "id_type", "id_number_masked", "gender", "gender_display", "birth_date",
            "ethnicity", "political_status", "education", "marital_status", "occupation", "employer",
            "phone_masked", "population_type", "population_type_display", "household", "household_no",
            "relation_to_head", "building", "building_name", "grid", "grid_name", "inflow_reason",
            "registered_on", "permit_expiry", "is_deceased", "moved_out_at",
        ]  # fmt: skip


class ResidentViewSet(ScopedReadOnlyViewSet):
    """实有人口。证件号码、电话均为脱敏值；可按姓名（q）、证件号后 4 位（id_last4）、电话（phone，精确）查找。"""

    queryset = Resident.objects.filter(deleted_at__isnull=True).select_related("household", "building", "grid")
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilterSet
    ordering_fields = ["scope_path", "id", "name", "birth_date"]


# --- Special-population tags ------------------------------------------------------------------


class ResidentTagFilterSet(ScopedFilterSet):
    class Meta:
        model = ResidentTag
        fields = ["resident", "tag_type", "risk_level"]


class ResidentTagSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True, label="居民")
    tag_type_display = serializers.CharField(source="get_tag_type_display", read_only=True, label="类别名称")

    class Meta:
        model = ResidentTag
        fields = [
            "id", "resident", "resident_name", "tag_type", "tag_type_display", "risk_level", "help_measures",
            "valid_from", "valid_to",
        ]  # fmt: skip


class ResidentTagViewSet(ScopedReadOnlyViewSet):
    """特殊人群 / 关爱对象标签（敏感）：仅限有权查看人群标签的角色，且在其管辖范围内。"""

    scope_action = "viewtags"  # a grant must carry people.viewtags_residenttag, not just view
    queryset = ResidentTag.objects.filter(resident__deleted_at__isnull=True).select_related("resident")
    serializer_class = ResidentTagSerializer
    filterset_class = ResidentTagFilterSet
    ordering_fields = ["scope_path", "tag_type", "risk_level"]


# --- Workers ----------------------------------------------------------------------------------


def _grids_in_scope(request):
    """Choices of ``grid``: only grids the caller sees, so an id outside scope (or one too large for the
    database, ``±9999…``) answers 400 "not a valid choice" like one that does not exist."""
    if request is None:
        return Area.objects.none()
    return Area.objects.filter(kind="grid").restrict(request.user, "view")


class WorkerFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="姓名包含")
    grid = django_filters.ModelChoiceFilter(field_name="grids", queryset=_grids_in_scope, label="服务网格")

    class Meta:
        model = Worker
        fields = ["community", "is_grid_worker", "post", "grade", "is_active"]


class WorkerSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True, label="所属社区")
    post_display = serializers.CharField(source="get_post_display", read_only=True, label="岗位名称")
    phone_masked = serializers.CharField(read_only=True, label="联系电话（脱敏）")

    class Meta:
        model = Worker
        fields = [
            "id", "name", "community", "community_name", "gender", "phone_masked", "post", "post_display", "grade",
            "level", "hire_date", "contract_end", "qualification", "is_grid_worker", "grids", "is_active",
        ]  # fmt: skip
        extra_kwargs = {"grids": {"read_only": True}}


class WorkerViewSet(ScopedReadOnlyViewSet):
    """社区专职工作者与网格员（grids 为其服务的网格）。"""

    queryset = Worker.objects.select_related("community").prefetch_related("grids")
    serializer_class = WorkerSerializer
    filterset_class = WorkerFilterSet
    ordering_fields = ["scope_path", "name"]


router.register("residents", ResidentViewSet, basename="resident")
router.register("resident-tags", ResidentTagViewSet, basename="residenttag")
router.register("workers", WorkerViewSet, basename="worker")
