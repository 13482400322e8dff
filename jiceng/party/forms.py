"""Forms of the Party organisation: they collect and clean input; the services apply the 条例's rules."""

from __future__ import annotations

from django import forms

from jiceng.core.forms import DateInput, PersonalDataMixin, ServiceModelForm

from .choices import BRANCH_TYPES
from .models import CentralHousehold, CommitteeSeat, PartyGroup, PartyMember, PartyOrg

BRANCH_CODES = [t.value for t in BRANCH_TYPES]


class PartyOrgForm(ServiceModelForm):
    class Meta:
        model = PartyOrg
        fields = [
            "name",
            "org_type",
            "parent",
            "area",
            "established_at",
            "joint_units",
            "is_big_committee",
            "term_start",
            "term_years",
            "term_extended_until",
            "term_extension_approval",
        ]
        widgets = {
            "established_at": DateInput(),
            "term_start": DateInput(),
            "term_extended_until": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_years"].required = False
        self.fields["joint_units"].required = False
        self.fields["term_years"].help_text = "留空则按规定取默认值：社区及以下党组织 5 年，其他 3 年。"

    def limit_choices(self, name, queryset):
        if name == "parent":  # only committees and general branches have organisations under them
            return queryset.exclude(org_type__in=BRANCH_CODES).select_related("area")
        if name == "area":
            return queryset.filter(kind__in=["street", "community", "quarter", "grid"])
        return queryset

    def service_data(self) -> dict:
        data = super().service_data()
        if data.get("term_years") is None:
            data.pop("term_years", None)
        if data.get("joint_units") is None:
            data["joint_units"] = 1
        return data


class CommitteeSeatForm(ServiceModelForm):
    class Meta:
        model = CommitteeSeat
        fields = [
            "member",
            "role",
            "start",
            "end",
            "channel",
            "has_ability",
            "has_passion",
            "has_public_spirit",
            "assessment_note",
        ]
        widgets = {"start": DateInput(), "end": DateInput(), "assessment_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, org: PartyOrg, **kwargs):
        self.org = org
        super().__init__(*args, **kwargs)
        self.fields[
            "channel"
        ].help_text = "仅小区(网格)党支部书记填写：社区工作者兼任 / 小区优秀党员推选 / 退休老干部派驻。"
        self.fields["assessment_note"].help_text = "按“三有”标准（有能力、有热情、有公心）评价。"

    def limit_choices(self, name, queryset):
        if name == "member":  # members whose relation lies under this organisation's node
            return queryset.filter(scope_path__startswith=self.org.scope_path)
        return queryset


class PartyMemberForm(PersonalDataMixin, ServiceModelForm):
    personal_fields = ("phone",)

    # Declared, not a model field here, so the stored (decrypted) phone is never copied into the page.
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    field_order = ["name", "gender", "phone"]

    class Meta:
        model = PartyMember
        fields = [
            "name",
            "gender",
            "apply_date",
            "activist_date",
            "candidate_date",
            "join_date",
            "probation_extended",
            "probation_extension_months",
            "full_date",
            "org",
            "party_posts",
            "is_in_service",
            "employer",
            "employer_party_org",
            "report_community",
            "report_date",
            "is_floating",
            "floating_destination",
        ]
        widgets = {
            f: DateInput()
            for f in ("apply_date", "activist_date", "candidate_date", "join_date", "full_date", "report_date")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["probation_extension_months"].required = False
        self.fields["full_date"].help_text = "预备期满经支部大会讨论同意转正之日；留空表示预备党员。"
        self.setup_personal_fields(kwargs.get("instance"))

    def service_data(self) -> dict:
        data = super().service_data()
        data["probation_extension_months"] = data.get("probation_extension_months") or 0
        return self.drop_unchanged_personal(data)

    def limit_choices(self, name, queryset):
        if name == "report_community":
            return queryset.filter(kind="community")
        return queryset


class PartyGroupForm(ServiceModelForm):
    class Meta:
        model = PartyGroup
        fields = ["branch", "name", "leader", "buildings"]
        widgets = {"buildings": forms.SelectMultiple(attrs={"size": 10})}

    def __init__(self, *args, branch: PartyOrg | None = None, **kwargs):
        self.branch = branch
        super().__init__(*args, **kwargs)
        self.fields["buildings"].help_text = "按住 Ctrl（手机上直接点选）可多选；只能选择党支部所在社区内的楼栋。"
        if branch is not None:
            del self.fields["branch"]

    def limit_choices(self, name, queryset):
        if name == "branch":
            return queryset.filter(org_type__in=BRANCH_CODES)
        if name == "buildings":
            queryset = queryset.select_related("grid")
            if self.branch is not None:  # the branch's community: a group never spans two communities
                return queryset.filter(scope_path__startswith=self.branch.area.path[:12])
            return queryset
        if name == "leader":
            return queryset.filter(org=self.branch) if self.branch is not None else queryset.none()
        return queryset


class CentralHouseholdForm(ServiceModelForm):
    """A 党员中心户 is created inside a Party group: households are those of the group's buildings."""

    class Meta:
        model = CentralHousehold
        fields = ["member", "household", "linked_households", "designated_at"]
        widgets = {"designated_at": DateInput(), "linked_households": forms.SelectMultiple(attrs={"size": 10})}

    def __init__(self, *args, group: PartyGroup, **kwargs):
        self.group = group
        super().__init__(*args, **kwargs)

    def limit_choices(self, name, queryset):
        if name == "member":
            return queryset.filter(org=self.group.branch_id)
        if name in {"household", "linked_households"}:
            return queryset.filter(building__in=self.group.buildings.all()).select_related("building")
        return queryset
