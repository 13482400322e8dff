"""Writes of the big Party committee and of the community workers' records.

The declared entities' rules live in their ``EntityService`` subclasses (``validate``, ``after_save``);
the other writes (generating a roster, signing in at a meeting, the periodic notices) are functions here.
A refused write raises before anything is saved, inside one transaction: nothing is written.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiceng.audit.services import audit_record, snapshot
from jiceng.core import counting
from jiceng.core.entities import EntityService, entity_for
from jiceng.core.services import require_scope
from jiceng.notices.choices import NotificationKind
from jiceng.notices.services import notify
from jiceng.party import services as party
from jiceng.party.choices import SeatRole
from jiceng.party.models import PartyOrg
from jiceng.people.choices import Qualification, WorkerGrade, WorkerPost

from . import selectors
from .choices import GRADE_MIN_TOTAL, OPEN_STATES, AssessmentGrade, DutyPeriod, HistoryKind
from .models import (
    ActionItem,
    DutyRoster,
    JointMeeting,
    MeetingAttendance,
    PartTimeMember,
    period_end,
)

#: Days before a hand-over that the next chairing unit is told (the daily job ``notify_handover``).
HANDOVER_NOTICE_DAYS = 7
QUARTER_MONTHS = (1, 4, 7, 10)


def _require_big_committee(committee) -> None:
    if committee is not None and not committee.is_big_committee:
        raise ValidationError({"committee": "只能选择社区大党委或街道大工委。"})


def _require_unit(org, field: str) -> None:
    if org is not None and org.kind != "unit":
        raise ValidationError({field: "只能选择共建单位。"})


# --- 兼职委员 --------------------------------------------------------------------------------------------


class PartTimeMemberService(EntityService):
    """A part-time member; one who is on the Party register also holds the committee's ``part_time`` seat
    (``party.CommitteeSeat``), created and ended with the member's term through the party services."""

    def validate(self, obj, *, actor):
        _require_big_committee(obj.committee)
        _require_unit(obj.unit, "unit")
        if obj.term_end and obj.term_start and obj.term_end < obj.term_start:
            raise ValidationError({"term_end": "任期结束不能早于任期开始。"})
        clash = PartTimeMember.objects.filter(committee=obj.committee, unit=obj.unit, name=obj.name).exclude(pk=obj.pk)
        for other in clash:
            if other.term_start <= (obj.term_end or dt.date.max) and obj.term_start <= (other.term_end or dt.date.max):
                raise ValidationError({"name": "该单位的此人在本大党委已有任期重叠的兼职委员记录。"})

    def create(self, *, actor, **data):
        with transaction.atomic():
            result = super().create(actor=actor, **data)
            self._sync_seat(actor, result.obj)
            return result

    def update(self, *, actor, obj, **data):
        with transaction.atomic():
            result = super().update(actor=actor, obj=obj, **data)
            self._sync_seat(actor, result.obj)
            return result

    def _sync_seat(self, actor, obj: PartTimeMember) -> None:
        seat = obj.seat
        if obj.member_id and seat is None:
            seat = party.seat_create(
                actor=actor, org=obj.committee, member=obj.member, role=SeatRole.PART_TIME,
                start=obj.term_start, end=obj.term_end,
            ).obj  # fmt: skip
            PartTimeMember.objects.filter(pk=obj.pk).update(seat=seat)
            obj.seat = seat
        elif seat is not None:
            wanted = {"start": obj.term_start, "end": obj.term_end, "member": obj.member}
            if obj.member_id is None:  # no longer linked to the register: the seat ends with the link
                wanted = {"end": min(timezone.localdate(), obj.term_end or dt.date.max), "member": seat.member}
            changes = {k: v for k, v in wanted.items() if getattr(seat, k) != v}
            if changes:
                party.seat_update(actor=actor, seat=seat, **changes)
            if obj.member_id is None:
                PartTimeMember.objects.filter(pk=obj.pk).update(seat=None)
                obj.seat = None


# --- 轮值 ------------------------------------------------------------------------------------------------


def _period_start_error(start: dt.date, period: str) -> str:
    if start.day != 1:
        return "起始日期须为某月的 1 日。"
    if period == DutyPeriod.QUARTER and start.month not in QUARTER_MONTHS:
        return "按季度轮值的起始日期须为 1 月、4 月、7 月或 10 月的 1 日。"
    return ""


def _neighbours(obj: DutyRoster):
    others = DutyRoster.objects.filter(committee_id=obj.committee_id).exclude(pk=obj.pk)
    before = others.filter(start__lt=obj.start).order_by("-start").first()
    after = others.filter(start__gt=obj.start).order_by("start").first()
    return before, after


def _lock_committee(pk) -> None:
    PartyOrg.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).first()


