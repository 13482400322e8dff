"""The scope matrix: every endpoint × a user of a sibling subtree → absent from the list, 404 on detail.

Pairs: 龙蟠 ↔ 银花 (streets), 文昌花园 ↔ 陡岗 (communities), grid_wc01 ↔ grid_wc02 (grids of 文昌花园).
For each, the viewer's list holds exactly what ``restrict`` allows (for subtree grants: the rows of
their own subtree), ``within=<sibling>`` is empty, and a sibling row answers 404 while an own row
answers 200 and the sibling's own user gets that row.
"""

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiceng.core.tests.helpers import new_user
from jiceng.party.models import CentralHousehold, CommitteeSeat, PartyGroup, PartyMember, PartyOrg
from jiceng.people.models import Resident, ResidentTag, Worker
from jiceng.people.services import tag_create
from jiceng.territory.models import Area, Building, Household
from jiceng.testing.personas import persona

from .conftest import grid_of, node

pytestmark = pytest.mark.django_db

#: endpoint → (model, path field, extra filter): the rows the endpoint lists, before scoping.
ENDPOINTS = {
    "areas": (Area, "path", {}),
    "streets": (Area, "path", {"kind": "street"}),
    "communities": (Area, "path", {"kind": "community"}),
    "grids": (Area, "path", {"kind": "grid"}),
    "quarters": (Area, "path", {"kind": "quarter"}),
    "buildings": (Building, "scope_path", {}),
    "households": (Household, "scope_path", {}),
    "residents": (Resident, "scope_path", {"deleted_at__isnull": True}),
    "resident-tags": (ResidentTag, "scope_path", {"resident__deleted_at__isnull": True}),
    "workers": (Worker, "scope_path", {}),
    "party-orgs": (PartyOrg, "scope_path", {}),
    "party-members": (PartyMember, "scope_path", {}),
    "committee-seats": (CommitteeSeat, "scope_path", {}),
    "party-groups": (PartyGroup, "scope_path", {}),
    "central-households": (CentralHousehold, "scope_path", {}),
}

PAIRS = {
    "street": ("longpan_admin", lambda: node("龙蟠街道"), lambda: node("银花街道")),
    "community": ("wenchang_worker", lambda: node("文昌花园社区"), lambda: node("陡岗社区")),
    "grid": ("grid_wc01", lambda: grid_of("grid_wc01"), lambda: grid_of("grid_wc02")),
}

#: Endpoints with nothing stored below a node of that level (a street is not under a community; workers,
#: Party members and the quarter branches' rows are not under a grid), so only "absent" can be checked.
NOTHING_BELOW = {
    "community": {"streets"},
    "grid": {"streets", "communities", "quarters", "workers", "party-members", "committee-seats", "party-orgs",
             "party-groups"},
}  # fmt: skip


def _rows(endpoint, area):
    model, path_field, extra = ENDPOINTS[endpoint]
    return model.objects.filter(**{f"{path_field}__startswith": area.path}, **extra)


def _ensure_tag(area, username):
    """The small test tree may have no special-population tag in a grid: add one through the service."""
    if _rows("resident-tags", area).exists():
        return
    resident = Resident.objects.filter(scope_path__startswith=area.path, deleted_at__isnull=True).first()
    tag_create(actor=persona(username), resident=resident, tag_type="lonely_elderly", risk_level="low")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("pair", PAIRS)
