"""Joint meetings (联席会议: agenda carried over, convener, sign-in) and action items (议定事项) on the engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiceng.committee import selectors
from jiceng.committee.choices import ActionStatus
from jiceng.committee.models import (
    ActionItem,
    ActionItemEvent,
    CommitteeUnit,
    JointMeeting,
    MeetingAttendance,
    PartTimeMember,
)
from jiceng.committee.services import meeting_sign_in, notify_overdue
from jiceng.committee.workflow import ACTION_ITEMS, action_item_transition
from jiceng.core.entities import entity_for
from jiceng.core.errors import Conflict, OutOfScope
from jiceng.core.tests.helpers import writes_nothing
from jiceng.notices.models import Notice
from jiceng.party.models import PartyOrg
from jiceng.testing.personas import persona
from jiceng.testing.workflow import WorkflowMatrix

from .helpers import ITEMS, api, committee, last_meeting, make_item, units

pytestmark = pytest.mark.django_db
MEETINGS = entity_for(JointMeeting).service
TODAY = timezone.localdate()


# --- meetings -----------------------------------------------------------------------------------------------


def test_a_new_meeting_starts_with_the_open_items_of_the_last_and_its_chair_convenes(personas):
    c = committee()
    last = last_meeting()
    make_item(meeting=last, name="修缮小区围墙")
    done = make_item("done", name="已办结的事项")
    open_items = list(last.action_items.filter(status__in=["open", "in_progress"]))
    assert open_items and done.meeting_id == last.pk
    meeting = MEETINGS.create(
        actor=personas.wenchang_worker, committee=c, name="第四次联席会议", date=TODAY, venue="社区党群服务中心",
        agenda="二、研究下季度共建项目",
    ).obj  # fmt: skip
    assert set(meeting.carried_items.all()) == set(open_items)
    assert meeting.agenda.startswith("一、上次会议议定事项办理情况\n1. ")
    assert "修缮小区围墙" in meeting.agenda and "已办结的事项" not in meeting.agenda
    assert meeting.agenda.endswith("二、研究下季度共建项目")
    assert meeting.convener_id == selectors.duty_on(c, TODAY).chair_id


def test_meeting_refusals_write_nothing(personas):
    c = committee()
    branch = c.children.first()
    with writes_nothing(), pytest.raises(ValidationError, match="只能选择社区大党委或街道大工委"):
        MEETINGS.create(actor=personas.wenchang_worker, committee=branch, name="x", date=TODAY, venue="x")
    with writes_nothing(), pytest.raises(OutOfScope):
        MEETINGS.create(actor=personas.dougang_worker, committee=c, name="x", date=TODAY, venue="x")


def test_sign_in_once_by_members_of_the_committee_in_office(personas):
    actor = personas.wenchang_worker
    meeting = last_meeting()
    present = set(meeting.attendance.values_list("member_id", flat=True))
    member = selectors.active_members(meeting.committee, meeting.date).exclude(pk__in=present).first()
    row = meeting_sign_in(actor=actor, meeting=meeting, member=member)
    assert row.scope_path == meeting.scope_path and row.signed_by == actor
    with writes_nothing(), pytest.raises(ValidationError, match="已签到"):
        meeting_sign_in(actor=actor, meeting=meeting, member=member)
    stranger = PartTimeMember.objects.filter(committee=committee("陡岗社区")).first()
    with writes_nothing(), pytest.raises(ValidationError, match="不是本大党委的兼职委员"):
        meeting_sign_in(actor=actor, meeting=meeting, member=stranger)
    retired = PartTimeMember.objects.filter(committee=meeting.committee).exclude(pk=member.pk).first()
    PartTimeMember.objects.filter(pk=retired.pk).update(term_end=meeting.date - dt.timedelta(days=1))
    retired.refresh_from_db()
    with writes_nothing(), pytest.raises(ValidationError, match="不在任期内"):
        meeting_sign_in(actor=actor, meeting=meeting, member=retired)
    with writes_nothing(), pytest.raises(OutOfScope):
        meeting_sign_in(actor=personas.dougang_worker, meeting=meeting, member=retired)


def test_meeting_page_and_sign_in_page(client, login):
    meeting = last_meeting()
    member = (
        selectors.active_members(meeting.committee, meeting.date)
        .exclude(pk__in=meeting.attendance.values("member_id"))
        .first()
    )
    login("wenchang_worker")
    page = client.get(meeting.get_absolute_url())
    assert page.status_code == 200 and "本次议定事项" in page.content.decode()
    url = f"/committee/meetings/{meeting.pk}/sign-in/"
    assert member.name in client.get(url).content.decode()
    assert client.post(url, {"member": member.pk}).status_code == 302
    assert MeetingAttendance.objects.filter(meeting=meeting, member=member).exists()
    again = client.post(url, {"member": member.pk})
    assert again.status_code == 400 and "已签到" in again.content.decode()
    login("grid_wc01")
    assert client.post(url, {"member": member.pk}).status_code in (403, 404)


# --- action item rules ----------------------------------------------------------------------------------------


def test_action_item_rules_refuse_and_write_nothing(personas):
    actor = personas.wenchang_worker
    meeting = last_meeting()
    unit = units()[0]
    member = PartTimeMember.objects.filter(committee=meeting.committee).first()
    stranger = PartTimeMember.objects.filter(committee=committee("陡岗社区")).first()
    base = {"meeting": meeting, "name": "x", "deadline": meeting.date + dt.timedelta(days=10)}
    cases = [
        ({"owner_unit": unit, "owner_member": member}, "只填其一"),
        ({}, "只填其一"),
        ({"owner_unit": unit, "deadline": meeting.date - dt.timedelta(days=1)}, "不能早于会议日期"),
    ]
    for extra, message in cases:
        with writes_nothing(), pytest.raises(ValidationError, match=message):
            ITEMS.create(actor=actor, **{**base, **extra})
    with writes_nothing(), pytest.raises(ValidationError, match="须为本大党委的兼职委员"):
        ITEMS.create(actor=personas.qu_admin, **{**base, "owner_member": stranger})
    ok = ITEMS.create(actor=actor, **{**base, "owner_member": member}).obj
    assert ok.status == "open" and ok.scope_path == meeting.scope_path
    done = make_item("done")
    with writes_nothing(), pytest.raises(ValidationError, match="不能修改"):
        ITEMS.update(actor=actor, obj=done, name="改")
    started = make_item()
    action_item_transition(actor=actor, item=started, action="start")
    with writes_nothing(), pytest.raises(ValidationError, match="不能删除"):
        ITEMS.delete(actor=actor, obj=started)
    ITEMS.delete(actor=actor, obj=make_item())


def test_payload_is_required_and_a_second_completion_is_a_conflict(personas):
    actor = personas.wenchang_worker
    item = make_item()
    with writes_nothing(), pytest.raises(ValidationError, match="请填写办理结果"):
        action_item_transition(actor=actor, item=item, action="complete", result="  ")
    with writes_nothing(), pytest.raises(ValidationError):
        action_item_transition(actor=actor, item=item, action="complete", result="好", bogus=1)
    done = action_item_transition(actor=actor, item=item, action="complete", result="已修好")
    assert (done.status, done.result) == ("done", "已修好") and done.done_at is not None
    with writes_nothing(), pytest.raises(Conflict):
        action_item_transition(actor=actor, item=item, action="complete", result="再次")


def test_the_owner_units_liaison_moves_the_item_but_cannot_cancel(personas, django_capture_on_commit_callbacks):
    liaison = personas.unit_demo
    unit = CommitteeUnit.objects.get(pk=liaison.organisations.get().pk)
    c = PartyOrg.objects.get(is_big_committee=True, area=unit.area)  # the unit serves a street: its 大工委
    meeting = JointMeeting.objects.filter(committee=c).order_by("-date").first()
    item = ITEMS.create(
        actor=personas.qu_admin, meeting=meeting, name="联络员的事项", owner_unit=unit,
        deadline=meeting.date + dt.timedelta(days=5),
    ).obj  # fmt: skip
    body = api(liaison).get("/api/v1/action-items/").json()
    assert item.pk in {r["id"] for r in body["results"]}
    assert "start" in ACTION_ITEMS.allowed_actions(liaison, item)
    assert "cancel" not in ACTION_ITEMS.allowed_actions(liaison, item)
    with django_capture_on_commit_callbacks(execute=True):
        action_item_transition(actor=liaison, item=item, action="start")
    with writes_nothing(), pytest.raises(PermissionDenied):
        action_item_transition(actor=liaison, item=item, action="cancel", reason="不想办")
    with django_capture_on_commit_callbacks(execute=True):
        action_item_transition(actor=personas.qu_admin, item=item, action="cancel", reason="合并办理")
    assert Notice.objects.filter(user=liaison, text__contains="已取消").exists()


def test_overdue_items_notify_their_owners_once_and_count(personas, django_capture_on_commit_callbacks):
    unit = units()[0]
    unit.members.add(personas.wenchang_worker)
    item = make_item(owner_unit=unit)
    ActionItem.objects.filter(pk=item.pk).update(deadline=TODAY - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_overdue() >= 1
    notice = Notice.objects.filter(user=personas.wenchang_worker, text__contains="逾期提醒").latest("pk")
    assert item.name in notice.text
    with django_capture_on_commit_callbacks(execute=True):
        notify_overdue()
    assert Notice.objects.filter(user=personas.wenchang_worker, text=notice.text).count() == 1
    body = api(personas.wenchang_worker).get("/api/v1/stats/").json()
    mine = ActionItem.objects.filter(scope_path__startswith=committee().scope_path)
    assert body["action_items_open"] == mine.filter(status__in=["open", "in_progress"]).count()
    assert body["action_items_overdue"] == mine.filter(selectors.overdue_q()).count() >= 1


# --- the table-driven tests of the life cycle -------------------------------------------------------------------

PAYLOADS = {"progress": {"note": "已协调物业"}, "complete": {"result": "已办结"}, "cancel": {"reason": "合并办理"}}


def _setup(fx, transition, state):
    return make_item(state), persona("wenchang_worker"), dict(PAYLOADS.get(transition.action, {}))


MATRIX = WorkflowMatrix(
    ACTION_ITEMS,
    fixtures=("personas",),
    setup=_setup,
    make=lambda fx, state: make_item(state),
    actor=persona,
    refused={"owner": ["dougang_worker", "grid_wc01", "unit_demo"], "manager": ["dougang_worker", "unit_demo"]},
    stale_actor="wenchang_worker",
)
test_allowed, test_wrong_state, test_wrong_actor = MATRIX.tests()


def test_every_state_is_reachable_and_events_are_kept(personas):
    item = make_item()
    actor = personas.wenchang_worker
    action_item_transition(actor=actor, item=item, action="start")
    action_item_transition(actor=actor, item=item, action="progress", note="进展")
    action_item_transition(actor=actor, item=item, action="complete", result="完成")
    assert list(ActionItemEvent.objects.filter(item=item).values_list("action", "to_status")) == [
        ("start", ActionStatus.IN_PROGRESS), ("progress", ActionStatus.IN_PROGRESS), ("complete", ActionStatus.DONE),
    ]  # fmt: skip


def test_the_add_pages_take_the_meeting_or_committee_from_the_link(client, login):
    meeting = last_meeting()
    login("wenchang_worker")
    form = client.get(f"/committee/items/add/?meeting={meeting.pk}").context["form"]
    assert form.initial["meeting"] == str(meeting.pk)
    sibling = JointMeeting.objects.filter(committee=committee("陡岗社区")).first()
    page = client.get(f"/committee/items/add/?meeting={sibling.pk}")
    assert page.status_code == 200 and sibling.name not in page.content.decode()
    assert client.get(f"/committee/meetings/add/?committee={committee().pk}").context["form"].initial == {
        "committee": str(committee().pk)
    }


def test_a_new_item_is_a_todo_for_its_owner(personas, django_capture_on_commit_callbacks):
    unit = units()[0]
    unit.members.add(personas.dougang_worker)  # any account of the unit; it need not see the committee
    with django_capture_on_commit_callbacks(execute=True):
        item = make_item(owner_unit=unit, name="新事项通知")
    notice = Notice.objects.get(user=personas.dougang_worker, text__contains="新事项通知")
    assert notice.kind == "todo" and notice.target_id == item.pk
