"""Query counts on the list endpoints: pinned, and the same whether a page holds 1 row or 200.

Every list request costs: the token (with its user), the caller's grants, the page's ``COUNT``, the page
itself, plus one query per prefetched many-to-many. Nothing is fetched per row.
"""

import pytest

from jiceng.people.models import Worker
from jiceng.territory.models import Area, Building

from .conftest import node

pytestmark = pytest.mark.django_db

AUTH = 2  # the token with its user; the user's role grants (``user.scope``)

#: endpoint → queries beyond AUTH: COUNT + page (+ one per prefetch_related)
EXPECTED = {
    "areas": 2,
    "streets": 2,
    "communities": 2,
    "grids": 2,
    "quarters": 2,
    "buildings": 2,
    "households": 2,
    "residents": 2,
    "resident-tags": 2,
    "workers": 3,  # + grids
    "party-orgs": 3,  # + current secretaries
    "party-members": 2,
    "committee-seats": 2,
    "party-groups": 3,  # + buildings
    "central-households": 3,  # + linked households
}


@pytest.mark.parametrize("endpoint", EXPECTED)
def test_list_query_count_is_pinned_and_flat(api, django_assert_num_queries, endpoint):
    client = api("qu_admin")
    url = f"/api/v1/{endpoint}/"
    for page_size in (1, 200):
        with django_assert_num_queries(AUTH + EXPECTED[endpoint]):
            response = client.get(url, {"page_size": page_size})
        assert response.status_code == 200
    assert len(response.json()["results"]) > 1, "the page of 200 should hold several rows"


def test_query_count_does_not_grow_with_more_rows(api, django_assert_num_queries, personas):
    """Add buildings and grid workers serving several grids, then list again: same number of queries."""
    community = node("文昌花园社区")
    grids = list(Area.objects.filter(kind="grid", path__startswith=community.path))
    client = api("wenchang_worker")

    def counts():
        result = {}
        for endpoint in ("buildings", "workers", "grids"):
            with django_assert_num_queries(AUTH + EXPECTED[endpoint]):
                response = client.get(f"/api/v1/{endpoint}/", {"page_size": 500})
            result[endpoint] = response.json()["count"]
        return result

    before = counts()
    Building.objects.bulk_create(
        Building(
            grid=grids[i % len(grids)],
            number=f"T{i}",
            code=f"TEST{community.code}{i:05d}",
            name=f"测试楼{i}",
            scope_path=grids[i % len(grids)].path,
        )
        for i in range(40)
    )
    workers = Worker.objects.bulk_create(
        Worker(name=f"测试网格员{i}", community=community, is_grid_worker=True, scope_path=community.path)
        for i in range(20)
    )
    for worker in workers:
        worker.grids.set(grids)
    after = counts()
    assert after["buildings"] == before["buildings"] + 40
    assert after["workers"] == before["workers"] + 20


def test_detail_query_count(api, django_assert_num_queries):
    client = api("longpan_admin")
    resident_id = client.get("/api/v1/residents/", {"page_size": 1}).json()["results"][0]["id"]
    with django_assert_num_queries(AUTH + 1):
        assert client.get(f"/api/v1/residents/{resident_id}/").status_code == 200
    org_id = client.get("/api/v1/party-orgs/", {"page_size": 1}).json()["results"][0]["id"]
    with django_assert_num_queries(AUTH + 2):
        assert client.get(f"/api/v1/party-orgs/{org_id}/").status_code == 200
