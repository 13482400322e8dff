"""List filters for people. The resident search box matches a name, the last four ID digits, or an
exact phone number (through the keyed hash: the database never holds a phone in clear)."""

from __future__ import annotations

import datetime as dt
import re

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from jiceng.core.dates import add_years
from jiceng.core.filters import ScopedFilterSet
from jiceng.core.names import looks_like_given_name
from jiceng.core.validators import normalise_text, validate_phone
from jiceng.territory.models import Area, Building

from .choices import Gender, PopulationType, TagType, WorkerPost
from .models import Resident, ResidentTag, Worker
from .services import phone_hash_for

LAST4_RE = re.compile(r"^\d{3}[\dX]$")
TAGS_PERM = "people.viewtags_residenttag"


def resident_search(qs, value: str):
    """Name (beginning with: a surname or a full name), given name (beginning with: "晨" finds 丁晨), last
    4 ID digits (exactly 4 digits or X), or an exact phone number.

    A name is matched by its beginning, not anywhere inside it: ``name LIKE '王%'`` is a range on the
    (name, id) index (COLLATE "C" on PostgreSQL), while "contains" must read every row in scope (a
    trigram index does not help one- or two-character Chinese queries; figures in
    docs/decisions/scale.md). A text that does not begin with a surname
    (``names.looks_like_given_name``) is the beginning of a given name instead: the same range on
    ``given_name`` (``resident_given_idx``). One column per query, never both: an OR of the two ranges
    cannot be read in name order from an index (docs/decisions/scale.md)."""
    text = normalise_text(value or "").upper()
    if not text:
        return qs
    if LAST4_RE.match(text):
        return qs.filter(id_last4=text)
    if text[0].isdigit() or text.startswith("+"):
        try:
            phone = validate_phone(text)
        except ValidationError:
            return qs.none()  # digits that are neither 4 ID digits nor a valid phone match nobody
        return qs.filter(phone_hash=phone_hash_for(phone))
    text = value.strip()
    if looks_like_given_name(text):
        return qs.filter(given_name__startswith=text)
    return qs.filter(name__startswith=text)


class ResidentFilterSet(ScopedFilterSet):
    q = filters.CharFilter(label="姓名或名字（开头）/ 身份证后4位 / 手机号", method="search")
    # Choices need only a label: no grid polygons (a street lists ~120 grids on every page view).
    grid = filters.ModelChoiceFilter(
        label="网格", queryset=Area.objects.filter(kind="grid").only("id", "name", "path", "kind", "code")
    )
    building = filters.ModelChoiceFilter(label="楼栋", queryset=Building.objects.only("id", "name", "grid_id", "code"))
    population_type = filters.ChoiceFilter(label="人口类型", choices=PopulationType.choices)
    gender = filters.ChoiceFilter(label="性别", choices=Gender.choices)
    age_min = filters.NumberFilter(label="年龄不小于", method="filter_age_min", min_value=0)
    age_max = filters.NumberFilter(label="年龄不大于", method="filter_age_max", min_value=0)
    tag_type = filters.ChoiceFilter(label="人群标签", choices=TagType.choices, method="filter_tag")

    class Meta:
        model = Resident
        fields = ["q", "grid", "building", "population_type", "gender", "age_min", "age_max", "tag_type"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if user is None or not user.scope.has_perm(TAGS_PERM):
            # Special-population tags are sensitive: without the permission the filter does not exist.
            self.filters.pop("tag_type", None)
            self.form.fields.pop("tag_type", None)
        self._limit_building_choices()

    def _limit_building_choices(self):
        """The building drop-down lists the chosen grid's buildings only (a district has tens of
        thousands: rendering them all was most of the page's time). Validation still accepts any
        building in scope, so ``?building=`` links keep working."""
        field = self.form.fields.get("building")
        if field is None:
            return
        data = self.data or {}
        grid, building = data.get("grid"), data.get("building")
        shown = field.queryset.none()
        if grid and str(grid).isdigit():
            shown = field.queryset.filter(grid_id=int(grid))
        elif building and str(building).isdigit():
            shown = field.queryset.filter(pk=int(building))
        field.widget.choices = [("", "（先选择网格）" if not grid else "---------")] + [
            (b.pk, str(b)) for b in shown.order_by("code")[:500]
        ]

    def search(self, qs, name, value):
        return resident_search(qs, value)

    def filter_age_min(self, qs, name, value):
        return qs.filter(birth_date__lte=add_years(dt.date.today(), -int(value)))

    def filter_age_max(self, qs, name, value):
        return qs.filter(birth_date__gt=add_years(dt.date.today(), -int(value) - 1))

    def filter_tag(self, qs, name, value):
        tags = ResidentTag.objects.restrict(self.request.user, "view").filter(resident=OuterRef("pk"), tag_type=value)
        return qs.filter(Exists(tags))


class WorkerFilterSet(ScopedFilterSet):
    q = filters.CharFilter(label="姓名", method="search")
    community = filters.ModelChoiceFilter(label="社区", queryset=Area.objects.filter(kind="community"))
    post = filters.ChoiceFilter(label="岗位", choices=WorkerPost.choices)
    is_grid_worker = filters.BooleanFilter(label="网格员")
    is_active = filters.BooleanFilter(label="在岗")

    class Meta:
        model = Worker
        fields = ["q", "community", "post", "is_grid_worker", "is_active"]

    def search(self, qs, name, value):
        return qs.filter(name__startswith=value.strip())
