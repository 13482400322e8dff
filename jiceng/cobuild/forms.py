"""Forms of 单位包保: the unit of a pairing is chosen among co-building units only."""

from __future__ import annotations

from jiceng.core.forms import DateInput, ServiceModelForm

from .models import Pairing, UnitActivity
from .selectors import selectable_units


class PairingForm(ServiceModelForm):
    class Meta:
        model = Pairing
        fields = ["unit", "grid", "start_date", "end_date", "responsibilities", "contact_name", "contact_phone"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def limit_choices(self, name, queryset):
        if name == "unit" and self.user is not None:
            return queryset.filter(pk__in=selectable_units(self.user).values("pk"))
        return queryset


class UnitActivityForm(ServiceModelForm):
    class Meta:
        model = UnitActivity
        fields = ["pairing", "name", "date", "kind", "community_wide", "participants", "hours", "content"]
        widgets = {"date": DateInput()}
