"""Intake, routing, duplicates and merge, the whole loop, 发回重办, 吹哨报到, extensions and 挂账."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiceng.core.errors import Conflict
from jiceng.notices.models import Notice
from jiceng.territory.models import Area, Building
from jiceng.tickets.choices import Channel, Status, SuperviseLevel
from jiceng.tickets.models import Ticket, TicketAction
from jiceng.tickets.selectors import haversine_m, suggest_duplicates
from jiceng.tickets.services import route_location, ticket_create, ticket_transition
from jiceng.tickets.tests.conftest import centre, user
from jiceng.tickets.workflow import allowed_actions

pytestmark = pytest.mark.django_db


def go(username, ticket, action, **payload):
    return ticket_transition(actor=user(username), ticket=ticket, action=action, **payload)


# --- routing -----------------------------------------------------------------------------------


def test_routing_at_a_polygon_edge_is_deterministic(world):
    """A point on the edge shared by two grids goes to the grid with the smaller code; just inside the
    neighbour it goes to the neighbour."""
    grid = world.grid
    neighbour = Area.objects.get(kind="grid", min_lng=grid.max_lng, min_lat=grid.min_lat)
    lat = (grid.min_lat + grid.max_lat) / 2
    assert route_location(lng=grid.max_lng, lat=lat)[0] == min(grid, neighbour, key=lambda g: g.code)
    assert route_location(lng=grid.max_lng + 1e-6, lat=lat)[0] == neighbour
    assert route_location(lng=grid.max_lng - 1e-6, lat=lat)[0] == grid


def test_routing_by_building_and_outside_every_grid(world):
    building = Building.objects.filter(grid=world.grid2).first()
    assert route_location(building=building.pk)[:2] == (world.grid2, building)
    with pytest.raises(ValidationError) as exc:
        route_location(lng=100.0, lat=20.0)
    assert "不在本区任何网格内" in exc.value.message_dict["lng"][0]
    with pytest.raises(ValidationError):
        route_location()


def test_resident_submits_and_it_reaches_the_grid_workers(world, django_capture_on_commit_callbacks):
    lng, lat = centre(world.grid)
    with django_capture_on_commit_callbacks(execute=True):
        result = ticket_create(
            actor=user("resident_demo"), category=world.complaint.pk, description="楼道灯坏了", lng=lng, lat=lat,
            channel=Channel.HOTLINE,  # a resident cannot pretend to be the hotline
        )  # fmt: skip
    t = result.obj
    assert (t.status, t.grid, t.handler_org, t.channel) == (
        Status.PENDING_ACCEPT,
        world.grid,
        world.grid_org,
        "resident",
    )
    assert t.reporter_user == user("resident_demo") and t.recorded_by is None
    assert t.ticket_no.startswith(timezone.localdate().strftime("%Y%m%d")) and len(t.ticket_no) == 12
    assert t.reporter_phone_hash  # the resident's own phone was taken over, hashed for lookup
    assert list(t.actions.values_list("action", "from_status", "to_status")) == [("submit", "draft", "pending_accept")]
    assert Notice.objects.for_target(t).filter(user=user("grid_wc01"), kind="todo").count() == 1
    assert not Notice.objects.for_target(t).filter(user=user("grid_wc02")).exists()


def test_staff_record_hotline_tickets_and_anonymous_needs_a_phone(world):
    lng, lat = centre(world.grid)
    with pytest.raises(ValidationError) as exc:
        ticket_create(actor=user("wenchang_worker"), channel=Channel.HOTLINE, category=world.complaint.pk,
                      description="噪音", lng=lng, lat=lat)  # fmt: skip
    assert "12345" in exc.value.message_dict["external_id"][0]
    t = ticket_create(
        actor=user("wenchang_worker"), channel=Channel.HOTLINE, external_id="12345-0001", category=world.complaint.pk,
        description="噪音", lng=lng, lat=lat, reporter_name="李四", reporter_phone="13800001111",
    ).obj  # fmt: skip
    assert t.recorded_by == user("wenchang_worker") and t.reporter_user is None
    with pytest.raises(ValidationError):  # the same hotline number twice
        ticket_create(actor=user("wenchang_worker"), channel=Channel.HOTLINE, external_id="12345-0001",
                      category=world.complaint.pk, description="噪音", lng=lng, lat=lat)  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        ticket_create(actor=None, category=world.complaint.pk, description="噪音", lng=lng, lat=lat)
    assert "手机号码" in exc.value.message_dict["reporter_phone"][0]
    anon = ticket_create(actor=None, category=world.complaint.pk, description="噪音", lng=lng, lat=lat,
                         reporter_phone="13800002222", anonymous=True).obj  # fmt: skip
    assert anon.status == Status.PENDING_ACCEPT and anon.anonymous


def test_staff_cannot_record_outside_their_subtree(world):
    lng, lat = centre(world.yinhua_grid)
    with pytest.raises(PermissionDenied):
        ticket_create(actor=user("longpan_admin"), category=world.event.pk, description="井盖缺失", lng=lng, lat=lat)
    assert not Ticket.objects.filter(description="井盖缺失").exists()


# --- duplicates and merge ----------------------------------------------------------------------


def test_duplicates_same_grid_category_recent_and_near(world, make_ticket):
    lng, lat = centre(world.grid)
    base = make_ticket(Status.PENDING_ACCEPT, lng=lng, lat=lat)
    near = make_ticket(Status.ACCEPTED, lng=lng + 0.0005, lat=lat)  # ~47 m east
    far = make_ticket(Status.ACCEPTED, lng=lng + 0.002, lat=lat)  # ~190 m
    other_cat = make_ticket(Status.ACCEPTED, lng=lng, lat=lat, category=world.event)
    closed = make_ticket(Status.CLOSED, lng=lng, lat=lat)
    old = make_ticket(Status.ACCEPTED, lng=lng, lat=lat, submitted_at=timezone.now() - dt.timedelta(days=30))
    assert 40 < haversine_m(lng, lat, lng + 0.0005, lat) < 50
    found = suggest_duplicates(base)
    assert [t.pk for t in found] == [near.pk]
    assert all(t.pk not in {far.pk, other_cat.pk, closed.pk, old.pk} for t in found)


def test_merge_into_an_open_ticket_only(world, make_ticket):
    target, dup = make_ticket(Status.IN_PROGRESS), make_ticket(Status.PENDING_ACCEPT)
    closed = make_ticket(Status.CLOSED)
    with pytest.raises(ValidationError) as exc:
        go("grid_wc01", dup, "merge", into=closed.pk)
    assert "未办结" in exc.value.message_dict["into"][0]
    with pytest.raises(ValidationError):
        go("grid_wc01", dup, "merge", into=dup.pk)
    result = go("grid_wc01", dup, "merge", into=target.pk)
    assert (result.status, result.merged_into_id) == (Status.MERGED, target.pk)
    assert target.actions.filter(action="merged_in").count() == 1


# --- the loop ----------------------------------------------------------------------------------


def test_whole_loop_and_verification_by_a_different_user(world, django_capture_on_commit_callbacks):
    lng, lat = centre(world.grid)
    with django_capture_on_commit_callbacks(execute=True):
        t = ticket_create(actor=user("resident_demo"), category=world.complaint.pk, description="占道堆物",
                          lng=lng, lat=lat).obj  # fmt: skip
        t = go("grid_wc01", t, "accept")
        assert t.sla_due_at is not None and t.sla_due_at > timezone.now()
        t = go("grid_wc01", t, "dispatch", lead_org=world.grid_org.pk, co_orgs=[world.dept.pk], sla_days=5)
        t = go("grid_wc01", t, "sign")
        t = go("grid_wc01", t, "progress", comment="已联系当事人")
        t = go("grid_wc01", t, "complete", reply="已清理完毕")
        assert "verify_pass" not in allowed_actions(user("grid_wc01"), t)
        with pytest.raises(PermissionDenied):
            go("grid_wc01", t, "verify_pass")
        assert "verify_pass" in allowed_actions(user("wenchang_worker"), t)
        t = go("wenchang_worker", t, "verify_pass")
        t = go("resident_demo", t, "callback_rate", satisfaction="satisfied", comment="很好")
        t = go("wenchang_worker", t, "archive")
    assert t.status == Status.ARCHIVED
    assert list(t.actions.values_list("action", flat=True)) == [
        "submit", "accept", "dispatch", "sign", "progress", "complete", "verify_pass", "callback_rate", "archive",
    ]  # fmt: skip
    resident_texts = list(
        Notice.objects.for_target(t).filter(user=user("resident_demo")).values_list("text", flat=True)
    )
    assert len(resident_texts) >= 5 and any("请对办理结果作出评价" in x for x in resident_texts)
    assert Notice.objects.for_target(t).filter(user=user("dept_chengguan"), text__contains="协办").count() == 1


def test_verify_fail_reopens(world, make_ticket):
    t = go("wenchang_worker", make_ticket(Status.RESOLVED), "verify_fail", reason="现场仍有杂物")
    assert (t.status, t.reopen_count) == (Status.IN_PROGRESS, 1)


def test_unsatisfied_sends_back_with_supervision(world, make_ticket):
    t = go("resident_demo", make_ticket(Status.CLOSED), "callback_rate", satisfaction="unsatisfied", comment="没解决")
    assert (t.status, t.reopen_count, t.supervise_level) == (Status.IN_PROGRESS, 1, SuperviseLevel.NORMAL)
    assert t.handler_org == world.grid_org and t.closed_at is None and t.sla_due_at > timezone.now()
    event = t.actions.latest("id")
    assert (event.from_status, event.to_status, event.data["sent_back"]) == ("closed", "in_progress", True)
    # A second 不满意 after redoing raises the level again.
    t = go("grid_wc01", t, "complete", reply="再次处理")
    t = go("wenchang_worker", t, "verify_pass")
    t = go("wenchang_worker", t, "callback_rate", satisfaction="unsatisfied")
    assert (t.reopen_count, t.supervise_level) == (2, SuperviseLevel.YELLOW)
    # 不满意 but not 属实合理: recorded, no reopening.
    t2 = go(
        "wenchang_worker", make_ticket(Status.CLOSED), "callback_rate", satisfaction="unsatisfied", reasonable=False
    )
    assert (t2.status, t2.satisfaction, t2.reopen_count) == (Status.EVALUATED, "unsatisfied", 0)


def test_archive_without_rating_needs_three_unanswered_callbacks(world, make_ticket):
    t = make_ticket(Status.CLOSED)
    for attempt in (1, 2):
        t = go("wenchang_worker", t, "record_callback_attempt", comment=f"第{attempt}次未接通")
        with pytest.raises(Conflict, match="三次回访未接通"):
            go("wenchang_worker", t, "archive")
    t = go("wenchang_worker", t, "record_callback_attempt")
    assert go("wenchang_worker", t, "archive").status == Status.ARCHIVED


def test_escalate_whistle_and_report(world, make_ticket, django_capture_on_commit_callbacks):
    t = make_ticket(Status.ACCEPTED)
    with pytest.raises(ValidationError):  # not a higher org
        go("grid_wc01", t, "escalate", to_org=world.grid2_org.pk, reason="x")
    t = go("grid_wc01", t, "escalate", to_org=world.street_org.pk, reason="需街道协调")  # skip-level is allowed
    assert (t.status, t.handler_org) == (Status.ACCEPTED, world.street_org)
    assert Ticket.objects.restrict(user("dept_chengguan")).filter(pk=t.pk).count() == 0
    with pytest.raises(Conflict, match="只有街道或社区可以吹哨"):
        go("qu_admin", make_ticket(Status.ACCEPTED), "whistle", department=world.dept.pk,
           deadline=timezone.now() + dt.timedelta(days=1), reason="x")  # fmt: skip
    deadline = timezone.now() + dt.timedelta(hours=24)
    with django_capture_on_commit_callbacks(execute=True):
        t = go("longpan_admin", t, "whistle", department=world.dept.pk, deadline=deadline, reason="占道经营需执法")
    assert (t.handler_org, t.whistle_org, t.dispatcher_org) == (world.dept, world.dept, world.street_org)
    assert Notice.objects.for_target(t).filter(user=user("dept_chengguan"), text__contains="报到").exists()
    # The department now sees it, and only it may report.
    assert Ticket.objects.restrict(user("dept_chengguan")).filter(pk=t.pk).exists()
    assert "report" in allowed_actions(user("dept_chengguan"), t)
    assert "report" not in allowed_actions(user("longpan_admin"), t)
    t = go("dept_chengguan", t, "report")
    assert (t.status, t.lead_org, t.whistle_reported_at is not None) == (Status.IN_PROGRESS, world.dept, True)
    assert t.actions.latest("id").data == {"on_time": True}
    # A department may not hand its matter down to a community (12345 guidance).
    t = go("dept_chengguan", t, "return", reason="需街道改派")
    assert t.handler_org == world.street_org


def test_department_cannot_dispatch_down(world, make_ticket):
    t = make_ticket(Status.ACCEPTED, handler_org=world.dept)
    with pytest.raises(ValidationError) as exc:
        go("dept_chengguan", t, "dispatch", lead_org=world.community_org.pk)
    assert "不得下派" in exc.value.message_dict["lead_org"][0]


def test_extension_must_be_requested_before_due_and_approved(world, make_ticket):
    now = timezone.now()
    late = make_ticket(Status.IN_PROGRESS, sla_due_at=now - dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="到期前"):
        go("grid_wc01", late, "request_extension", reason="等材料", until=now + dt.timedelta(days=3))
    t = make_ticket(Status.IN_PROGRESS)
    with pytest.raises(ValidationError):  # not later than the current limit
        go("grid_wc01", t, "request_extension", reason="等材料", until=t.sla_due_at - dt.timedelta(days=1))
    until = t.sla_due_at + dt.timedelta(days=5)
    t = go("grid_wc01", t, "request_extension", reason="等材料", until=until.isoformat())
    assert t.extension_pending and "request_extension" not in allowed_actions(user("grid_wc01"), t)
    with pytest.raises(PermissionDenied):  # nobody approves their own request
        go("grid_wc01", t, "approve_extension")
    with pytest.raises(PermissionDenied):  # nor a peer grid
        go("grid_wc02", t, "approve_extension")
    t = go("wenchang_worker", t, "approve_extension")
    assert (t.extended_until, t.extension_pending, t.due_at) == (until, False, until)


def test_suspension_stops_the_clock(world, make_ticket):
    due = timezone.now() + dt.timedelta(days=3)
    t = make_ticket(Status.IN_PROGRESS, sla_due_at=due)
    t = go("grid_wc01", t, "apply_suspend", reason="历史遗留")
    t = go("wenchang_worker", t, "approve_suspend")
    assert t.status == Status.SUSPENDED
    Ticket.objects.filter(pk=t.pk).update(suspended_at=timezone.now() - dt.timedelta(days=14))
    t = go("wenchang_worker", Ticket.objects.get(pk=t.pk), "resume")
    paused = t.actions.latest("id").data["paused_workdays"]
    assert paused >= 8 and t.sla_due_at > due


def test_withdraw_only_by_the_reporter_before_acceptance(world, make_ticket):
    t = go("resident_demo", make_ticket(Status.PENDING_ACCEPT), "withdraw", comment="已解决")
    assert t.status == Status.CANCELLED
    with pytest.raises(Conflict):
        go("resident_demo", make_ticket(Status.ACCEPTED), "withdraw")


def test_stale_second_action_conflicts_and_writes_nothing(world, make_ticket):
    """Two people act on the same ticket: the second (holding a stale copy) gets a Conflict."""
    t = make_ticket(Status.PENDING_ACCEPT)
    stale = Ticket.objects.get(pk=t.pk)
    go("grid_wc01", t, "accept")
    events = TicketAction.objects.filter(ticket=t).count()
    before = Ticket.objects.filter(pk=t.pk).values().get()
    with pytest.raises(Conflict, match="当前状态不允许此操作"):
        go("wenchang_worker", stale, "reject", reason="信息不全")
    assert TicketAction.objects.filter(ticket=t).count() == events
    assert Ticket.objects.filter(pk=t.pk).values().get() == before


def test_allowed_actions_follow_role_and_state(world, make_ticket):
    t = make_ticket(Status.PENDING_ACCEPT)
    assert allowed_actions(user("grid_wc01"), t) == ["accept", "reject", "merge"]
    assert allowed_actions(user("resident_demo"), t) == ["withdraw"]
    assert set(allowed_actions(user("wenchang_worker"), t)) == {
        "accept", "reject", "merge", "close_forcibly", "supervise", "instruct",
    }  # fmt: skip
    assert allowed_actions(user("yinhua_admin"), t) == []
