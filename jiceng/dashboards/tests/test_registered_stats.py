"""A figure an app registers (``jiceng.core.stats``) joins the home page and ``/api/v1/stats/``, counted
within the caller's scope and node like the tree's own figures."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiceng.core.stats import register_stat, registered_stats, unregister_stat
from jiceng.dashboards.selectors import BASE_STAT_KEYS, node_stats, stat_keys, stat_labels
from jiceng.territory.models import Area, Building

pytestmark = pytest.mark.django_db


def _tall_buildings(scoped, user, node):
    return scoped(Building.objects.filter(floors__gte=10)).count()


@pytest.fixture
def tall_buildings():
    register_stat("tall_buildings", "高层楼栋", _tall_buildings)
    yield
    unregister_stat("tall_buildings")


def test_registered_figure_follows_the_tree_figures(tall_buildings):
    keys = stat_keys()  # the tree's, then the apps' (committee, needs …) in registration order, then the test's
    assert keys[: len(BASE_STAT_KEYS)] == BASE_STAT_KEYS and keys[-1] == "tall_buildings"
    assert keys[len(BASE_STAT_KEYS) : -1] == tuple(s.key for s in registered_stats() if s.key != "tall_buildings")
    assert stat_labels()["tall_buildings"] == "高层楼栋"


def test_registered_figure_is_scoped_to_user_and_node(tall_buildings, personas):
    community = Area.objects.get(name="文昌花园社区")
    expected_all = Building.objects.restrict(personas.longpan_admin).filter(floors__gte=10).count()
    expected_node = Building.objects.filter(floors__gte=10, scope_path__startswith=community.path).count()
    assert node_stats(personas.longpan_admin)["tall_buildings"] == expected_all
    assert node_stats(personas.longpan_admin, community)["tall_buildings"] == expected_node
    # A sibling street's admin counts nothing of 龙蟠街道.
    assert node_stats(personas.yinhua_admin, community)["tall_buildings"] == 0


def test_registered_figure_in_the_api(tall_buildings, personas):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=personas.longpan_admin).key}")
    stats = client.get("/api/v1/stats/").json()
    assert stats["tall_buildings"] == node_stats(personas.longpan_admin)["tall_buildings"]


def test_a_key_registered_twice_with_another_count_is_refused(tall_buildings):
    with pytest.raises(ImproperlyConfigured):
        register_stat("tall_buildings", "高层楼栋", lambda scoped, user, node: 0)
    assert [s.key for s in registered_stats()].count("tall_buildings") == 1
