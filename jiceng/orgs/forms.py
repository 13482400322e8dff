"""Forms of the organisations: they collect and clean input; the services check scope and the rules."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from jiceng.accounts.models import User
from jiceng.core.forms import ServiceModelForm

from .choices import NON_TERRITORY_ORG_KINDS
from .models import Organisation


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.username}）" if obj.display_name else obj.username


class OrganisationForm(ServiceModelForm):
    members = UserChoiceField(
        label="经办人员", queryset=User.objects.none(), required=False,
        help_text="在该单位服务的辖区内管理或任职的账号；经办人员可以签收、办理派给本单位的工单。",
    )  # fmt: skip

    class Meta:
        model = Organisation
        fields = [
            "kind", "name", "area", "uscc", "contact_name", "contact_phone", "address",
            "unit_category", "party_org_name", "party_secretary", "party_member_count", "is_active", "members",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in NON_TERRITORY_ORG_KINDS]
        self.fields["area"].label = "服务辖区节点"
        self.fields[
            "area"
        ].help_text = "职能部门服务全区；共建单位、物业服务企业、业主委员会服务其包保或所在的街道、社区。"
        self.fields["members"].queryset = self._member_choices()
        self.fields["unit_category"].help_text = "仅共建单位填写。"
        self.fields["party_org_name"].help_text = "共建单位自身的党组织（不属于本辖区党组织体系），如“××公司党支部”。"
        if self.instance.pk:
            self.initial.setdefault("members", list(self.instance.members.values_list("pk", flat=True)))

    def limit_choices(self, name, queryset):
        if name == "area":
            return queryset.filter(kind__in=["district", "street", "community"])
        return queryset

    def _member_choices(self):
        """Accounts managed or holding a role under a node where the user may manage organisations,
        plus the current members (an unchanged form saves unchanged)."""
        q = Q(pk__in=[])
        if self.user is not None:
            for grant in self.user.scope.grants_with("orgs.change_organisation"):
                q |= Q(home_area__path__startswith=grant.area_path) | Q(grants__area__path__startswith=grant.area_path)
        if self.instance.pk:
            q |= Q(pk__in=self.instance.members.values("pk"))
        return User.objects.filter(q, is_active=True).distinct().order_by("username")

    def clean_uscc(self):
        return (self.cleaned_data.get("uscc") or "").strip() or None

    def service_data(self) -> dict:
        data = super().service_data()
        data["members"] = list(data.get("members") or [])
        return data
