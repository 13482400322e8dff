from django import forms

from jiceng.core.forms import ServiceModelForm

from .models import Area, Building, Household


class AreaForm(ServiceModelForm):
    boundary = forms.JSONField(label="边界（GeoJSON）", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = Area
        fields = [
            "name",
            "code",
            "code_is_example",
            "grid_type",
            "brand_name",
            "address",
            "has_service_station",
            "boundary",
            "is_active",
        ]


class BuildingForm(ServiceModelForm):
    class Meta:
        model = Building
        fields = ["grid", "quarter", "number", "name", "floors", "units", "usage", "address", "lng", "lat"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = "留空则按“小区/网格 + 楼栋号”自动命名。"

    def limit_choices(self, name, queryset):
        if name == "grid":
            return queryset.filter(kind="grid")
        if name == "quarter":
            return queryset.filter(kind="quarter")
        return queryset


class HouseholdForm(ServiceModelForm):
    class Meta:
        model = Household
        fields = ["building", "room", "household_no", "hukou_type", "usage", "area_sqm"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household_no"].required = False
        self.fields["household_no"].help_text = "留空则按“楼栋编码-房号”自动生成。"
