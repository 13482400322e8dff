from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput

from jiceng.core.forms import ServiceModelForm

from .geo import BOUNDARY_TOO_LONG, MAX_BOUNDARY_CHARS
from .models import Area, Building, Household


class BoundaryJSONField(forms.JSONField):
    """Django's JSONField with a length cap, and absurd nesting (``[[[[…]]]]``) answered as invalid input
    instead of a RecursionError (a 500)."""

    default_error_messages = {"invalid": "边界不是有效的 GeoJSON 文本。"}

    def to_python(self, value):
        if isinstance(value, str) and len(value) > MAX_BOUNDARY_CHARS:
            raise ValidationError(BOUNDARY_TOO_LONG, code="too_long")
        try:
            return super().to_python(value)
        except RecursionError:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": ""}) from None

    def bound_data(self, data, initial):
        if isinstance(data, str) and len(data) > MAX_BOUNDARY_CHARS:
            return InvalidJSONInput(data[:1000])  # redisplay a stub, not a megabyte
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data[:1000])

    def prepare_value(self, value):
        try:
            return super().prepare_value(value)
        except (RecursionError, ValueError):
            return ""


class AreaForm(ServiceModelForm):
    boundary = BoundaryJSONField(label="边界（GeoJSON）", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    #: The fields that make sense for each kind of node.
    KIND_FIELDS = {
        "district": ["name", "code"],
        "street": ["name", "code", "code_is_example", "town_kind", "urban_rural_code"],
        "community": ["name", "code", "code_is_example", "urban_rural_code", "address", "boundary"],
        "grid": ["name", "code", "code_is_example", "grid_type", "brand_name", "boundary", "is_active"],
        "quarter": ["name", "code", "address", "has_service_station", "boundary", "is_active"],
    }

    class Meta:
        model = Area
        fields = [
            "name", "code", "code_is_example", "town_kind", "urban_rural_code", "grid_type", "brand_name",
            "address", "has_service_station", "boundary", "is_active",
        ]  # fmt: skip

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        keep = self.KIND_FIELDS.get(kind or getattr(self.instance, "kind", ""), list(self.fields))
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "grid_type" in self.fields:
            self.fields["grid_type"].required = True


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