def test_sibling_subtree_is_invisible(api, pair, endpoint):
    username, own_node, sibling_node = PAIRS[pair]
    owner = {"street": "yinhua_admin", "community": "dougang_worker", "grid": "grid_wc02"}[pair]
    own, sibling = own_node(), sibling_node()
    if endpoint == "resident-tags":
        _ensure_tag(own, username)
        _ensure_tag(sibling, owner)
    client = api(username)
    url = f"/api/v1/{endpoint}/"
    model, _, extra = ENDPOINTS[endpoint]

    # The list is exactly the viewer's scope: all of their own subtree, none of the sibling's.
    listed = client.get(url, {"page_size": 1})
    assert listed.status_code == 200
    assert (
        listed.json()["count"] == model.objects.restrict(persona(username), _action(endpoint)).filter(**extra).count()
    )
    if pair != "grid":  # a grid worker also sees the workers serving their grid, who sit on the community
        assert listed.json()["count"] == _rows(endpoint, own).count()
    assert client.get(url, {"within": own.pk}).json()["count"] == _rows(endpoint, own).count()
    assert client.get(url, {"within": sibling.pk}).json()["count"] == 0

    foreign = _rows(endpoint, sibling).order_by("pk").last()
    mine = _rows(endpoint, own).order_by("pk").last()
    if endpoint in NOTHING_BELOW.get(pair, ()):
        assert foreign is None and mine is None
        return
    assert foreign is not None, "the demo tree should have a row in the sibling subtree"
    response = client.get(f"{url}{foreign.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}
    if mine is not None:
        assert client.get(f"{url}{mine.pk}/").status_code == 200
    # The sibling sees that row, so the 404 above is about scope, not existence.
    assert api(owner).get(f"{url}{foreign.pk}/").status_code == 200


def _action(endpoint):
    return "viewtags" if endpoint == "resident-tags" else "view"


def test_resident_sees_only_own_household(api, personas):
    user = personas.resident_demo
    household = user.resident.household
    client = api("resident_demo")

    residents = client.get("/api/v1/residents/").json()
    assert residents["count"] == household.residents.filter(deleted_at__isnull=True).count() >= 1
    assert {r["household"] for r in residents["results"]} == {household.pk}
    households = client.get("/api/v1/households/").json()
    assert [h["id"] for h in households["results"]] == [household.pk]

    neighbour = Resident.objects.filter(grid=household.building.grid).exclude(household=household).first()
    assert client.get(f"/api/v1/residents/{neighbour.pk}/").status_code == 404
    assert client.get(f"/api/v1/households/{neighbour.household_id}/").status_code == 404
    for endpoint in ENDPOINTS.keys() - {"residents", "households"}:
        assert client.get(f"/api/v1/{endpoint}/").json()["count"] == 0, endpoint


def test_member_sees_own_record_and_report_community(api, personas):
    member = personas.member_demo.party_member
    client = api("member_demo")
    members = client.get("/api/v1/party-members/").json()
    assert [m["id"] for m in members["results"]] == [member.pk]
    areas = client.get("/api/v1/areas/").json()
    assert [a["id"] for a in areas["results"]] == [member.report_community_id]
    assert client.get("/api/v1/communities/").json()["count"] == 1
    assert client.get("/api/v1/residents/").json()["count"] == 0
    other = PartyMember.objects.filter(report_community=member.report_community).exclude(pk=member.pk).first()
    assert client.get(f"/api/v1/party-members/{other.pk}/").status_code == 404


def test_resident_tags_need_the_viewtags_permission(api, personas):
    """A quarter secretary sees the quarter's Party data but never its residents' special-population tags."""
    tag = ResidentTag.objects.filter(resident__building__quarter__isnull=False).select_related("resident").first()
    quarter = tag.resident.building.quarter
    secretary = new_user("quarter_secretary_test", "quarter_secretary", quarter)
    secretary.password_changed_at = timezone.now()
    secretary.save(update_fields=["password_changed_at"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=secretary).key}")

    assert client.get("/api/v1/party-orgs/").json()["count"] >= 1
    assert client.get("/api/v1/resident-tags/").json()["count"] == 0
    assert client.get(f"/api/v1/resident-tags/{tag.pk}/").status_code == 404
    # …while a grid worker of the tag's grid does see it.
    assert (
        api("wenchang_worker").get("/api/v1/resident-tags/").json()["count"]
        == _rows("resident-tags", node("文昌花园社区")).count()
    )


def test_admins_see_no_business_data(api):
    for username in ("auditor",):
        client = api(username)
        for endpoint in ("residents", "households", "party-members", "resident-tags", "workers"):
            assert client.get(f"/api/v1/{endpoint}/").json()["count"] == 0, (username, endpoint)


def test_stats_node_outside_scope_is_404(api):
    assert api("longpan_admin").get("/api/v1/stats/", {"node": node("银花街道").pk}).status_code == 404
