"""Forms for people. The ID number and phone are never sent back to the browser: on edit the inputs start
empty (the masked value is the placeholder) and an empty input keeps the stored value."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from jiceng.core.forms import DateInput, PersonalDataMixin, ServiceModelForm, bootstrapify
from jiceng.core.validators import normalise_text
from jiceng.territory.models import Building, Household

from .models import Resident, ResidentTag, Worker
from .services import REVEALABLE


class ResidentForm(PersonalDataMixin, ServiceModelForm):
    personal_fields = ("id_number", "phone")

    id_number = forms.CharField(label="证件号码", max_length=40)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    building = forms.ModelChoiceField(label="楼栋", queryset=Building.objects.all(), required=False)
    room = forms.CharField(label="房号", max_length=20, required=False, help_text="如 2-301，须为该楼栋已登记的户。")
    household = forms.ModelChoiceField(queryset=Household.objects.all(), required=False, widget=forms.HiddenInput)

    field_order = ["name", "former_name", "id_type", "id_number", "gender", "birth_date", "phone", "building", "room"]

    class Meta:
        model = Resident
        # id_number / phone are declared above and deliberately not model fields here, so the form never
        # copies the stored (decrypted) value into the page.
        fields = [
            "name",
            "former_name",
            "id_type",
            "gender",
            "birth_date",
            "household",
            "relation_to_head",
            "population_type",
            "ethnicity",
            "political_status",
            "education",
            "marital_status",
            "religion",
            "occupation",
            "employer",
            "hukou_address",
            "current_address",
            "inflow_reason",
            "residence_permit_no",
            "registered_on",
            "permit_expiry",
            "is_deceased",
            "moved_out_at",
        ]
        widgets = {f: DateInput() for f in ("birth_date", "registered_on", "permit_expiry", "moved_out_at")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance if self.instance.pk else None
        self.setup_personal_fields(instance)
        self.fields["gender"].required = False
        self.fields["birth_date"].required = False
        self.fields["gender"].help_text = "居民身份证由证件号码自动识别。"
        self.fields["birth_date"].help_text = "居民身份证由证件号码自动识别。"
        if instance is not None and not self.is_bound:
            self.initial.update(building=instance.building_id, room=instance.household.room, household=None)

    def limit_choices(self, name, queryset):
        if name == "building":
            return queryset.order_by("code")
        return queryset

    def clean_id_number(self):
        return normalise_text(self.cleaned_data.get("id_number") or "").upper()

    def clean(self):
        """The household comes from building + room (what a grid worker knows), else from the hidden
        ``household`` id (a link from a household page); both are looked up within the user's scope."""
        cleaned = super().clean()
        if "household" in self.errors:  # a hidden input: say why here, or the error would not show
            self.add_error(None, "所选的户不存在或不在您的管辖范围内，操作被拒绝。")
            return cleaned
        building, room = cleaned.get("building"), normalise_text(cleaned.get("room") or "")
        if building is not None and room:
            household = Household.objects.restrict(self.user, "view").filter(building=building, room=room).first()
            if household is None:
                self.add_error("room", f"“{building.name}”没有房号为“{room}”的户，请先登记该户。")
                return cleaned
            cleaned["household"] = household
        elif building is not None or room:
            raise ValidationError("请同时选择楼栋并填写房号（所在户）。")
        elif cleaned.get("household") is None and not self.instance.pk:
            raise ValidationError("请选择楼栋并填写房号（所在户）。")
        return cleaned

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("building", None)
        data.pop("room", None)
        if data.get("household") is None:
            data.pop("household", None)
        return self.drop_unchanged_personal(data)


class RevealForm(forms.Form):
    field = forms.ChoiceField(label="查看内容", choices=list(REVEALABLE.items()))
    reason = forms.CharField(
        label="查看理由", min_length=4, max_length=200, error_messages={"min_length": "请填写查看理由（至少 4 个字）。"}
    )

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fields is not None:
            self.fields["field"].choices = [(k, v) for k, v in REVEALABLE.items() if k in fields]
        self.fields["reason"].widget.attrs["placeholder"] = "如：入户走访核实身份"
        bootstrapify(self)


class ResidentTagForm(ServiceModelForm):
    class Meta:
        model = ResidentTag
        fields = ["tag_type", "risk_level", "help_measures", "valid_from", "valid_to"]
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "help_measures": forms.Textarea(attrs={"rows": 3}),
        }


class WorkerForm(PersonalDataMixin, ServiceModelForm):
    personal_fields = ("phone",)

    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    field_order = ["name", "community", "gender", "phone"]

    class Meta:
        model = Worker
        fields = [
            "name",
            "community",
            "gender",
            "post",
            "grade",
            "level",
            "hire_date",
            "contract_end",
            "qualification",
            "is_grid_worker",
            "grids",
            "is_active",
        ]
        widgets = {
            "hire_date": DateInput(),
            "contract_end": DateInput(),
            "grids": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_personal_fields(self.instance if self.instance.pk else None)
        self.fields["grids"].help_text = "网格员须至少服务一个网格；只能选择所属社区内的网格。"

    def limit_choices(self, name, queryset):
        if name == "community":
            return queryset.filter(kind="community")
        if name == "grids":
            return queryset.filter(kind="grid")
        return queryset

    def clean(self):
        cleaned = super().clean()
        community, grids = cleaned.get("community"), cleaned.get("grids") or []
        if community is not None:
            foreign = [g.name for g in grids if not g.path.startswith(community.path)]
            if foreign:
                self.add_error("grids", f"网格“{'、'.join(foreign)}”不属于{community.name}。")
        return cleaned

    def service_data(self) -> dict:
        return self.drop_unchanged_personal(super().service_data())
