"""``FastSelect`` renders the same options as Django's ``Select``, reading model choices as value pairs."""

from __future__ import annotations

import re

import django_filters as filters
import pytest
from django import forms
from django.test import RequestFactory

from jiceng.core.filters import FastSelect, ScopedFilterSet
from jiceng.territory.models import Area, Building
from jiceng.testing.queries import assert_num_queries

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'<option value="([^"]*)"(\s+selected)?>([^<]*)</option>')


def options(html: str) -> list[tuple[str, bool, str]]:
    return [(v, bool(sel), label) for v, sel, label in OPTION.findall(html)]


class GridFilterSet(ScopedFilterSet):
    grid = filters.ModelChoiceFilter(queryset=Area.objects.filter(kind="grid").order_by("path"))
    building = filters.ModelChoiceFilter(queryset=Building.objects.order_by("code"), null_label="（无）")

    class Meta:
        model = Building
        fields = ["grid", "building"]


def _filterset(user, data=None):
    request = RequestFactory().get("/", data or {})
    request.user = user
    return GridFilterSet(data or None, queryset=Building.objects.all(), request=request)


def test_model_choices_match_djangos_select_and_the_users_scope(personas):
    user = personas.wenchang_worker  # a community: its grids only
    grid = Area.objects.restrict(user, "view").filter(kind="grid").order_by("path")[1]
    fs = _filterset(user, {"grid": str(grid.pk)})
    field = fs.form.fields["grid"]
    assert isinstance(field.widget, FastSelect)
    fast = options(str(fs.form["grid"]))
    slow = options(forms.Select(choices=field.choices).render("grid", str(grid.pk)))
    assert fast == slow
    visible = list(Area.objects.restrict(user, "view").filter(kind="grid").order_by("path").values_list("pk", "name"))
    assert [(int(v), label) for v, _, label in fast[1:]] == visible
    assert [v for v, sel, _ in fast if sel] == [str(grid.pk)]
    other = Area.objects.filter(kind="grid").exclude(pk__in=[pk for pk, _ in visible]).first()
    assert str(other.pk) not in {v for v, _, _ in fast}  # a sibling community's grid is not offered


def test_model_choices_cost_one_query_and_keep_the_null_choice(personas):
    fs = _filterset(personas.grid_wc01)
    html = None
    with assert_num_queries(1):
        html = str(fs.form["building"])
    opts = options(html)
    assert opts[0] == ("", True, "---------") and opts[1] == ("null", False, "（无）")
    assert len(opts) > 2


def test_names_are_escaped(personas):
    grid = Area.objects.restrict(personas.grid_wc01, "view").get(kind="grid")
    Area.objects.filter(pk=grid.pk).update(name='<b>"网格"</b>')
    html = str(_filterset(personas.grid_wc01).form["grid"])
    assert "<b>" not in html and "&lt;b&gt;&quot;网格&quot;&lt;/b&gt;" in html


def test_a_custom_label_falls_back_to_model_instances(personas):
    class Labelled(forms.ModelChoiceField):
        def label_from_instance(self, obj):
            return f"{obj.code} {obj.name}"

    field = Labelled(queryset=Area.objects.filter(kind="street").order_by("path"))
    widget = FastSelect(choices=field.choices)
    labels = [label for _, _, label in options(widget.render("street", None))[1:]]
    assert labels == [f"{a.code} {a.name}" for a in Area.objects.filter(kind="street").order_by("path")]