class DutyRosterService(EntityService):
    """One period of the roster. The periods of a committee stay contiguous: a new or moved period must
    begin the day after the one before it and end the day before the one after it; only the first or the
    last period may be deleted."""

    def validate(self, obj, *, actor):
        _require_big_committee(obj.committee)
        _require_unit(obj.chair, "chair")
        if not obj.start or not obj.period:
            return
        _lock_committee(obj.committee_id)  # one roster write per committee at a time: the neighbours stay true
        error = _period_start_error(obj.start, obj.period)
        if error:
            raise ValidationError({"start": error})
        obj.end = period_end(obj.start, obj.period)
        if obj.chair_id and obj.committee_id:
            if not selectors.committee_units(obj.committee, obj.start).filter(pk=obj.chair_id).exists():
                raise ValidationError({"chair": "轮值单位须为本大党委有在任兼职委员的共建单位。"})
        before, after = _neighbours(obj)
        if before is not None and before.end >= obj.start or after is not None and after.start <= obj.end:
            raise ValidationError({"start": "与已有的轮值安排时间重叠。"})
        if before is not None and before.end + dt.timedelta(days=1) != obj.start:
            raise ValidationError({"start": f"与上一期（至 {before.end:%Y-%m-%d}）之间有空档，轮值须前后相接。"})
        if after is not None and obj.end + dt.timedelta(days=1) != after.start:
            raise ValidationError({"start": f"与下一期（自 {after.start:%Y-%m-%d}）之间有空档，轮值须前后相接。"})

    def delete(self, *, actor, obj):
        with transaction.atomic():
            obj = DutyRoster.objects.select_for_update().get(pk=obj.pk)
            require_scope(actor, DutyRoster, "delete", obj.scope_path)
            _lock_committee(obj.committee_id)
            before, after = _neighbours(obj)
            if before is not None and after is not None:
                raise ValidationError("只能删除第一期或最后一期轮值安排，删除中间一期会留下空档。")
            return super().delete(actor=actor, obj=obj)


