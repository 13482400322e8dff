"""``__any`` (jiceng/core/lookups.py) answers exactly what ``__in`` answers, on either database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.people.models import Resident
from jiceng.territory.models import Building, Household

pytestmark = pytest.mark.django_db

# Rooms as people type them, and text that an array literal must quote: braces, commas, quotes, backslashes,
# spaces, NULL spelled out, the empty string.
TRICKY = ["1-101", "", " ", "NULL", "null", "a,b", "{x}", '"q"', "back\\slash", "2-301 ", "室", "a'b", "ｘ"]


def _rooms(lookup: str, values) -> set:
    return set(Household.objects.filter(**{f"room__{lookup}": values}).values_list("id", flat=True))


@pytest.fixture
def dwellings(db):
    """Dwellings whose rooms hold the characters an array literal must escape."""
    building = Building.objects.order_by("id").first()
    return [
        Household.objects.get_or_create(
            building=building, room=room, defaults={"household_no": f"LOOKUP{i}", "scope_path": building.scope_path}
        )[0]
        for i, room in enumerate(r for r in TRICKY if r == r.strip())  # a room is stored stripped
    ]


# PostgreSQL text cannot hold NUL (a form or a file never sends one: ``__in`` refuses it the same way).
TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(TRICKY) | TEXT, max_size=12))
def test_any_matches_in_on_text(dwellings, values):
    assert _rooms("any", values) == _rooms("in", values)


def test_any_on_ids_and_foreign_keys_matches_in():
    ids = list(Resident.objects.order_by("id").values_list("id", flat=True)[:5]) + [2**40]  # an id past int4
    buildings = list(Building.objects.values_list("id", flat=True)[:3])
    assert set(Resident.objects.filter(id__any=ids).values_list("id", flat=True)) == set(ids[:5])
    assert (
        Household.objects.filter(building_id__any=buildings).count()
        == Household.objects.filter(building_id__in=buildings).count()
    )
    assert (
        Household.objects.filter(building__any=set(buildings)).count()
        == Household.objects.filter(building__in=buildings).count()
    )
    objects = list(Building.objects.filter(pk__in=buildings))  # model instances, as ``__in`` takes them
    assert (
        Household.objects.filter(building__any=objects).count()
        == Household.objects.filter(building__in=objects).count()
    )


def test_an_empty_list_matches_nothing_and_none_is_ignored():
    assert not Resident.objects.filter(id_hash__any=[]).exists()
    some = Resident.objects.values_list("id_hash", flat=True).first()
    assert Resident.objects.filter(id_hash__any=[None, some]).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array parameter is PostgreSQL's")
def test_on_postgresql_the_list_is_one_parameter():
    hashes = list(Resident.objects.values_list("id_hash", flat=True)[:300])
    with CaptureQueriesContext(connection) as q:
        assert Resident.objects.filter(id_hash__any=hashes).count() == 300
    assert "= ANY(" in q.captured_queries[0]["sql"] and " IN (" not in q.captured_queries[0]["sql"]
