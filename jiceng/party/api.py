"""API resources of the Party organisation: organisations, members, committee seats, central households.

The groups' resource (``/api/v1/party-groups/``, reads and writes) is declared in ``party/entities.py``;
its filter set is here."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jiceng.api.base import ScopedFilterSet, ScopedReadOnlyViewSet
from jiceng.api.registry import router
from jiceng.core.masking import mask_phone
from jiceng.party.choices import SeatRole
from jiceng.party.models import CentralHousehold, CommitteeSeat, PartyGroup, PartyMember, PartyOrg
from jiceng.territory.models import Building, Household

# --- Party organisations ----------------------------------------------------------------------


class PartyOrgFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="名称包含")
    term_end_before = django_filters.DateFilter(field_name="term_end", lookup_expr="lte", label="届满日期不晚于")

    class Meta:
        model = PartyOrg
        fields = ["org_type", "parent", "area", "is_big_committee"]


class PartyOrgSerializer(serializers.ModelSerializer):
    org_type_display = serializers.CharField(source="get_org_type_display", read_only=True, label="组织类型名称")
    area_name = serializers.CharField(source="area.name", read_only=True, label="所在辖区")
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True, label="上级党组织")
    effective_term_end = serializers.DateField(read_only=True, allow_null=True, label="实际届满日期（含延期）")
    secretary = serializers.SerializerMethodField(label="现任书记")
    secretary_name = serializers.SerializerMethodField(label="现任书记姓名")

    class Meta:
        model = PartyOrg
        fields = [
            "id", "name", "org_type", "org_type_display", "parent", "parent_name", "area", "area_name",
            "established_at", "joint_units", "is_big_committee", "term_start", "term_years", "term_end",
            "term_extended_until", "effective_term_end", "member_count", "full_member_count", "secretary",
            "secretary_name",
        ]  # fmt: skip

    @staticmethod
    def _seat(org: PartyOrg) -> CommitteeSeat | None:
        seats = org.current_secretary_seats  # prefetched by the viewset
        return seats[0] if seats else None

    @extend_schema_field(OpenApiTypes.INT)
    def get_secretary(self, org: PartyOrg) -> int | None:
        seat = self._seat(org)
        return seat.member_id if seat else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_secretary_name(self, org: PartyOrg) -> str:
        seat = self._seat(org)
        return seat.member.name if seat else ""


class PartyOrgViewSet(ScopedReadOnlyViewSet):
    """党组织（街道党工委、社区党委 / 党总支、党支部），含任期、党员数和现任书记。"""

    queryset = PartyOrg.objects.select_related("area", "parent").prefetch_related(
        Prefetch(
            "seats",
            queryset=CommitteeSeat.objects.filter(role=SeatRole.SECRETARY, end__isnull=True).select_related("member"),
            to_attr="current_secretary_seats",
        )
    )
    serializer_class = PartyOrgSerializer
    filterset_class = PartyOrgFilterSet
    ordering_fields = ["scope_path", "name", "term_end"]


# --- Party members ----------------------------------------------------------------------------


class PartyMemberFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="姓名包含")

    class Meta:
        model = PartyMember
        fields = ["org", "status", "is_in_service", "is_floating", "report_community", "gender"]


class PartyMemberSerializer(serializers.ModelSerializer):
    # A plain string in the schema: its two choices would collide with the residents' GB/T 2261 gender enum.
    gender = serializers.CharField(read_only=True, label="性别", help_text="1 男，2 女，空为未填。")
    gender_display = serializers.CharField(source="get_gender_display", read_only=True, label="性别名称")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="党员状态名称")
    org_name = serializers.CharField(source="org.name", read_only=True, allow_null=True, label="所在党组织")
    report_community_name = serializers.CharField(
        source="report_community.name", read_only=True, allow_null=True, label="报到社区"
    )
    phone_masked = serializers.SerializerMethodField(label="联系电话（脱敏）")
    party_standing_years = serializers.IntegerField(read_only=True, allow_null=True, label="党龄（年）")

    class Meta:
        model = PartyMember
        fields = [
            "id", "name", "gender", "gender_display", "status", "status_display", "join_date", "probation_end", "full_date",
            "party_standing_years", "org", "org_name", "employer", "employer_party_org", "is_in_service",
            "report_community", "report_community_name", "report_date", "is_floating", "floating_destination",
            "party_posts", "phone_masked", "resident",
        ]  # fmt: skip

    def get_phone_masked(self, member: PartyMember) -> str:
        return mask_phone(member.phone)


class PartyMemberViewSet(ScopedReadOnlyViewSet):
    """党员。"""

    queryset = PartyMember.objects.select_related("org", "report_community")
    serializer_class = PartyMemberSerializer
    filterset_class = PartyMemberFilterSet
    ordering_fields = ["scope_path", "name", "join_date"]


# --- Committee seats --------------------------------------------------------------------------


class CommitteeSeatFilterSet(ScopedFilterSet):
    current = django_filters.BooleanFilter(field_name="end", lookup_expr="isnull", label="现任")

    class Meta:
        model = CommitteeSeat
        fields = ["org", "member", "role", "channel"]


class CommitteeSeatSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True, label="职务名称")
    org_name = serializers.CharField(source="org.name", read_only=True, label="党组织")
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员")
    meets_sanyou = serializers.BooleanField(read_only=True, label="符合“三有”")

    class Meta:
        model = CommitteeSeat
        fields = [
            "id", "org", "org_name", "member", "member_name", "role", "role_display", "start", "end", "channel",
            "has_ability", "has_passion", "has_public_spirit", "meets_sanyou", "assessment_note",
        ]  # fmt: skip


class CommitteeSeatViewSet(ScopedReadOnlyViewSet):
    """党组织委员职务（书记、副书记、委员……）。"""

    queryset = CommitteeSeat.objects.select_related("org", "member")
    serializer_class = CommitteeSeatSerializer
    filterset_class = CommitteeSeatFilterSet
    ordering_fields = ["start", "role"]


# --- Party groups -----------------------------------------------------------------------------


def _buildings_in_scope(request):
    """Choices of ``building``: only buildings the caller sees, so an id outside scope (or one too large for
    the database, ``9999…``) answers 400 "not a valid choice" like one that does not exist."""
    if request is None:
        return Building.objects.none()
    return Building.objects.restrict(request.user, "view")


class PartyGroupFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="名称包含")
    building = django_filters.ModelChoiceFilter(field_name="buildings", queryset=_buildings_in_scope, label="覆盖楼栋")

    class Meta:
        model = PartyGroup
        fields = ["branch", "leader"]


# --- Central households -----------------------------------------------------------------------


class CentralHouseholdFilterSet(ScopedFilterSet):
    class Meta:
        model = CentralHousehold
        fields = ["group", "member", "household"]


class CentralHouseholdSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="中心户党员")
    household_no = serializers.CharField(source="household.household_no", read_only=True, label="户号")
    group_name = serializers.CharField(source="group.name", read_only=True, allow_null=True, label="所属党小组")

    class Meta:
        model = CentralHousehold
        fields = [
            "id", "member", "member_name", "household", "household_no", "group", "group_name", "linked_households",
            "designated_at",
        ]  # fmt: skip
        extra_kwargs = {"linked_households": {"read_only": True}}

    def to_representation(self, instance):
        """A group the caller may not open is neither linked nor named (``group_visible``, annotated
        by the viewset): like the page, the API says nothing of what lies outside the caller's scope."""
        data = super().to_representation(instance)
        if not getattr(instance, "group_visible", True):
            data["group"] = data["group_name"] = None
        return data


class CentralHouseholdViewSet(ScopedReadOnlyViewSet):
    """党员中心户，含联系户。"""

    queryset = CentralHousehold.objects.select_related("member", "household", "group")
    serializer_class = CentralHouseholdSerializer
    filterset_class = CentralHouseholdFilterSet
    ordering_fields = ["scope_path", "designated_at"]

    def get_queryset(self):
        # Linked households the caller may see: a neighbour across a grid or community line is not listed.
        visible = Household.objects.restrict(self.request.user).only("id")
        groups = PartyGroup.objects.restrict(self.request.user).filter(pk=OuterRef("group_id"))
        return (
            super()
            .get_queryset()
            .annotate(group_visible=Exists(groups))
            .prefetch_related(Prefetch("linked_households", queryset=visible))
        )


router.register("party-orgs", PartyOrgViewSet, basename="partyorg")
router.register("party-members", PartyMemberViewSet, basename="partymember")
router.register("committee-seats", CommitteeSeatViewSet, basename="committeeseat")
router.register("central-households", CentralHouseholdViewSet, basename="centralhousehold")
