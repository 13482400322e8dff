"""The rules of a need, a resource and a project: who posts, who sees, who claims; refusals write nothing."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiceng.accounts.models import RoleGrant, User
from jiceng.audit.models import AuditLog
from jiceng.core.entities import entity_for
from jiceng.core.errors import Conflict, OutOfScope
from jiceng.imports.tests.helpers import run, xlsx_bytes
from jiceng.needs import selectors
from jiceng.needs.choices import Audience, NeedSource, NeedStatus, ProjectStatus, ProposedBy
from jiceng.needs.models import Milestone, Need, NeedEvent, Project, Resource
from jiceng.needs.services import milestone_add, milestone_done, need_from_ticket, need_transition, project_transition
from jiceng.needs.workflow import NEEDS as NEEDS_WORKFLOW
from jiceng.notices.models import Notice
from jiceng.notices.selectors import target_labels
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area
from jiceng.testing.personas import persona
from jiceng.tickets.models import Category, Ticket

from .conftest import make_need

pytestmark = pytest.mark.django_db
NEEDS = entity_for(Need).service
RESOURCES = entity_for(Resource).service
PROJECTS = entity_for(Project).service


def counts():
    return (
        Need.objects.count(), NeedEvent.objects.count(), Resource.objects.count(), Project.objects.count(),
        Ticket.objects.count(), AuditLog.objects.count(),
    )  # fmt: skip


# --- posting --------------------------------------------------------------------------------------


def test_a_resident_posts_for_their_own_community_and_grid(world):
    need = NEEDS.create(actor=world.resident, title="换灯泡", category="repair", description="楼道灯坏了").obj
    assert need.status == NeedStatus.SUBMITTED and need.posted_by == world.resident and need.recorded_by is None
    assert need.community == world.community and need.grid is not None
    assert need.scope_path == need.grid.path and need.source == NeedSource.RESIDENT
    assert AuditLog.objects.filter(action="create", object_id=str(need.pk), username="resident_demo").count() == 1


def test_a_resident_cannot_post_to_another_community_and_nothing_is_written(world):
    before = counts()
    with pytest.raises(OutOfScope, match="只能向您所住"):
        NEEDS.create(actor=world.resident, title="x", category="care", description="y", community=world.dougang)
    assert counts() == before


def test_a_member_posts_to_the_community_they_report_to(world):
    need = NEEDS.create(actor=world.member, title="帮邻居修车", category="repair", description="自行车坏了").obj
    assert need.community == world.community and need.posted_by == world.member


def test_a_worker_records_a_need_for_a_resident(world):
    need = NEEDS.create(
        actor=world.worker, title="代录需求", category="care", description="老人电话反映", community=world.community
    ).obj
    assert need.recorded_by == world.worker and need.posted_by is None and need.scope_path == world.community.path


def test_a_worker_of_the_sibling_community_cannot_record_here_and_nothing_is_written(world):
    before = counts()
    with pytest.raises(OutOfScope):
        NEEDS.create(actor=persona("dougang_worker"), title="越权", category="care", description="y",
                     community=world.community)  # fmt: skip
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"community": "grid"}, "community"),
        ({"grid": "dougang_grid"}, "grid"),
        ({"description": ""}, "description"),
        ({"category": "nonsense"}, "category"),
        ({"source": "ticket"}, "source"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(world, data, field):
    values = {"title": "t", "category": "care", "description": "d", "community": world.community}
    dougang_grid = Area.objects.filter(kind="grid", path__startswith=world.dougang.path).first()
    swap = {"grid": world.grid, "dougang_grid": dougang_grid}
    values.update({k: swap.get(v, v) for k, v in data.items()})
    before = counts()
    with pytest.raises(ValidationError) as exc:
        NEEDS.create(actor=persona("qu_admin"), **values)
    assert field in exc.value.message_dict
    assert re.search("[\u4e00-\u9fff]", exc.value.message_dict[field][0])
    assert counts() == before


def test_the_sibling_cannot_edit_a_need_and_a_claimed_need_is_not_edited(world):
    need = make_need(world)
    with pytest.raises(OutOfScope):
        NEEDS.update(actor=persona("dougang_worker"), obj=need, title="越权")
    claimed = make_need(world, NeedStatus.CLAIMED)
    before = counts()
    with pytest.raises(ValidationError, match="不能再修改"):
        NEEDS.update(actor=world.worker, obj=claimed, title="改名")
    assert counts() == before and Need.objects.get(pk=claimed.pk).title == "测试微心愿"
    assert NEEDS.update(actor=world.worker, obj=need, title="改名").obj.title == "改名"


# --- seeing ---------------------------------------------------------------------------------------


def test_a_resident_sees_only_their_own_needs(world):
    own = make_need(world, NeedStatus.OPEN)
    other = make_need(world, NeedStatus.OPEN, posted_by=None, recorded_by=world.worker)
    seen = set(Need.objects.restrict(world.resident).values_list("pk", flat=True))
    assert own.pk in seen and other.pk not in seen
    assert not Need.objects.restrict(world.resident).exclude(posted_by=world.resident).exists()


def test_a_member_sees_what_is_published_to_members_in_their_community(world):
    to_members = make_need(world, NeedStatus.OPEN, audience=Audience.MEMBERS)
    to_units = make_need(world, NeedStatus.OPEN, audience=Audience.UNITS)
    waiting = make_need(world, NeedStatus.SUBMITTED)
    seen = set(Need.objects.restrict(world.member).values_list("pk", flat=True))
    assert to_members.pk in seen and to_units.pk not in seen and waiting.pk not in seen
    assert to_members in selectors.claimable_needs(world.member)


def test_a_unit_liaison_sees_what_is_published_to_units_where_the_unit_serves(world):
    to_units = make_need(world, NeedStatus.OPEN, audience=Audience.UNITS)
    to_members = make_need(world, NeedStatus.OPEN, audience=Audience.MEMBERS)
    liaison = persona("unit_demo")
    seen = set(Need.objects.restrict(liaison).values_list("pk", flat=True))
    assert to_units.pk in seen and to_members.pk not in seen
    yinhua = Need.objects.filter(scope_path__startswith=persona("yinhua_admin").scope.grants[0].area_path)
    assert not Need.objects.restrict(liaison).filter(pk__in=yinhua.values("pk")).exists()


# --- claiming -------------------------------------------------------------------------------------


def test_one_claim_wins_a_second_claim_is_a_conflict_and_writes_nothing(world):
    need = make_need(world, NeedStatus.OPEN)
    claimed = need_transition(actor=world.member, need=need, action="claim")
    assert claimed.status == NeedStatus.CLAIMED and claimed.claimed_by == world.member
    before = counts()
    with pytest.raises(Conflict, match="已被他人认领"):
        need_transition(actor=persona("unit_demo"), need=need, action="claim")
    assert counts() == before
    assert Need.objects.get(pk=need.pk).claimed_by == world.member


def test_a_unit_liaison_claims_for_their_unit_and_any_liaison_of_it_completes(world):
    need = make_need(world, NeedStatus.OPEN, audience=Audience.UNITS)
    liaison = persona("unit_demo")
    claimed = need_transition(actor=liaison, need=need, action="claim")
    assert claimed.claimed_unit == world.unit and claimed.claimant_label == str(world.unit)
    assert "complete" not in NEEDS_WORKFLOW.allowed_actions(world.member, claimed)
    done = need_transition(actor=liaison, need=claimed, action="complete", note="已组织志愿者完成")
    assert done.status == NeedStatus.DONE and done.completion_note == "已组织志愿者完成"


def NEEDS_WF_allowed(user, need):
    from jiceng.needs.workflow import NEEDS as WF

    return WF.allowed_actions(user, need)


def test_a_member_cannot_claim_a_need_for_units_only(world):
    need = make_need(world, NeedStatus.OPEN, audience=Audience.UNITS)
    before = counts()
    with pytest.raises(PermissionDenied):
        need_transition(actor=world.member, need=need, action="claim")
    assert counts() == before


def test_complete_needs_a_note_confirm_a_rating_once(world):
    need = make_need(world, NeedStatus.CLAIMED)
    before = counts()
    with pytest.raises(ValidationError, match="完成情况"):
        need_transition(actor=world.member, need=need, action="complete", note="  ")
    assert counts() == before
    done = need_transition(actor=world.member, need=need, action="complete", note="已送达")
    with pytest.raises(ValidationError, match="1 至 5"):
        need_transition(actor=world.resident, need=done, action="confirm", rating=9)
    rated = need_transition(actor=world.resident, need=done, action="confirm", rating=4, feedback="谢谢")
    assert (rated.status, rated.rating, rated.feedback) == (NeedStatus.DONE, 4, "谢谢") and rated.confirmed_at
    before = counts()
    with pytest.raises(Conflict, match="已验收评价"):
        need_transition(actor=world.resident, need=rated, action="confirm", rating=5)
    assert counts() == before


def test_the_worker_who_recorded_a_need_confirms_it(world):
    need = make_need(world, NeedStatus.DONE, posted_by=None, recorded_by=world.worker)
    assert need_transition(actor=world.worker, need=need, action="confirm", rating=5).confirmed_at


def test_a_release_reopens_the_need_for_others(world):
    need = make_need(world, NeedStatus.CLAIMED)
    reopened = need_transition(actor=world.member, need=need, action="release")
    assert reopened.status == NeedStatus.OPEN and reopened.claimed_by is None
    assert need_transition(actor=persona("unit_demo"), need=reopened, action="claim").claimed_unit == world.unit


def test_claiming_notifies_the_poster_after_commit(world, django_capture_on_commit_callbacks):
    need = make_need(world, NeedStatus.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        need_transition(actor=world.member, need=need, action="claim")
    assert Notice.objects.filter(user=world.resident, text__contains="已由").exists()


# --- requests (工单) ----------------------------------------------------------------------------


def test_a_need_becomes_a_request_through_the_tickets_intake_and_keeps_the_link(world):
    need = make_need(world, NeedStatus.SUBMITTED)
    category = Category.objects.filter(is_active=True).order_by("pk").first()
    moved = need_transition(actor=world.worker, need=need, action="to_ticket", category=category.pk)
    assert moved.status == NeedStatus.CANCELLED and moved.ticket is not None
    assert moved.ticket.grid == world.grid and moved.ticket.description == need.description
    assert moved.ticket in Ticket.objects.filter(needs=moved)


def test_to_ticket_without_a_grid_is_refused_and_writes_nothing(world):
    need = make_need(world, NeedStatus.SUBMITTED, grid=None, scope_path=world.community.path)
    before = counts()
    with pytest.raises(ValidationError, match="网格"):
        need_transition(actor=world.worker, need=need, action="to_ticket", category=Category.objects.first().pk)
    assert counts() == before


def test_a_need_is_made_from_a_request_once(world):
    ticket = Ticket.objects.filter(scope_path__startswith=world.community.path).order_by("pk").first()
    need = need_from_ticket(actor=world.worker, ticket=ticket, category="care")
    assert (need.ticket, need.source, need.grid) == (ticket, NeedSource.TICKET, ticket.grid)
    assert need.community == world.community and need.status == NeedStatus.SUBMITTED
    before = counts()
    with pytest.raises(ValidationError, match="已转为需求"):
        need_from_ticket(actor=world.worker, ticket=ticket, category="care")
    with pytest.raises(OutOfScope):
        need_from_ticket(actor=persona("dougang_worker"), ticket=ticket, category="care")
    assert counts() == before


# --- resources, projects, matches -----------------------------------------------------------------


def test_a_liaison_publishes_their_units_resource_not_anothers(world):
    liaison = persona("unit_demo")
    resource = RESOURCES.create(actor=liaison, name="爱心车队", unit=world.unit, kind="volunteers").obj
    assert resource.area == world.unit.area and resource.scope_path == world.unit.area.path
    other = Resource.objects.exclude(unit=world.unit).select_related("unit").first().unit
    before = counts()
    with pytest.raises(OutOfScope, match="本单位"):
        RESOURCES.create(actor=liaison, name="越权", unit=other, kind="funds")
    assert counts() == before


def test_a_street_resource_is_matched_to_a_need_of_its_communities(world):
    need = make_need(world, NeedStatus.OPEN, category="legal")
    matches = selectors.suggested_resources(need, world.worker)
    assert matches and all(need.scope_path.startswith(r.scope_path) or r.scope_path.startswith(need.scope_path)
                           for r in matches)  # fmt: skip
    first_other = next((i for i, r in enumerate(matches) if r.category != "legal"), len(matches))
    assert all(r.category == "legal" for r in matches[:first_other])
    assert any(r.category == "legal" for r in matches)
    assert not [r for r in matches if not r.scope_path.startswith(world.community.path[:6])]
    resource = matches[0]
    assert need in selectors.suggested_needs(resource, world.worker)
    assert need not in selectors.suggested_needs(resource, persona("dougang_worker"))


def test_claiming_works_both_ways_through_projects(world):
    need = make_need(world, NeedStatus.OPEN, audience=Audience.UNITS)
    resource = Resource.objects.filter(unit=world.unit).order_by("pk").first()
    liaison = persona("unit_demo")
    offered = PROJECTS.create(actor=liaison, name="单位认领", need=need, resource=resource, owner="王").obj
    assert offered.proposed_by == ProposedBy.UNIT and offered.status == ProjectStatus.PROPOSED
    with pytest.raises(PermissionDenied):
        project_transition(actor=liaison, project=offered, action="accept")
    assert project_transition(actor=world.worker, project=offered, action="accept").status == ProjectStatus.ACTIVE
    other = make_need(world, NeedStatus.OPEN)
    asked = PROJECTS.create(actor=world.worker, name="社区申请", need=other, resource=resource, owner="李").obj
    assert asked.proposed_by == ProposedBy.COMMUNITY
    assert project_transition(actor=liaison, project=asked, action="accept").status == ProjectStatus.ACTIVE
    before = counts()
    with pytest.raises(ValidationError, match="已有进行中的项目"):
        PROJECTS.create(actor=world.worker, name="重复", need=other, resource=resource, owner="李")
    assert counts() == before


def test_a_liaison_cannot_offer_to_a_need_not_published_to_units(world):
    need = make_need(world, NeedStatus.OPEN, audience=Audience.MEMBERS)
    resource = Resource.objects.filter(unit=world.unit).order_by("pk").first()
    before = counts()
    with pytest.raises(OutOfScope):
        PROJECTS.create(actor=persona("unit_demo"), name="越权", need=need, resource=resource, owner="王")
    assert counts() == before


def test_milestones_and_the_evaluation(world):
    project = Project.objects.filter(scope_path__startswith=world.community.path, status="active").first()
    milestone = milestone_add(actor=world.worker, project=project, title="完成物资采购")
    with pytest.raises(OutOfScope):
        milestone_add(actor=persona("dougang_worker"), project=project, title="越权")
    milestone_done(actor=world.worker, milestone=milestone, at=timezone.now())
    with pytest.raises(ValidationError):
        milestone_done(actor=world.worker, milestone=Milestone.objects.get(pk=milestone.pk), at=timezone.now())
    with pytest.raises(ValidationError, match="项目评价"):
        project_transition(actor=world.worker, project=project, action="finish", evaluation="", score=3)
    done = project_transition(actor=world.worker, project=project, action="finish", evaluation="按期完成", score=5)
    assert (done.status, done.score) == (ProjectStatus.FINISHED, 5)


# --- demo -----------------------------------------------------------------------------------------


def test_the_demo_has_needs_in_every_state_and_member_demo_claimed_some():
    assert set(Need.objects.values_list("status", flat=True)) == set(NeedStatus.values)
    assert Need.objects.filter(claimed_by__username="member_demo").exists()
    assert Need.objects.filter(claimed_unit__members__username="unit_demo").exists()
    assert Need.objects.filter(confirmed_at__isnull=False, rating__isnull=False).exists()
    assert set(Project.objects.values_list("status", flat=True)) >= {"proposed", "active", "finished"}
    assert NeedEvent.objects.filter(action="claim").exists()


def test_publishing_tells_the_audience_after_commit(world, django_capture_on_commit_callbacks):
    need = make_need(world, NeedStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        need_transition(actor=world.worker, need=need, action="publish", audience="members")
    notice = Notice.objects.get(user=world.member, text__contains="新的需求待认领", target_id=need.pk)
    assert target_labels([notice])[notice.pk][0] == need.title  # the notices API names the need by its title
    assert not Notice.objects.filter(user__username="unit_demo", text__contains="新的需求待认领").exists()
    units_only = make_need(world, NeedStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        need_transition(actor=world.worker, need=units_only, action="publish", audience="units")
    assert Notice.objects.filter(user__username="unit_demo", target_id=units_only.pk).exists()
    assert not Notice.objects.filter(user=world.member, target_id=units_only.pk).exists()


def test_resources_are_imported_from_excel_created_updated_and_refused(world):

    # a unit named as the demo names them, with full-width brackets, which the sheet reader makes half-width
    library = Organisation.objects.create(
        kind="unit", name="南谯区图书馆（包保龙蟠街道）", area=world.unit.area, uscc=None
    )
    unit = library.name
    rows = [
        ["资源名称", "提供单位", "资源类型", "适用需求类别", "资源说明", "数量", "可用时间", "有效期至", "可用范围"],
        ["爱心理发", unit, "技能", "生活照料", "", "2", "每月 10 日", "", "文昌花园社区"],
        ["越权资源", unit, "场地", "", "", "1", "", "", "银花街道"],
        ["无名单位", "不存在的单位", "资金", "", "", "1", "", "", ""],
    ]
    job = run(persona("longpan_admin"), "resources", "resources.xlsx", xlsx_bytes(rows), mode="valid_rows")
    assert (job.created_rows, job.rejected_rows) == (1, 2), job.errors
    created = Resource.objects.get(name="爱心理发")
    assert created.scope_path == world.community.path and created.unit == library and created.quantity == 2
    assert not Resource.objects.filter(name__in=["越权资源", "无名单位"]).exists()
    again = run(persona("longpan_admin"), "resources", "resources.xlsx",
                xlsx_bytes([rows[0], ["爱心理发", unit, "技能", "", "改写", "2", "", "", "文昌花园社区"]]))  # fmt: skip
    assert again.updated_rows == 1 and Resource.objects.get(pk=created.pk).description == "改写"


# --- sibling scope of personal accounts ---------------------------------------------------------


def test_personal_accounts_get_404_for_needs_not_theirs(client, world):
    dougang = Need.objects.filter(scope_path__startswith=world.dougang.path, status="open").first()
    other_resident = make_need(world, NeedStatus.SUBMITTED, posted_by=None, recorded_by=world.worker)
    for username, need in [("member_demo", dougang), ("resident_demo", other_resident), ("unit_demo", other_resident)]:
        client.force_login(persona(username))
        assert client.get(f"/needs/{need.pk}/").status_code == 404, username
        assert client.get(f"/needs/{need.pk}/claim/").status_code == 404, username
    before = counts()
    with pytest.raises(OutOfScope):
        need_transition(actor=world.member, need=dougang, action="claim")
    assert counts() == before


def test_the_quarter_branch_reviews_the_needs_of_its_quarter_only(world):
    quarter = Area.objects.filter(kind="quarter", path__startswith=world.community.path).order_by("path").first()
    secretary = User.objects.create(username="quarter_test", display_name="小区书记")
    RoleGrant.objects.create(user=secretary, role="quarter_secretary", area=quarter)
    secretary = persona("quarter_test")
    mine = make_need(world, NeedStatus.SUBMITTED, quarter=quarter)
    other = make_need(world, NeedStatus.SUBMITTED)
    assert set(Need.objects.restrict(secretary).values_list("pk", flat=True)) >= {mine.pk}
    assert not Need.objects.restrict(secretary).filter(pk=other.pk).exists()
    assert need_transition(actor=secretary, need=mine, action="publish", audience="members").status == NeedStatus.OPEN
    before = counts()
    with pytest.raises(OutOfScope):
        need_transition(actor=secretary, need=other, action="publish", audience="members")
    assert counts() == before


def test_a_residents_need_carries_their_quarter(world):
    need = NEEDS.create(actor=world.resident, title="修楼道灯", category="repair", description="灯坏了").obj
    resident = world.resident.resident
    assert need.quarter_id == resident.household.building.quarter_id
