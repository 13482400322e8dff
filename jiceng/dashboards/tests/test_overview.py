"""党建引领看板: a node's Party-building figures and its children's, scoped, a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.core.stats import register_stat, unregister_stat
from jiceng.party.models import PartyMember
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db


def test_a_street_compares_its_communities(client, login):
    login("longpan_admin")
    street = Area.objects.get(name="龙蟠街道")
    page = client.get("/overview/")
    assert page.status_code == 200 and page.context["node"] == street
    names = [r["node"].name for r in page.context["rows"]]
    assert names == list(
        Area.objects.filter(parent_path_of_street(street)).order_by("path").values_list("name", flat=True)
    )
    keys = [k for k, _ in page.context["columns"]]
    assert "party_members" in keys and "residents" not in keys  # Party-building figures, not the tree's size
    i = keys.index("party_members")
    for row in page.context["rows"]:
        expected = PartyMember.objects.filter(scope_path__startswith=row["node"].path).count()
        assert row["values"][i] == expected
    html = page.content.decode()
    assert 'id="jc-overview-chart"' in html and 'id="jc-overview-data"' in html and "下级对比" in html


def parent_path_of_street(street):
    from django.db.models import Q

    return Q(path__startswith=street.path, depth=street.depth + 1)


def test_a_registered_figure_appears_as_a_column():
    from jiceng.dashboards.selectors import overview
    from jiceng.testing.personas import persona

    register_stat("probe_figure", "探针指标", lambda scoped, user, node: 7)
    try:
        data = overview(persona("longpan_admin"), Area.objects.get(name="龙蟠街道"))
        assert ("probe_figure", "探针指标") in data["columns"]
        assert all(r["values"][-1] == 7 for r in data["rows"]) and data["chart"]["labels"][-1] == "探针指标"
    finally:
        unregister_stat("probe_figure")


def test_a_sibling_node_is_404_and_personal_roles_are_refused(client, login):
    login("longpan_admin")
    sibling = Area.objects.get(name="陡岗社区")
    own = Area.objects.get(name="文昌花园社区")
    assert client.get("/overview/", {"node": own.pk}).status_code == 200
    login("wenchang_worker")
    assert client.get("/overview/", {"node": sibling.pk}).status_code == 404
    assert client.get("/overview/", {"node": "abc"}).status_code == 404
    page = client.get("/overview/")
    assert page.context["node"] == own and all(r["node"].kind in ("grid", "quarter") for r in page.context["rows"])
    for username in ("resident_demo", "member_demo"):
        login(username)
        assert client.get("/overview/").status_code == 403


def test_the_query_count_does_not_grow_with_the_data(client, login, outside, django_capture_on_commit_callbacks):
    """With the figures cached (as after the first visit), the page reads the session, the user and the
    versions of each child's figures: one query per child node, none per row of data below them."""
    login("qu_admin")
    client.get("/overview/")  # warm the figures' cache
    with CaptureQueriesContext(connection) as first:
        page = client.get("/overview/")
    children = len(page.context["rows"])
    assert children >= 3 and len(first) <= 6 + children
    street = Area.objects.get(name="龙蟠街道")
    members = list(PartyMember.objects.filter(scope_path__startswith=street.path)[:5])
    with django_capture_on_commit_callbacks(execute=True):
        for m in members:  # more data under a street, through the ORM save (the counted signal fires)
            m.pk = None
            m.resident = None
            m.save()
    client.get("/overview/")  # recomputed once for the street that changed
    with CaptureQueriesContext(connection) as second:
        page = client.get("/overview/")
    assert len(second) == len(first)
    i = [k for k, _ in page.context["columns"]].index("party_members")
    row = next(r for r in page.context["rows"] if r["node"] == street)
    assert row["values"][i] == PartyMember.objects.filter(scope_path__startswith=street.path).count()
