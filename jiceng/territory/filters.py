import django_filters as filters
from django.db.models import Q

from jiceng.core.filters import ScopedFilterSet

from .choices import AreaKind, BuildingUsage, DwellingUsage, GridType
from .models import Area, Building, Household


class AreaFilterSet(ScopedFilterSet):
    q = filters.CharFilter(label="名称或代码", method="search")
    parent = filters.ModelChoiceFilter(
        label="上级", queryset=Area.objects.filter(kind__in=["street", "community"]), method="under"
    )

    class Meta:
        model = Area
        fields = ["q", "parent"]

    def search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(code__startswith=value.strip()))

    def under(self, qs, name, value):
        return qs.filter(path__startswith=value.path).exclude(pk=value.pk)


class GridFilterSet(AreaFilterSet):
    grid_type = filters.ChoiceFilter(label="网格类型", choices=GridType.choices)
    no_worker = filters.BooleanFilter(label="无网格员", method="without_worker")

    class Meta:
        model = Area
        fields = ["q", "parent", "grid_type"]

    def without_worker(self, qs, name, value):
        return qs.filter(grid_workers__isnull=value).distinct() if value is not None else qs


class BuildingFilterSet(ScopedFilterSet):
    q = filters.CharFilter(label="名称或编码", method="search")
    grid = filters.ModelChoiceFilter(label="网格", queryset=Area.objects.filter(kind=AreaKind.GRID))
    quarter = filters.ModelChoiceFilter(label="小区", queryset=Area.objects.filter(kind=AreaKind.QUARTER))
    usage = filters.ChoiceFilter(label="用途", choices=BuildingUsage.choices)

    class Meta:
        model = Building
        fields = ["q", "grid", "quarter", "usage"]

    def search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(code__startswith=value.strip()))


class HouseholdFilterSet(ScopedFilterSet):
    q = filters.CharFilter(label="户号或房号", method="search")
    building = filters.ModelChoiceFilter(label="楼栋", queryset=Building.objects.all())
    usage = filters.ChoiceFilter(label="房屋用途", choices=DwellingUsage.choices)

    class Meta:
        model = Household
        fields = ["q", "building", "usage"]

    def search(self, qs, name, value):
        return qs.filter(Q(household_no__startswith=value.strip()) | Q(room=value.strip()))
