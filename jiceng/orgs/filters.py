"""List filters of the organisations; related choices are limited to the viewer's scope."""

from __future__ import annotations

import django_filters as filters

from jiceng.core.filters import ScopedFilterSet
from jiceng.territory.models import Area

from .choices import NON_TERRITORY_ORG_KINDS, UnitCategory
from .models import Organisation


class OrganisationFilterSet(ScopedFilterSet):
    q = filters.CharFilter(label="名称/信用代码", method="search")
    kind = filters.ChoiceFilter(label="类型", choices=[(k.value, k.label) for k in NON_TERRITORY_ORG_KINDS])
    under = filters.ModelChoiceFilter(
        label="服务街道/社区", queryset=Area.objects.filter(kind__in=["street", "community"]), method="filter_under"
    )
    unit_category = filters.ChoiceFilter(label="单位类别", choices=UnitCategory.choices)
    is_active = filters.BooleanFilter(label="启用")

    class Meta:
        model = Organisation
        fields = ["q", "kind", "under", "unit_category", "is_active"]

    def search(self, qs, name, value):
        from django.db.models import Q

        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(uscc=value.upper()))

    def filter_under(self, qs, name, value):
        return qs.filter(area__path__startswith=value.path)
