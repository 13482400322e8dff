"""Home page numbers, coverage and the grid map, per persona."""

import pytest
from django.urls import reverse

from jiceng.dashboards.selectors import node_stats, stat_keys
from jiceng.party.models import PartyMember
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db


def test_home_numbers_for_district_and_street(client, login):
    qu = login("qu_admin")
    stats = node_stats(qu)
    assert set(stats) == set(stat_keys())
    assert stats["streets"] == 3 and stats["communities"] == 12 and stats["grids"] == 366
    assert stats["quarters"] == 84 and stats["quarter_branches"] == 84
    # 在职党员（报到）: the in-service members who have reported to a community (not every one has)
    assert (
        stats["in_service_members"]
        == PartyMember.objects.filter(is_in_service=True, report_community__isnull=False).count()
    )
    response = client.get(reverse("dashboards:home"))
    assert response.status_code == 200
    assert 'data-stat="grids"' in response.content.decode()

    longpan = login("longpan_admin")
    street = node_stats(longpan)
    assert street["streets"] == 1 and street["communities"] == 4
    assert street["grids"] == 31 + 31 + 30 + 30
    assert street["residents"] < stats["residents"]


def test_sibling_streets_have_disjoint_numbers(personas):
    a, b, q = node_stats(personas.longpan_admin), node_stats(personas.yinhua_admin), node_stats(personas.qu_admin)
    c = node_stats(personas.tongle_admin)
    for key in ("grids", "residents", "households", "buildings", "party_members"):
        assert a[key] + b[key] + c[key] <= q[key]
    assert a["residents"] + b["residents"] + c["residents"] == q["residents"]


def test_resident_home_shows_only_own_household(client, login):
    user = login("resident_demo")
    response = client.get(reverse("dashboards:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "我的家庭" in body
    own = set(user.resident.household.residents.values_list("name", flat=True))
    for name in own:
        assert name in body
    assert user.resident.id_number not in body


def test_member_home(client, login):
    user = login("member_demo")
    response = client.get(reverse("dashboards:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert user.party_member.name in body and "文昌花园社区" in body


def test_coverage_lists_gaps_within_scope(client, login):
    login("wenchang_worker")
    response = client.get(reverse("dashboards:coverage"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "未建楼栋党小组的楼栋" in body
    assert "陡岗" not in body


def test_coverage_rows_name_and_link_what_the_models_say(personas):
    """The cached rows are plain dicts with their links built once: each names and links the object the
    model would, in the model's order, and a term's end is the extended one when there is one."""
    import datetime as dt

    from django.urls import resolve

    from jiceng.dashboards.selectors import _coverage_gaps
    from jiceng.party.models import PartyOrg
    from jiceng.party.selectors import term_alerts
    from jiceng.territory.models import Building

    user = personas.longpan_admin
    org = PartyOrg.objects.restrict(user).order_by("pk").first()
    PartyOrg.objects.filter(pk=org.pk).update(term_end=dt.date.today() - dt.timedelta(days=400),
                                              term_extended_until=dt.date.today() + dt.timedelta(days=30))  # fmt: skip
    gaps = _coverage_gaps(user)
    models = {"territory:area_detail": Area, "territory:building_detail": Building, "party:org_detail": PartyOrg}

    def target(row):
        match = resolve(row["url"])
        return models[match.view_name].objects.get(pk=match.kwargs["pk"])

    quarters = gaps["quarters_without_branch"]["rows"] + gaps["grids_without_worker"]["rows"]
    for row in quarters:
        area = target(row)
        assert (row["name"], row["code"]) == (area.name, area.code)
    buildings = gaps["buildings_without_group"]["rows"]
    assert buildings, "the demo street has buildings without a group"
    for row in buildings:
        b = target(row)
        assert (row["name"], row["grid"], row["quarter"]) == (
            b.name,
            b.grid.name,
            b.quarter.name if b.quarter else None,
        )
    alerts = list(term_alerts(user))
    terms = gaps["terms_overdue"] + gaps["terms_due_soon"]
    assert sorted(t["url"] for t in terms) == sorted(o.get_absolute_url() for o in alerts)
    for t in terms:
        o = target(t)
        assert (t["name"], t["term_end"]) == (o.name, o.effective_term_end)
    assert any(target(t).pk == org.pk for t in gaps["terms_due_soon"])  # extended: due soon, not overdue


def test_map_geojson_in_scope_only(client, login):
    login("wenchang_worker")
    own = Area.objects.get(name="文昌花园社区")
    other = Area.objects.get(name="陡岗社区")
    data = client.get(reverse("dashboards:grid_geojson", args=[own.pk])).json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 31
    assert client.get(reverse("dashboards:grid_geojson", args=[other.pk])).status_code == 404
    assert client.get(reverse("dashboards:map"), {"community": other.pk}).status_code == 404
    assert client.get(reverse("dashboards:map")).status_code == 200


@pytest.mark.parametrize("username", ["resident_demo", "member_demo", "auditor"])
def test_coverage_and_map_are_for_those_who_run_part_of_the_tree(client, username):
    from jiceng.accounts.tests.utils import verified_login

    verified_login(client, username)
    assert client.get(reverse("dashboards:coverage")).status_code == 403
    assert client.get(reverse("dashboards:map")).status_code == 403


@pytest.mark.parametrize("username", ["qu_admin", "longpan_admin", "wenchang_worker", "grid_wc01"])
def test_home_breadcrumbs_come_from_the_nodes_one_query(client, login, username):
    """The home page reads its node and the node's ancestors in one query; the breadcrumbs are those
    ``area_breadcrumbs`` builds by itself (ancestors outside the scope as plain text)."""
    from jiceng.core.breadcrumbs import area_breadcrumbs
    from jiceng.testing.queries import count_queries

    user = login(username)
    client.get(reverse("dashboards:home"))  # warm the figures' cache
    with count_queries() as queries:
        response = client.get(reverse("dashboards:home"))
    node = response.context["node"]
    assert node.pk == user.scope.top_grant.area_id
    assert response.context["breadcrumbs"] == area_breadcrumbs(user, node)
    assert [c["url"] is None for c in response.context["breadcrumbs"][1:]][-1] is False  # the node is a link
    node_reads = [
        q["sql"] for q in queries.captured_queries
        if 'FROM "territory_area"' in q["sql"] and ('"path" IN (' in q["sql"] or '"id" = ' in q["sql"])
    ]  # fmt: skip
    assert len(node_reads) == 1, node_reads  # the figures (not cached inside a test's transaction) aside


def test_personal_homes_offer_what_the_apps_registered(client, login):
    """The member's, the resident's and the unit liaison's homes list the entries the apps declared
    (``core.home.register_home_link``), each a page that person can open."""
    from jiceng.core.home import home_links

    for username, audience in (("member_demo", "party_member"), ("resident_demo", "resident"),
                               ("unit_demo", "unit_liaison")):  # fmt: skip
        login(username)
        page = client.get("/")
        assert page.status_code == 200, username
        html = page.content.decode()
        links = home_links(audience)
        assert links, audience
        for link in links:
            assert f'href="{link.url}"' in html and link.label in html, (username, link.label)
            assert client.get(link.url).status_code == 200, (username, link.url)
    assert 'id="jc-no-role"' not in html and "包保" in html  # the liaison's home is theirs, not "no role"


def test_a_home_audience_must_be_known():
    from django.core.exceptions import ImproperlyConfigured

    from jiceng.core.home import register_home_link

    with pytest.raises(ImproperlyConfigured):
        register_home_link("grid_worker", "随便", "dashboards:home")
