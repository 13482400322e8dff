"""The resident search finds given names too ("晨" finds 丁晨), with an index range."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from jiceng.core.names import given_name_of, looks_like_given_name
from jiceng.core.tests.helpers import make_id
from jiceng.people.models import Resident
from jiceng.people.services import resident_create
from jiceng.territory.models import Household

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "given"),
    [("丁晨", "晨"), ("欧阳晨曦", "晨曦"), ("司马光", "光"), ("阿依古丽·买买提", "买买提"), ("王", ""), ("欧阳", "阳")],
)
def test_given_name_of(name, given):
    assert given_name_of(name) == given


@pytest.mark.parametrize(
    ("text", "given"), [("晨", True), ("明", True), ("丁晨", False), ("王", False), ("欧阳", False)]
)
def test_which_column_a_text_searches(text, given):
    assert looks_like_given_name(text) is given


def _add(personas, name, seq):
    household = Household.objects.filter(building__grid__code="34110300301201").order_by("id").first()
    return resident_create(
        actor=personas.grid_wc01, name=name, id_number=make_id("19900101", seq=seq), household=household
    ).obj


def _found(client, q):
    response = client.get("/people/residents/", {"q": q})
    return {r.name for r in response.context["table"].data.data}


def test_search_finds_given_names_and_full_names(client, login, personas):
    a, b = _add(personas, "丁晨", "941"), _add(personas, "欧阳晨曦", "942")
    assert (a.given_name, b.given_name) == ("晨", "晨曦")
    login("grid_wc01")
    chen = Resident.objects.filter(given_name__startswith="晨", deleted_at__isnull=True).restrict(personas.grid_wc01)
    assert _found(client, "晨") == set(chen.values_list("name", flat=True)) >= {"丁晨", "欧阳晨曦"}
    assert "丁晨" in _found(client, "丁晨") and "欧阳晨曦" not in _found(client, "丁晨")
    assert _found(client, "晨曦") >= {"欧阳晨曦"} and "丁晨" not in _found(client, "晨曦")


def test_a_renamed_resident_is_found_by_the_new_given_name(personas):
    from jiceng.people.services import resident_update

    r = _add(personas, "丁晨", "943")
    resident_update(actor=personas.grid_wc01, resident=r, name="丁晓")
    assert Resident.objects.get(pk=r.pk).given_name == "晓"


def test_the_migration_fills_existing_rows(personas):
    r = _add(personas, "丁晨", "944")
    Resident.objects.filter(pk=r.pk).update(given_name="")
    migration = importlib.import_module("jiceng.people.migrations.0007_resident_given_name_and_ethnicities")
    migration.fill_given_names(None, SimpleNamespace(connection=connection))  # it reads only the connection
    assert Resident.objects.get(pk=r.pk).given_name == "晨"
    assert not Resident.objects.filter(given_name="").exclude(name__regex=r"^.$").exists()
