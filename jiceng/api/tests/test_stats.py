"""``/api/v1/stats/`` answers the home page's numbers from the same selector."""

import pytest

from jiceng.dashboards.selectors import node_stats, stat_keys

from .conftest import node

pytestmark = pytest.mark.django_db


def test_stats_equal_the_selector(api, personas):
    longpan = api("longpan_admin").get("/api/v1/stats/").json()
    yinhua = api("yinhua_admin").get("/api/v1/stats/").json()
    assert list(longpan) == list(stat_keys())
    assert longpan == node_stats(personas.longpan_admin)
    assert yinhua == node_stats(personas.yinhua_admin)
    assert longpan != yinhua
    assert longpan["streets"] == yinhua["streets"] == 1
    assert longpan["residents"] > 0 and yinhua["residents"] > 0


def test_stats_for_a_node_in_scope(api, personas):
    community = node("文昌花园社区")
    stats = api("longpan_admin").get("/api/v1/stats/", {"node": community.pk}).json()
    assert stats == node_stats(personas.longpan_admin, community)
    assert stats["communities"] == 1 and stats["streets"] == 0


@pytest.mark.parametrize("value", ["银花街道", "abc", "999999999"])
def test_stats_node_out_of_scope_or_bad_is_404(api, value):
    node_id = node(value).pk if value == "银花街道" else value
    response = api("longpan_admin").get("/api/v1/stats/", {"node": node_id})
    assert response.status_code == 404
    assert response.json()["detail"]


def test_resident_stats_are_their_household(api, personas):
    stats = api("resident_demo").get("/api/v1/stats/").json()
    assert stats["households"] == 1
    assert stats["streets"] == stats["grids"] == stats["party_members"] == 0
