"""The demo of the big Party committee at test scale."""

import pytest

from jiceng.committee.choices import ActionStatus
from jiceng.committee.models import (
    ActionItem,
    DutyRoster,
    JointMeeting,
    PartTimeMember,
    WorkerAssessment,
    WorkerHistory,
)
from jiceng.party.models import PartyOrg
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db

SIBLINGS = ("银花街道", "龙蟠街道", "陡岗社区", "文昌花园社区")


def test_every_big_committee_has_members_a_contiguous_roster_and_meetings():
    committees = PartyOrg.objects.filter(is_big_committee=True)
    assert committees.count() == 15
    for committee in committees:
        assert PartTimeMember.objects.filter(committee=committee).count() >= 3
        periods = list(DutyRoster.objects.filter(committee=committee).order_by("start"))
        assert len(periods) >= 6
        assert all((b.start - a.end).days == 1 for a, b in zip(periods, periods[1:], strict=False))
        n = JointMeeting.objects.filter(committee=committee).count()
        assert n in ((2, 3) if committee.area.kind == "community" else (1, 2))


def test_items_in_every_state_and_rows_below_each_sibling_node():
    assert set(ActionItem.objects.values_list("status", flat=True)) == set(ActionStatus.values)
    assert ActionItem.objects.filter(status=ActionStatus.IN_PROGRESS, overdue_notified_at__isnull=True).exists()
    for name in SIBLINGS:
        path = Area.objects.get(name=name).path
        for model in (PartTimeMember, DutyRoster, JointMeeting, ActionItem, WorkerAssessment, WorkerHistory):
            assert model.objects.filter(scope_path__startswith=path).exists(), (name, model)


def test_a_later_meeting_carries_the_open_items_of_the_one_before():
    carried = JointMeeting.objects.filter(carried_items__isnull=False).distinct()
    assert carried.exists()
    meeting = carried.first()
    assert meeting.agenda.startswith("一、上次会议议定事项办理情况")
    assert all(i.status in ("open", "in_progress") for i in meeting.carried_items.all())