def next_period_start(day: dt.date, period: str) -> dt.date:
    """The start of the month or quarter ``day`` falls in."""
    if period == DutyPeriod.QUARTER:
        return dt.date(day.year, QUARTER_MONTHS[(day.month - 1) // 3], 1)
    return dt.date(day.year, day.month, 1)


def roster_generate(*, actor, committee, count: int, period: str = DutyPeriod.MONTH, start: dt.date | None = None):
    """Add ``count`` periods after the committee's last one (or from ``start``, or the current period),
    chaired in turn by the committee's units: each period goes to the unit that has chaired the fewest
    periods so far, then the one that chaired longest ago, then by name (so a new roster is a plain
    round-robin and an extended one continues it fairly). All or nothing; returns the new rows."""
    if period not in DutyPeriod.values:
        raise ValidationError({"period": "轮值周期须为按月或按季度。"})
    if not 1 <= int(count) <= 36:
        raise ValidationError({"count": "一次生成 1 至 36 期。"})
    _require_big_committee(committee)
    require_scope(actor, DutyRoster, "add", committee.scope_path)
    service = entity_for(DutyRoster).service
    with transaction.atomic():
        _lock_committee(committee.pk)
        existing = list(DutyRoster.objects.filter(committee=committee).order_by("start"))
        if existing:
            first = existing[-1].end + dt.timedelta(days=1)
            if start is not None and start != first:
                raise ValidationError(
                    {"start": f"已有轮值安排至 {existing[-1].end:%Y-%m-%d}，新的一期须从 {first:%Y-%m-%d} 开始。"}
                )
        else:
            first = start or next_period_start(timezone.localdate(), period)
        units = list(selectors.committee_units(committee, first))
        if not units:
            raise ValidationError({"committee": "该大党委没有在任兼职委员所在的共建单位，无法生成轮值表。"})
        turns = {u.pk: [0, dt.date.min] for u in units}
        for row in existing:
            if row.chair_id in turns:
                turns[row.chair_id][0] += 1
                turns[row.chair_id][1] = max(turns[row.chair_id][1], row.start)
        order = {u.pk: i for i, u in enumerate(units)}
        created = []
        day = first
        for _ in range(int(count)):
            unit = min(units, key=lambda u: (turns[u.pk][0], turns[u.pk][1], order[u.pk]))
            row = service.create(actor=actor, committee=committee, period=period, start=day, chair=unit).obj
            turns[unit.pk] = [turns[unit.pk][0] + 1, day]
            created.append(row)
            day = row.end + dt.timedelta(days=1)
        return created


# --- 联席会议 ---------------------------------------------------------------------------------------------


def carried_agenda(items) -> str:
    lines = [
        f"{i}. {item.name}（责任：{item.owner_label}；期限：{item.deadline:%Y-%m-%d}；{item.get_status_display()}）"
        for i, item in enumerate(items, 1)
    ]
    return "一、上次会议议定事项办理情况\n" + "\n".join(lines) if lines else ""


class JointMeetingService(EntityService):
    """A new meeting's agenda starts with the open items of the committee's previous meeting (kept as
    ``carried_items``); without a convener, the unit chairing on the meeting's date convenes it."""

    def validate(self, obj, *, actor):
        _require_big_committee(obj.committee)
        _require_unit(obj.convener, "convener")
        if obj.pk is None and obj.committee_id and obj.date:
            if obj.convener_id is None:
                duty = selectors.duty_on(obj.committee, obj.date)
                obj.convener = duty.chair if duty else None
            last = selectors.previous_meeting(obj.committee, obj.date)
            carried = (
                list(last.action_items.filter(status__in=OPEN_STATES).select_related("owner_unit", "owner_member"))
                if last
                else []
            )
            obj._carried = carried
            head = carried_agenda(carried)
            if head:
                obj.agenda = f"{head}\n{obj.agenda}".strip() if obj.agenda else head

    def after_save(self, obj, data, *, created):
        if created and getattr(obj, "_carried", None):
            obj.carried_items.set(obj._carried)


@transaction.atomic
def meeting_sign_in(*, actor, meeting: JointMeeting, member: PartTimeMember) -> MeetingAttendance:
    """签到 of a part-time member of the meeting's committee, in office on the meeting's date, once."""
    meeting = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
    require_scope(actor, JointMeeting, "change", meeting.scope_path)
    if member.committee_id != meeting.committee_id:
        raise ValidationError({"member": "该委员不是本大党委的兼职委员。"})
    if not member.is_active_on(meeting.date):
        raise ValidationError({"member": "该委员在会议日期不在任期内。"})
    if MeetingAttendance.objects.filter(meeting=meeting, member=member).exists():
        raise ValidationError({"member": f"{member.name}已签到。"})
    row = MeetingAttendance.objects.create(
        meeting=meeting, member=member, signed_by=actor, scope_path=meeting.scope_path
    )
    audit_record(actor=actor, action="create", obj=row, after=snapshot(row))
    return row


# --- 议定事项 ---------------------------------------------------------------------------------------------


class ActionItemService(EntityService):
    """An item has exactly one owner (a unit or a part-time member of the meeting's committee) and a
    deadline not before its meeting; a done or cancelled item is no longer edited or deleted. Its status
    changes only through ``workflow.ACTION_ITEMS``."""

    def validate(self, obj, *, actor):
        if obj.status not in OPEN_STATES:
            raise ValidationError("已办结或已取消的议定事项不能修改。")
        if bool(obj.owner_unit_id) == bool(obj.owner_member_id):
            raise ValidationError({"owner_unit": "责任单位与责任人须填写且只填其一。"})
        _require_unit(obj.owner_unit, "owner_unit")
        if obj.owner_member_id and obj.meeting_id and obj.owner_member.committee_id != obj.meeting.committee_id:
            raise ValidationError({"owner_member": "责任人须为本大党委的兼职委员。"})
        if obj.deadline and obj.meeting_id and obj.deadline < obj.meeting.date:
            raise ValidationError({"deadline": "办结期限不能早于会议日期。"})

    def on_commit(self, obj, action):
        if action == "create":
            text = f"新的议定事项：“{obj.name}”（{obj.meeting}），办结期限 {obj.deadline:%Y-%m-%d}。"
            notify(recipients=owner_user_ids(obj), target=obj, text=text, kind=NotificationKind.TODO)

    def delete(self, *, actor, obj):
        with transaction.atomic():
            obj = ActionItem.objects.select_for_update().get(pk=obj.pk)
            require_scope(actor, ActionItem, "delete", obj.scope_path)
            if obj.events.exists():
                raise ValidationError("已开始办理的议定事项不能删除，可将其取消。")
            return super().delete(actor=actor, obj=obj)


def owner_user_ids(item: ActionItem) -> set[int]:
    """Who is told about an item: the owner unit's people, or the owner's account and their unit's people."""
    ids: set[int] = set()
    if item.owner_unit_id:
        ids |= set(item.owner_unit.members.values_list("pk", flat=True))
    if item.owner_member_id:
        if item.owner_member.user_id:
            ids.add(item.owner_member.user_id)
        ids |= set(item.owner_member.unit.members.values_list("pk", flat=True))
    return ids


# --- 社区专职工作者 -----------------------------------------------------------------------------------------


class WorkerAssessmentService(EntityService):
    """One assessment per worker and year; the grade may not exceed the band of the weighted total
    (优秀 ≥ 90, 称职 ≥ 70, 基本称职 ≥ 60); no assessment of a future year or dated in the future."""

    def validate(self, obj, *, actor):
        today = timezone.localdate()
        if obj.year and obj.year > today.year:
            raise ValidationError({"year": "不能考核未来的年度。"})
        if obj.assessed_on and obj.assessed_on > today:
            raise ValidationError({"assessed_on": "考核日期不能晚于今天。"})
        if obj.assessed_on and obj.year and obj.assessed_on.year < obj.year:
            raise ValidationError({"assessed_on": "考核日期不能早于考核年度。"})
        hired = obj.worker.hire_date if obj.worker_id else None
        if hired and obj.year and obj.year < hired.year:
            raise ValidationError({"year": f"该社区工作者于 {hired:%Y} 年入职，不能考核此前的年度。"})
        try:
            total = obj.compute_total()
        except (TypeError, ValueError, ArithmeticError):
            return  # a missing or malformed score: full_clean names the field
        if obj.grade in GRADE_MIN_TOTAL and total < GRADE_MIN_TOTAL[obj.grade]:
            label = AssessmentGrade(obj.grade).label
            raise ValidationError(
                {"grade": f"综合得分 {total} 分，不足“{label}”所需的 {GRADE_MIN_TOTAL[obj.grade]} 分。"}
            )


#: The names a history row of each kind may take (the code tables of ``people``).
HISTORY_VALUES = {
    HistoryKind.POST: [label for _, label in WorkerPost.choices],
    HistoryKind.GRADE: [label for _, label in WorkerGrade.choices],
    HistoryKind.QUALIFICATION: [label for _, label in Qualification.choices],
}


class WorkerHistoryService(EntityService):
    """A change takes a name from the code table of its kind and an effective date not in the future
    and not before the worker was hired."""

    def validate(self, obj, *, actor):
        allowed = HISTORY_VALUES.get(obj.kind)
        if allowed is not None and obj.name not in allowed:
            raise ValidationError({"name": f"{obj.get_kind_display()}须为：{'、'.join(allowed)}。"})
        if obj.effective_date and obj.effective_date > timezone.localdate():
            raise ValidationError({"effective_date": "生效日期不能晚于今天。"})
        hired = obj.worker.hire_date if obj.worker_id else None
        if hired and obj.effective_date and obj.effective_date < hired:
            raise ValidationError({"effective_date": f"生效日期不能早于入职日期（{hired:%Y-%m-%d}）。"})


# --- the periodic notices -----------------------------------------------------------------------------------


def notify_handover(today: dt.date | None = None) -> int:
    """Tell the unit that chairs the next period, up to ``HANDOVER_NOTICE_DAYS`` before it begins (once per
    period: ``handover_notified_at``). Returns how many periods were announced."""
    today = today or timezone.localdate()
    due = DutyRoster.objects.filter(
        start__gt=today, start__lte=today + dt.timedelta(days=HANDOVER_NOTICE_DAYS), handover_notified_at__isnull=True
    ).select_related("chair", "committee")
    done = 0
    for row in due:
        with transaction.atomic():
            if not DutyRoster.objects.filter(pk=row.pk, handover_notified_at__isnull=True).update(
                handover_notified_at=timezone.now()
            ):
                continue  # another worker announced it
            users = set(row.chair.members.values_list("pk", flat=True))
            users |= set(
                PartTimeMember.objects.filter(committee=row.committee, unit=row.chair, user__isnull=False).values_list(
                    "user_id", flat=True
                )
            )
            text = (
                f"轮值交接提醒：贵单位将于 {row.start:%Y-%m-%d} 起轮值主持{row.committee}"
                f"（至 {row.end:%Y-%m-%d}），请做好交接准备。"
            )
            notify(recipients=users, target=row, text=text, kind=NotificationKind.REMINDER)
            done += 1
    return done


def notify_overdue(today: dt.date | None = None) -> int:
    """Tell the owners of each open item past its deadline, once (``overdue_notified_at``). The cached
    figures of the items' nodes are refreshed: ``action_items_overdue`` changes with the date, not a write."""
    today = today or timezone.localdate()
    due = ActionItem.objects.filter(selectors.overdue_q(today), overdue_notified_at__isnull=True).select_related(
        "owner_unit", "owner_member__unit", "meeting"
    )
    done = 0
    for item in due:
        with transaction.atomic():
            if not ActionItem.objects.filter(pk=item.pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=timezone.now()
            ):
                continue
            text = f"议定事项逾期提醒：“{item.name}”（{item.meeting}）已超过办结期限 {item.deadline:%Y-%m-%d}，请尽快办理。"
            notify(recipients=owner_user_ids(item), target=item, text=text, kind=NotificationKind.SUPERVISE)
            counting.bump_paths([item.scope_path])
            done += 1
    return done
