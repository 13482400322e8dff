"""The API writes of issue 12 §8 and the pages: create (201 with id and status), claim (200; a second
claim 409 with a Chinese detail, nothing written), complete by the claimant; the detail page's state,
actions and suggested matches; queries pinned; the stats keys."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from jiceng.audit.models import AuditLog
from jiceng.core.masking import mask_name
from jiceng.dashboards.selectors import node_stats
from jiceng.needs.choices import Audience, NeedStatus
from jiceng.needs.models import Need, NeedEvent, Project, Resource
from jiceng.testing.personas import persona
from jiceng.tickets.models import Ticket

from .conftest import make_need

pytestmark = pytest.mark.django_db


def api(username):
    client = APIClient()
    client.force_authenticate(persona(username))
    return client


def written():
    return Need.objects.count(), NeedEvent.objects.count(), AuditLog.objects.count()


def test_post_a_need_answers_201_with_id_and_status(world):
    body = {"title": "陪老人散步", "category": "care", "description": "每天傍晚", "community": world.community.pk}
    response = api("wenchang_worker").post("/api/v1/needs/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "submitted" and data["status_label"] == "待审核"
    need = Need.objects.get(pk=data["id"])
    assert need.recorded_by.username == "wenchang_worker" and need.community == world.community


def test_a_resident_posts_through_the_api_without_naming_the_community(world):
    body = {"title": "借轮椅", "category": "health", "description": "腿受伤，借用一个月"}
    response = api("resident_demo").post("/api/v1/needs/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Need.objects.get(pk=response.json()["id"]).community == world.community


def test_the_sibling_community_is_refused_and_nothing_written(world):
    body = {"title": "越权", "category": "care", "description": "x", "community": world.community.pk}
    before = written()
    response = api("dougang_worker").post("/api/v1/needs/", body, format="json")
    assert response.status_code in (400, 403) and written() == before


def test_claim_then_a_second_claim_is_409_in_chinese_and_complete_by_the_claimant(world):
    need = make_need(world, NeedStatus.OPEN, audience=Audience.BOTH)
    member = api("member_demo")
    row = member.get(f"/api/v1/needs/{need.pk}/").json()
    assert row["status"] == "open" and "claim" in row["actions"]
    claimed = member.post(f"/api/v1/needs/{need.pk}/claim/", {}, format="json")
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    assert claimed.json()["id"] == need.pk and "complete" in claimed.json()["actions"]

    before = written()
    again = api("unit_demo").post(f"/api/v1/needs/{need.pk}/claim/", {}, format="json")
    assert again.status_code == 409
    assert "认领" in again.json()["detail"]
    assert written() == before

    stranger = api("unit_demo").post(f"/api/v1/needs/{need.pk}/complete/", {"note": "x"}, format="json")
    assert stranger.status_code == 403 and "无权" in stranger.json()["detail"] and written() == before
    missing = member.post(f"/api/v1/needs/{need.pk}/complete/", {}, format="json")
    assert missing.status_code == 400 and "note" in missing.json() and written() == before
    done = member.post(f"/api/v1/needs/{need.pk}/complete/", {"note": "已上门完成"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    rated = api("resident_demo").post(f"/api/v1/needs/{need.pk}/confirm/", {"rating": "5"}, format="json")
    assert rated.status_code == 200 and Need.objects.get(pk=need.pk).rating == 5


def test_a_sibling_claim_is_404(world):
    need = make_need(world, NeedStatus.OPEN)
    before = written()
    assert api("dougang_worker").post(f"/api/v1/needs/{need.pk}/claim/", {}, format="json").status_code == 404
    assert written() == before


def test_to_ticket_through_the_api(world):
    from jiceng.tickets.models import Category

    need = make_need(world, NeedStatus.SUBMITTED)
    category = Category.objects.filter(is_active=True).order_by("pk").first()
    response = api("wenchang_worker").post(f"/api/v1/needs/{need.pk}/to-ticket/", {"category": category.pk},
                                           format="json")  # fmt: skip
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Need.objects.get(pk=need.pk).ticket.grid == world.grid


def test_resources_and_projects_in_the_api(world):
    liaison = api("unit_demo")
    mine = liaison.get("/api/v1/resources/").json()
    rows = mine["results"] if isinstance(mine, dict) else mine
    assert rows and all(r["unit"] == world.unit.pk for r in rows)
    projects = liaison.get("/api/v1/projects/").json()
    rows = projects["results"] if isinstance(projects, dict) else projects
    assert all(Resource.objects.get(pk=p["resource"]).unit_id == world.unit.pk for p in rows)
    assert (
        api("dougang_worker")
        .get(f"/api/v1/resources/{Resource.objects.filter(scope_path__startswith=world.grid.path).first().pk}/")
        .status_code
        == 404
    )


def test_the_need_page_shows_state_actions_and_matches(client, world):
    need = make_need(world, NeedStatus.OPEN, category="legal")
    client.force_login(persona("member_demo"))
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert "待认领" in page and f"/needs/{need.pk}/claim/" in page and "建议对接的资源" in page
    response = client.post(f"/needs/{need.pk}/claim/", {})
    assert response.status_code == 302 and Need.objects.get(pk=need.pk).status == NeedStatus.CLAIMED
    client.force_login(persona("wenchang_worker"))
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert "法律顾问坐班" in page  # a street unit's legal resource, the same category
    assert "认领" in page and "办理记录" in page
    member = persona("member_demo")
    assert str(member) not in page and mask_name(str(member)) in page  # the claimant's name is masked


def test_the_resource_page_suggests_open_needs(client, world):
    resource = Resource.objects.filter(scope_path=world.community.path).first()
    need = make_need(world, NeedStatus.OPEN, category=resource.category, title="同类需求")
    client.force_login(persona("wenchang_worker"))
    assert "同类需求" in client.get(f"/needs/resources/{resource.pk}/").content.decode()
    assert need.pk


@pytest.mark.parametrize("url", ["/needs/", "/needs/resources/", "/needs/projects/"])
def test_list_pages_keep_their_queries(client, url, django_assert_max_num_queries):
    client.force_login(persona("longpan_admin"))
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/needs/", "/api/v1/resources/", "/api/v1/projects/"])
def test_api_lists_keep_their_queries(url, django_assert_max_num_queries):
    client = api("longpan_admin")
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_the_member_list_shows_only_what_is_theirs_or_published_to_them(client, world):
    client.force_login(persona("member_demo"))
    assert client.get("/needs/").status_code == 200
    visible = Need.objects.restrict(persona("member_demo"))
    assert visible.exists()
    assert not visible.exclude(community=world.community).exclude(claimed_by__username="member_demo").exists()


def test_the_stats_keys_count_the_callers_node(world):
    stats = node_stats(persona("longpan_admin"))
    longpan = Need.objects.restrict(persona("longpan_admin"))
    assert stats["needs_open"] == longpan.filter(status="open").count() > 0
    assert stats["needs_claimed"] == longpan.filter(status="claimed").count() > 0
    assert stats["needs_done"] == longpan.filter(status="done").count() > 0
    wenchang = node_stats(persona("longpan_admin"), world.community)
    assert wenchang["needs_open"] == longpan.filter(status="open", scope_path__startswith=world.community.path).count()
    assert node_stats(persona("yinhua_admin"), world.community)["needs_open"] == 0
    data = api("longpan_admin").get("/api/v1/stats/").json()
    assert {"needs_open", "needs_claimed", "needs_done"} <= set(data)
    assert Project.objects.exists()


def test_need_from_ticket_through_the_api_and_the_page(client, world):
    tickets = Ticket.objects.filter(scope_path__startswith=world.community.path).order_by("-pk")
    first, second = tickets[0], tickets[1]
    response = api("wenchang_worker").post("/api/v1/need-from-ticket/", {"ticket": first.pk, "category": "care"},
                                           format="json")  # fmt: skip
    assert response.status_code == 201 and response.json()["status"] == "submitted"
    assert Need.objects.get(pk=response.json()["id"]).ticket == first
    before = written()
    assert api("wenchang_worker").post("/api/v1/need-from-ticket/", {"ticket": first.pk, "category": "care"},
                                       format="json").status_code == 400  # fmt: skip
    assert api("dougang_worker").post("/api/v1/need-from-ticket/", {"ticket": second.pk, "category": "care"},
                                      format="json").status_code == 404  # fmt: skip
    assert api("wenchang_worker").post("/api/v1/need-from-ticket/", {"ticket": "x"}, format="json").status_code == 400
    assert written() == before

    client.force_login(persona("wenchang_worker"))
    assert client.get("/needs/from-ticket/").status_code == 200
    page = client.post("/needs/from-ticket/", {"ticket_no": second.ticket_no, "category": "care"})
    assert page.status_code == 302 and Need.objects.filter(ticket=second).exists()
    client.force_login(persona("dougang_worker"))
    before = written()
    page = client.post("/needs/from-ticket/", {"ticket_no": tickets[2].ticket_no, "category": "care"})
    assert page.status_code == 400 and "未找到工单" in page.content.decode() and written() == before
    client.force_login(persona("member_demo"))
    assert client.get("/needs/from-ticket/").status_code == 403


def test_the_claimable_page_lists_what_a_member_may_claim(client, world):
    to_members = make_need(world, NeedStatus.OPEN, audience=Audience.MEMBERS, title="给党员的心愿")
    to_units = make_need(world, NeedStatus.OPEN, audience=Audience.UNITS, title="给单位的心愿")
    client.force_login(persona("member_demo"))
    page = client.get("/needs/claimable/").content.decode()
    assert "给党员的心愿" in page and "给单位的心愿" not in page and f"/needs/{to_members.pk}/claim/" in page
    client.force_login(persona("unit_demo"))
    page = client.get("/needs/claimable/").content.decode()
    assert "给单位的心愿" in page and "给党员的心愿" not in page and to_units.pk
    client.force_login(persona("dept_chengguan"))
    assert client.get("/needs/claimable/").status_code == 403


def test_a_second_claim_on_the_page_is_409_in_chinese_and_writes_nothing(client, world):
    need = make_need(world, NeedStatus.OPEN, audience=Audience.BOTH)
    client.force_login(persona("unit_demo"))
    form = client.get(f"/needs/{need.pk}/claim/")  # the unit opens the form while the need is open …
    assert form.status_code == 200
    need_transition_by_member = api("member_demo").post(f"/api/v1/needs/{need.pk}/claim/", {}, format="json")
    assert need_transition_by_member.status_code == 200  # … the member claims first
    before = written()
    late = client.post(f"/needs/{need.pk}/claim/", {})
    assert late.status_code == 409 and "已被他人认领" in late.content.decode() and written() == before


def test_the_lists_of_personal_accounts_show_only_theirs(client, world):
    own = make_need(world, NeedStatus.SUBMITTED, title="我自己的心愿")
    make_need(world, NeedStatus.SUBMITTED, title="别人的心愿", posted_by=None, recorded_by=world.worker)
    client.force_login(persona("resident_demo"))
    page = client.get("/needs/").content.decode()
    assert "我自己的心愿" in page and "别人的心愿" not in page and own.pk
    client.force_login(persona("unit_demo"))
    page = client.get("/needs/resources/").content.decode()
    others = Resource.objects.exclude(unit=world.unit).values_list("name", flat=True)
    assert not [name for name in others if f">{name}<" in page]
    assert Resource.objects.filter(unit=world.unit).first().name in page
