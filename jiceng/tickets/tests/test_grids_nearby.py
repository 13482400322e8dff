"""A resident's location map shows the grids around them, not the whole district."""

import pytest
from django.urls import reverse

from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db


def _names(client):
    return {f["properties"]["name"] for f in client.get(reverse("tickets:grids_geojson")).json()["features"]}


def _overlaps(area, home, m):
    return (
        area.max_lng >= home.min_lng - m and area.min_lng <= home.max_lng + m
        and area.max_lat >= home.min_lat - m and area.min_lat <= home.max_lat + m
    )  # fmt: skip


def test_a_resident_gets_their_grid_and_its_neighbours(client, login):
    from jiceng.tickets.views import NEARBY_DEGREES

    everything = _names(client)
    resident = login("resident_demo")
    home = resident.resident.grid
    near = _names(client)
    expected = {
        g.name
        for g in Area.objects.filter(kind="grid", is_active=True).exclude(boundary=None)
        if _overlaps(g, home, NEARBY_DEGREES)
    }
    assert home.name in near and near == expected
    assert 1 < len(near) < len(everything)


def test_a_party_member_gets_the_grids_around_their_community(client, login):
    member = login("member_demo")
    community = Area.objects.get(pk=member.party_member.report_community_id)
    near = _names(client)
    inside = set(Area.objects.filter(kind="grid", path__startswith=community.path).values_list("name", flat=True))
    assert inside <= near
    assert len(near) < Area.objects.filter(kind="grid", is_active=True).count()
