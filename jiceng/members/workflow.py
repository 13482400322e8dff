"""The 报到单 life cycle on the shared engine (``jiceng.core.workflow``).

提交 (the member online, or a worker records it: ``services.report_create``) → 待确认 → 确认 (已报到) or
退回 (with a reason) → 重新提交 …; the member may withdraw a report not yet confirmed; the community
ends (注销) a confirmed one, e.g. when the member moves away. Confirming and ending write the member's
报到社区 and 报到日期 on the Party register (``party.services.member_update``), which is what the
member's own view of their community reads.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from jiceng.accounts.models import User
from jiceng.audit.services import audit_record
from jiceng.core.errors import Conflict
from jiceng.core.workflow import Guard, Transition, Workflow
from jiceng.party.services import member_update

from . import policy
from .choices import ACTIVE_REPORT_STATES, ApplicationStatus, RecordStatus, ReportStatus
from .models import (
    MemberReport,
    MemberReportEvent,
    PostApplication,
    PostApplicationEvent,
    ServicePost,
    ServiceRecord,
    ServiceRecordEvent,
)
from .rules import check_residence

S = ReportStatus

TRANSITIONS = [
    Transition("confirm", "确认报到", {S.SUBMITTED}, S.CONFIRMED, "community"),
    Transition("return", "退回", {S.SUBMITTED}, S.RETURNED, "community", required=("reason",)),
    Transition("resubmit", "重新提交", {S.RETURNED}, S.SUBMITTED, "applicant", guard="no_other_active", optional=("skills",)),
    Transition("withdraw", "撤回", {S.SUBMITTED, S.RETURNED}, S.WITHDRAWN, "member"),
    Transition("end", "注销报到", {S.CONFIRMED}, S.ENDED, "community", required=("reason",)),
]  # fmt: skip


def _no_other_active(report) -> bool:
    return not (
        MemberReport.objects.filter(member_id=report.member_id, status__in=ACTIVE_REPORT_STATES)
        .exclude(pk=report.pk)
        .exists()
    )


GUARDS = {"no_other_active": Guard(_no_other_active, "该党员已有待确认或已报到的报到单，不能重复报到。")}


def _reason(step) -> str:
    reason = str(step.payload.get("reason") or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写原因。"})
    if len(reason) > 300:
        raise ValidationError({"reason": "原因不能超过 300 字。"})
    return reason


def _member_users(report) -> list[int]:
    return list(User.objects.filter(party_member_id=report.member_id).values_list("pk", flat=True))


def _sync_member(step, community, date) -> None:
    """The Party register's 报到社区 / 报到日期 follow the report (not while replaying past events)."""
    if step.replaying:
        return
    member = step.obj.member
    if member.report_community_id != getattr(community, "pk", None) or member.report_date != date:
        member_update(actor=step.actor, member=member, report_community=community, report_date=date)


def _confirm(step):
    step.set(confirmed_at=step.now, return_reason="")
    _sync_member(step, step.obj.community, step.now.date())
    step.outbox.add(_member_users(step.obj), step.obj, f"您向{step.obj.community.name}的报到已确认。")


def _return(step):
    reason = _reason(step)
    step.set(return_reason=reason)
    step.data["reason"] = reason
    step.outbox.add(_member_users(step.obj), step.obj, f"您的报到单被退回：{reason}")


def _resubmit(step):
    check_residence(step.obj.member, step.obj.community)
    skills = step.payload.get("skills")
    if skills is not None:
        step.set(skills=str(skills).strip()[:300])
    step.set(submitted_at=step.now)


def _end(step):
    reason = _reason(step)
    step.data["reason"] = reason
    _sync_member(step, None, None)
    step.outbox.add(_member_users(step.obj), step.obj, f"您在{step.obj.community.name}的报到已注销：{reason}")


REPORTS = Workflow(
    name="member_report",
    model=MemberReport,
    states=ReportStatus,
    transitions=TRANSITIONS,
    actors={
        "community": policy.is_staff_for,
        "member": policy.is_the_member,
        "applicant": policy.member_or_staff,
    },
    guards=GUARDS,
    handlers={"confirm": _confirm, "return": _return, "resubmit": _resubmit, "end": _end},
    event_model=MemberReportEvent,
    event_fk="report",
    lock_related=("member", "community"),
    audit=audit_record,
    audit_prefix="member_report_",
)

report_transition = REPORTS.transition
allowed_actions = REPORTS.allowed_actions


# --- 上岗申请: the community confirms within the post's headcount -------------------------------------

A = ApplicationStatus


def _has_room(application) -> bool:
    post = application.post
    return post.applications.filter(status=A.CONFIRMED).count() < post.headcount


def _confirm_application(step):
    # Two confirmations on one post at once: lock the post, then count again (the guard read without it).
    post = ServicePost.objects.select_for_update(of=("self",)).get(pk=step.obj.post_id)
    taken = post.applications.filter(status=A.CONFIRMED).count()
    if taken >= post.headcount:
        raise Conflict(FULL.format(name=post.name, headcount=post.headcount))
    step.set(decided_at=step.now)
    step.data["roster"] = taken + 1
    step.outbox.add(_member_users(step.obj), step.obj, f"您已上岗：{post.name}。")


def _reject_application(step):
    reason = _reason(step)
    step.set(decided_at=step.now, note=reason)
    step.data["reason"] = reason
    step.outbox.add(_member_users(step.obj), step.obj, f"您申请的岗位“{step.obj.post.name}”未通过：{reason}")


FULL = "岗位“{name}”已满（{headcount} 人），不能再确认上岗。"

APPLICATIONS = Workflow(
    name="post_application",
    model=PostApplication,
    states=ApplicationStatus,
    transitions=[
        Transition("confirm", "确认上岗", {A.PENDING}, A.CONFIRMED, "community", guard="has_room"),
        Transition("reject", "不予通过", {A.PENDING}, A.REJECTED, "community", required=("reason",)),
        Transition("withdraw", "撤回", {A.PENDING, A.CONFIRMED}, A.WITHDRAWN, "member"),
    ],
    actors={"community": policy.is_staff_for, "member": policy.is_the_member},
    guards={"has_room": Guard(_has_room, "岗位人数已满，不能再确认上岗。")},
    handlers={"confirm": _confirm_application, "reject": _reject_application},
    event_model=PostApplicationEvent,
    event_fk="application",
    lock_related=("post", "member"),
    audit=audit_record,
    audit_prefix="post_application_",
)


# --- 服务登记卡: the community confirms each service ---------------------------------------------------

R = RecordStatus


def _confirm_record(step):
    step.set(confirmed_at=step.now)


def _reject_record(step):
    reason = _reason(step)
    step.data["reason"] = reason
    step.outbox.add(_member_users(step.obj), step.obj, f"您{step.obj.date:%m月%d日}的服务登记未确认：{reason}")


RECORDS = Workflow(
    name="service_record",
    model=ServiceRecord,
    states=RecordStatus,
    transitions=[
        Transition("confirm", "确认", {R.PENDING}, R.CONFIRMED, "community"),
        Transition("reject", "不予确认", {R.PENDING}, R.REJECTED, "community", required=("reason",)),
    ],
    actors={"community": policy.is_staff_for},
    handlers={"confirm": _confirm_record, "reject": _reject_record},
    event_model=ServiceRecordEvent,
    event_fk="record",
    lock_related=("member",),
    audit=audit_record,
    audit_prefix="service_record_",
)
