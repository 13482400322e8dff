"""What the resources say: exact values for the computed fields, filters and pagination."""

import pytest

from jiceng.party.models import CentralHousehold, CommitteeSeat, PartyGroup, PartyOrg
from jiceng.party.selectors import current_secretary
from jiceng.people.models import Resident, Worker
from jiceng.territory.models import Area, Household

from .conftest import node

pytestmark = pytest.mark.django_db


def test_areas_filter_by_parent_and_kind(api):
    longpan = node("龙蟠街道")
    client = api("qu_admin")
    children = client.get("/api/v1/areas/", {"parent": longpan.pk}).json()
    assert {a["id"] for a in children["results"]} == {c.pk for c in Area.objects.get_children(longpan)}
    assert {a["parent"] for a in children["results"]} == {longpan.pk}
    assert {a["kind"] for a in children["results"]} == {"community"}

    wenchang = node("文昌花园社区")
    grids = client.get("/api/v1/areas/", {"kind": "grid", "within": wenchang.pk, "page_size": 500}).json()
    assert grids["count"] == Area.objects.filter(kind="grid", path__startswith=wenchang.path).count()
    assert client.get("/api/v1/communities/", {"name": "文昌"}).json()["results"][0]["id"] == wenchang.pk
    assert client.get("/api/v1/streets/", {"code": longpan.code}).json()["count"] == 1


def test_street_parent_is_the_district(api):
    district = Area.objects.get(kind="district")
    street = api("longpan_admin").get(f"/api/v1/streets/{node('龙蟠街道').pk}/").json()
    assert street["parent"] == district.pk
    assert street["kind_display"] == "街道"


def test_grid_has_its_geojson_boundary(api):
    grid = Area.objects.filter(kind="grid", boundary__isnull=False).first()
    body = api("qu_admin").get(f"/api/v1/grids/{grid.pk}/").json()
    assert body["boundary"] == grid.boundary
    assert body["boundary"]["type"] in {"Polygon", "MultiPolygon"}
    assert "boundary" not in api("qu_admin").get(f"/api/v1/areas/{grid.pk}/").json()


def test_party_org_terms_counts_and_secretary(api):
    client = api("qu_admin")
    orgs = client.get("/api/v1/party-orgs/", {"page_size": 500}).json()["results"]
    by_id = PartyOrg.objects.in_bulk([o["id"] for o in orgs])
    with_secretary = 0
    for row in orgs:
        org = by_id[row["id"]]
        seat = current_secretary(org)
        assert row["secretary_name"] == (seat.member.name if seat else "")
        assert row["secretary"] == (seat.member_id if seat else None)
        assert row["term_end"] == (org.term_end.isoformat() if org.term_end else None)
        assert (row["member_count"], row["full_member_count"]) == (org.member_count, org.full_member_count)
        with_secretary += bool(seat)
    assert with_secretary > 0


def test_workers_list_their_grids(api):
    rows = api("wenchang_worker").get("/api/v1/workers/", {"is_grid_worker": "true"}).json()["results"]
    assert rows
    workers = Worker.objects.in_bulk([r["id"] for r in rows])
    for row in rows:
        assert set(row["grids"]) == set(workers[row["id"]].grids.values_list("pk", flat=True))
        assert row["grids"]
    grid_id = rows[0]["grids"][0]
    served = api("wenchang_worker").get("/api/v1/workers/", {"grid": grid_id}).json()["results"]
    assert {r["id"] for r in served} == set(Worker.objects.filter(grids=grid_id).values_list("pk", flat=True))


def test_party_groups_and_central_households_list_their_links(api):
    client = api("qu_admin")
    group = client.get("/api/v1/party-groups/", {"page_size": 1}).json()["results"][0]
    assert set(group["buildings"]) == set(PartyGroup.objects.get(pk=group["id"]).buildings.values_list("pk", flat=True))
    central = client.get("/api/v1/central-households/", {"page_size": 1}).json()["results"][0]
    assert set(central["linked_households"]) == set(
        CentralHousehold.objects.get(pk=central["id"]).linked_households.values_list("pk", flat=True)
    )


def test_current_committee_seats(api):
    rows = api("longpan_admin").get("/api/v1/committee-seats/", {"current": "true", "page_size": 500}).json()
    assert (
        rows["count"]
        == CommitteeSeat.objects.filter(scope_path__startswith=node("龙蟠街道").path, end__isnull=True).count()
    )
    assert all(r["end"] is None for r in rows["results"])


def test_household_head_and_resident_count(api, personas):
    household = personas.resident_demo.resident.household
    body = api("resident_demo").get(f"/api/v1/households/{household.pk}/").json()
    assert body["resident_count"] == household.residents.filter(deleted_at__isnull=True).count()
    assert body["head_name"] == (household.head.name if household.head_id else None)
    assert body["household_no"] == household.household_no


def test_residents_filter_by_household(api):
    household = Household.objects.filter(scope_path__startswith=node("龙蟠街道").path).first()
    rows = api("longpan_admin").get("/api/v1/residents/", {"household": household.pk}).json()
    assert {r["id"] for r in rows["results"]} == set(
        Resident.objects.filter(household=household, deleted_at__isnull=True).values_list("pk", flat=True)
    )


def test_pagination(api):
    client = api("qu_admin")
    page = client.get("/api/v1/residents/", {"page_size": 10000}).json()
    assert len(page["results"]) == 500 and page["next"]
    response = client.get("/api/v1/residents/", {"page": 99999})
    assert response.status_code == 404
    assert response.json() == {"detail": "页码无效。"}
