"""Id filters of the API: absurd or foreign ids answer 400 in Chinese, never 500 nor an existence oracle."""

import pytest

from jiceng.api.tests.conftest import node
from jiceng.party.models import PartyGroup
from jiceng.people.models import Worker
from jiceng.territory.models import Building

pytestmark = pytest.mark.django_db

HUGE = "9" * 23
INVALID_CHOICE = "选择一个有效的选项"


@pytest.mark.parametrize(
    "url, param, value",
    [
        ("/api/v1/party-groups/", "building", HUGE),
        ("/api/v1/party-groups/", "building", "-" + HUGE),
        ("/api/v1/party-groups/", "building", "9223372036854775808"),
        ("/api/v1/workers/", "grid", HUGE),
        ("/api/v1/workers/", "grid", "-" + HUGE),
        ("/api/v1/workers/", "grid", "9223372036854775808"),
        ("/api/v1/workers/", "grid", "1.5"),
    ],
)
def test_out_of_range_ids_answer_400_in_chinese(api, url, param, value):
    response = api("qu_admin").get(url, {param: value})
    assert response.status_code == 400
    assert INVALID_CHOICE in response.json()[param][0]


def test_building_and_grid_filters_still_work_within_scope(api):
    wenchang = node("文昌花园社区")
    group = PartyGroup.objects.filter(scope_path__startswith=wenchang.path).first()
    building = group.buildings.first()
    rows = api("wenchang_worker").get("/api/v1/party-groups/", {"building": building.pk}).json()["results"]
    assert group.pk in {r["id"] for r in rows}
    assert all(building.pk in r["buildings"] for r in rows)

    worker = Worker.objects.filter(scope_path__startswith=wenchang.path, grids__isnull=False).first()
    grid = worker.grids.first()
    rows = api("wenchang_worker").get("/api/v1/workers/", {"grid": grid.pk}).json()["results"]
    assert worker.pk in {r["id"] for r in rows}


def test_a_foreign_building_or_grid_looks_like_a_missing_one(api):
    """Out of scope answers exactly like "does not exist": 400, not an empty 200 (no existence oracle)."""
    foreign_building = Building.objects.filter(scope_path__startswith=node("陡岗社区").path).first()
    foreign_grid = Worker.objects.filter(scope_path__startswith=node("陡岗社区").path, grids__isnull=False).first()
    client = api("wenchang_worker")
    for url, param, value in (
        ("/api/v1/party-groups/", "building", foreign_building.pk),
        ("/api/v1/workers/", "grid", foreign_grid.grids.first().pk),
    ):
        foreign = client.get(url, {param: value})
        missing = client.get(url, {param: HUGE})
        assert foreign.status_code == missing.status_code == 400
        assert foreign.json() == missing.json()


def test_id_last4_refuses_non_ascii_digits(api):
    response = api("qu_admin").get("/api/v1/residents/", {"id_last4": "١٢٣٤"})
    assert response.status_code == 400
    assert "证件号码的后 4 位" in response.json()["id_last4"][0]
