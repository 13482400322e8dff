"""A central household's linked households are counted and listed only where the viewer may see them:
a neighbour across a grid line is not counted for the grid's worker (web list, group page, export, API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.party.models import CentralHousehold
from jiceng.territory.models import Area, Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def ch_across_a_grid_line(personas):
    grid = Area.objects.get(path=personas.grid_wc02.scope.grants[0].area_path)  # a grid worker's grid
    ch = CentralHousehold.objects.filter(scope_path__startswith=grid.path).order_by("id").first()
    assert ch is not None
    community_path = grid.path[: -Area.steplen]
    far = (
        Household.objects.filter(scope_path__startswith=community_path)
        .exclude(scope_path__startswith=grid.path)
        .order_by("id")
        .first()
    )
    ch.linked_households.add(far)
    own = ch.linked_households.filter(scope_path__startswith=grid.path).count()
    assert ch.linked_households.count() > own
    return ch, far, own


def test_the_list_and_group_page_count_only_visible_neighbours(client, login, ch_across_a_grid_line):
    ch, far, own = ch_across_a_grid_line
    login("grid_wc02")
    rows = client.get(reverse("party:centralhousehold_list")).context["table"].page.object_list.data
    assert {r.pk: r.linked_count for r in rows}[ch.pk] == own
    login("wenchang_worker")  # the community sees both sides of the line
    rows = client.get(reverse("party:centralhousehold_list")).context["table"].page.object_list.data
    assert {r.pk: r.linked_count for r in rows}[ch.pk] == ch.linked_households.count()
    group_page = client.get(ch.group.get_absolute_url())  # the same count (``_linked_count``) on the group page
    assert {c.pk: c.linked_count for c in group_page.context["central_households"]}[
        ch.pk
    ] == ch.linked_households.count()


def test_the_api_lists_only_visible_neighbours(client, login, ch_across_a_grid_line):
    ch, far, own = ch_across_a_grid_line
    login("grid_wc02")
    data = client.get(f"/api/v1/central-households/{ch.pk}/").json()
    assert far.pk not in data["linked_households"] and len(data["linked_households"]) == own
    login("wenchang_worker")
    assert far.pk in client.get(f"/api/v1/central-households/{ch.pk}/").json()["linked_households"]
