"""``/api/v1/party-groups/`` on the declared entity (``party/entities.py``): reads, and writes through
``services.group_create`` / ``group_update``, scoped and audited; no delete (docs/permissions.md)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from jiceng.audit.models import AuditLog
from jiceng.party.models import PartyGroup, PartyMember
from jiceng.territory.models import Building

from .helpers import DOUGANG_Q1, WENCHANG_Q1, WENCHANG_Q2, party_branch

pytestmark = pytest.mark.django_db
URL = "/api/v1/party-groups/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def community_building(branch) -> Building:
    return Building.objects.filter(scope_path__startswith=branch.area.path[: 3 * branch.area.steplen]).order_by("pk")[0]


def unchanged(before: tuple[int, int]) -> bool:
    return (PartyGroup.objects.count(), AuditLog.objects.count()) == before


def test_community_worker_creates_and_updates_a_group_audited(personas):
    client, branch = api(personas.wenchang_worker), party_branch(WENCHANG_Q1)
    building = community_building(branch)
    created = client.post(URL, {"branch": branch.pk, "name": "接口党小组", "buildings": [building.pk]}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    group = PartyGroup.objects.get(pk=body["id"])
    assert (body["name"], body["branch"], body["branch_name"], body["buildings"], body["leader"]) == (
        "接口党小组", branch.pk, branch.name, [building.pk], None
    )  # fmt: skip
    assert group.scope_path == branch.scope_path
    row = AuditLog.objects.latest("id")
    assert (row.action, row.object_type, row.object_id, row.username) == (
        "create", "party.PartyGroup", str(group.pk), "wenchang_worker"
    )  # fmt: skip

    leader = PartyMember.objects.filter(org=branch).order_by("pk").first()
    patched = client.patch(f"{URL}{group.pk}/", {"name": "改名党小组", "leader": leader.pk}, format="json")
    assert patched.status_code == 200, patched.content
    assert (patched.json()["name"], patched.json()["leader_name"]) == ("改名党小组", leader.name)
    row = AuditLog.objects.latest("id")
    assert (row.action, row.object_id) == ("update", str(group.pk))
    assert row.detail["changes"]["name"] == {"before": "接口党小组", "after": "改名党小组"}

    put = {"branch": branch.pk, "name": "整体修改", "buildings": [building.pk], "leader": None}
    assert client.put(f"{URL}{group.pk}/", put, format="json").status_code == 200
    assert PartyGroup.objects.get(pk=group.pk).name == "整体修改"

    # A group never moves to another branch, and no role deletes a register's row: nothing written.
    before = (PartyGroup.objects.count(), AuditLog.objects.count())
    other = {**put, "branch": party_branch(WENCHANG_Q2).pk}
    moved = client.put(f"{URL}{group.pk}/", other, format="json")
    assert (moved.status_code, moved.json()) == (400, {"branch": ["党小组的所属党支部不能修改。"]})
    deleted = client.delete(f"{URL}{group.pk}/")
    assert (deleted.status_code, deleted.json()) == (403, {"detail": "您没有执行该操作的权限。"})
    assert unchanged(before) and PartyGroup.objects.get(pk=group.pk).branch_id == branch.pk


def test_sibling_community_neither_sees_nor_writes(personas):
    group = PartyGroup.objects.filter(branch=party_branch(WENCHANG_Q1)).order_by("pk").first()
    client, before = api(personas.dougang_worker), (PartyGroup.objects.count(), AuditLog.objects.count())
    assert group.pk not in {g["id"] for g in client.get(URL, {"page_size": 500}).json()["results"]}
    for response in (
        client.get(f"{URL}{group.pk}/"),
        client.patch(f"{URL}{group.pk}/", {"name": "越权"}, format="json"),
        client.put(f"{URL}{group.pk}/", {"branch": group.branch_id, "name": "越权", "buildings": []}, format="json"),
    ):
        assert (response.status_code, response.json()) == (404, {"detail": "未找到。"})
    refused = client.delete(f"{URL}{group.pk}/")
    assert (refused.status_code, refused.json()) == (403, {"detail": "您没有执行该操作的权限。"})
    # Creating under the sibling's branch: the branch is not a choice the caller has.
    branch = group.branch
    data = {"branch": branch.pk, "name": "越权党小组", "buildings": [community_building(branch).pk]}
    created = client.post(URL, data, format="json")
    assert created.status_code == 400 and "不存在" in created.json()["branch"][0]
    assert unchanged(before) and PartyGroup.objects.get(pk=group.pk).name == group.name


def test_invalid_input_is_refused_in_chinese_and_nothing_is_written(personas):
    client, branch = api(personas.longpan_admin), party_branch(WENCHANG_Q1)
    outside = community_building(party_branch(DOUGANG_Q1))  # in the street, not in the branch's community
    before = (PartyGroup.objects.count(), AuditLog.objects.count())
    cases = [
        ({"branch": branch.pk, "name": "越界党小组", "buildings": [outside.pk]},
         {"buildings": [f"楼栋“{outside.name}”不在该党支部所在社区内。"]}),
        ({"branch": branch.pk, "buildings": [community_building(branch).pk]}, {"name": ["该字段是必填项。"]}),
        ({"name": "无楼栋", "branch": branch.pk, "buildings": []}, {"buildings": ["列表不能为空。"]}),
        ({"name": "非支部", "branch": branch.parent_id, "buildings": [community_building(branch).pk]},
         {"branch": ["党小组只能设在党支部之内。"]}),
    ]  # fmt: skip
    for data, errors in cases:
        response = client.post(URL, data, format="json")
        assert (response.status_code, response.json()) == (400, errors), data
    stranger = PartyMember.objects.exclude(org=branch).filter(
        org__scope_path__startswith=branch.area.path[: 3 * branch.area.steplen]
    )[0]
    group = PartyGroup.objects.filter(branch=branch).order_by("pk").first()
    response = client.patch(f"{URL}{group.pk}/", {"leader": stranger.pk}, format="json")
    assert (response.status_code, response.json()) == (400, {"leader": ["党小组长须是本支部党员。"]})
    assert unchanged(before)
