"""The life cycle of a 报到单 (``UnitReport``) on the shared engine: the unit submits (creation), the
community confirms it — the receipt keeps who and when — or returns it with a reason; the unit's
liaison may resubmit a returned report while no other report of the unit to that community is in force."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from jiceng.audit.services import audit_record
from jiceng.core.workflow import Guard, Outbox, Transition, Workflow
from jiceng.notices.choices import NotificationKind
from jiceng.orgs.models import Organisation

from .choices import ReportStatus
from .models import ACTIVE_REPORT, UnitReport, UnitReportEvent

S = ReportStatus


def is_community(actor, report) -> bool:
    """A worker of the report's community (or above) who may change reports there."""
    if actor is None or not actor.is_authenticated:
        return False
    return actor.scope.covers_path(report.scope_path, "cobuild.change_unitreport")


def is_liaison(actor, report) -> bool:
    """The liaison (a member holding ``unit_liaison``) of the reporting unit."""
    if actor is None or not actor.is_authenticated:
        return False
    if not any(g.role == "unit_liaison" for g in actor.scope.grants):
        return False
    return Organisation.members.through.objects.filter(user_id=actor.pk, organisation_id=report.unit_id).exists()


def _no_other_active(report) -> bool:
    others = UnitReport.objects.filter(ACTIVE_REPORT, unit_id=report.unit_id, community_id=report.community_id)
    return not others.exclude(pk=report.pk).exists()


def _unit_members(report) -> list[int]:
    return list(
        Organisation.members.through.objects.filter(organisation_id=report.unit_id).values_list("user_id", flat=True)
    )


def _confirm(step) -> None:
    confirmer = step.actor if not step.replaying else step.extra.get("confirmer")
    step.set(confirmed_by_id=getattr(confirmer, "pk", confirmer), confirmed_at=step.now, return_reason="")
    step.outbox.add(_unit_members(step.obj), step.obj, f"{step.obj.community}已确认{step.obj.unit}的报到。")


def _return(step) -> None:
    reason = str(step.payload.get("reason") or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回理由。"})
    step.set(return_reason=reason[:200])
    step.data["reason"] = reason[:200]
    step.outbox.add(_unit_members(step.obj), step.obj, f"{step.obj.community}退回了报到单：{reason[:60]}")


def _resubmit(step) -> None:
    content = str(step.payload.get("content") or "").strip()
    if content:
        step.set(content=content)
    step.set(return_reason="", confirmed_by=None, confirmed_at=None)


class ReportOutbox(Outbox):
    default_kind = NotificationKind.PROGRESS


REPORTS = Workflow(
    name="unit_report",
    model=UnitReport,
    states=ReportStatus,
    transitions=[
        Transition("confirm", "确认报到", {S.SUBMITTED}, S.CONFIRMED, "community"),
        Transition("return", "退回", {S.SUBMITTED}, S.RETURNED, "community", required=("reason",)),
        Transition(
            "resubmit", "重新提交", {S.RETURNED}, S.SUBMITTED, "liaison", guard="no_other_active", optional=("content",)
        ),
    ],  # fmt: skip
    actors={"community": is_community, "liaison": is_liaison},
    guards={"no_other_active": Guard(_no_other_active, "该单位已有向该社区报到的有效报到单，不能重新提交。")},
    handlers={"confirm": _confirm, "return": _return, "resubmit": _resubmit},
    event_model=UnitReportEvent,
    event_fk="report",
    lock_related=("unit", "community"),
    outbox=ReportOutbox,
    audit=audit_record,
    audit_prefix="unit_report_",
)


def report_transition(*, actor, report, action: str, **payload):
    return REPORTS.transition(actor=actor, obj=report, action=action, **payload)
