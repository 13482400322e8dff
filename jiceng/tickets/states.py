"""The ticket state machine (12345 接诉即办 and 数字城管 GB/T 30428 merged), as data.

Each ``Transition`` (``jiceng.core.workflow``) says from which states an action is allowed, which
state it leads to (``None``: the status stays, e.g. a progress note), who may take it, which extra
condition on the ticket's flags must hold (``guard``, one of ``GUARDS``), and which payload fields are
required and optional. The ticket workflow (``tickets/workflow.py``) runs it: ``services.ticket_transition``
is the only code that applies it; ``workflow.allowed_actions`` reads it to tell a caller what they may do now.

Who (``Actor``), as the Tianque engine and the 12345 rules put it:

* ``REPORTER`` – the reporter's own account (withdrawing);
* ``REPORTER_OR_RECORDER`` – the reporter, or whoever recorded the ticket for them (submitting the draft);
* ``HANDLER`` – a person of the organisation that currently holds the ticket (only the target
  organisation may accept or sign);
* ``HANDLER_OR_CO`` – the holder or one of the co-handling organisations (progress notes);
* ``WHISTLED`` – a person of the department the street "whistled" for (报到);
* ``APPROVER`` – an organisation above the holder, or the dispatching organisation when it is not
  the holder itself (extensions, suspensions: nobody approves their own request);
* ``SUPERVISOR`` – an organisation above the holder (督办, 批示, forced closing: never a peer or a
  subordinate);
* ``VERIFIER`` – ticket staff of the place (or the dispatching organisation), who is **not** the user
  who completed it;
* ``STAFF`` – ticket staff whose subtree holds the ticket (回访, archiving);
* ``REPORTER_OR_STAFF`` – either (a resident may rate online; the callback centre rates by phone);
* ``PATROL_RECORDER`` – the grid worker who recorded a 巡查 event, holding a ticket role on that very
  grid (当场处置: they found it and settle it on the spot; a community worker acting for its grids
  takes the ordinary path).
"""

from __future__ import annotations

from enum import StrEnum

from jiceng.core.workflow import Guard, Transition
from jiceng.orgs.choices import OrgKind

from .choices import OPEN_STATES, CategoryKind, Channel, Status

__all__ = ["Actor", "Transition", "TRANSITIONS", "GUARDS", "GUARD_MESSAGES", "guard_passes", "transitions_from"]


class Actor(StrEnum):
    REPORTER = "reporter"
    REPORTER_OR_RECORDER = "reporter_or_recorder"
    HANDLER = "handler"
    HANDLER_OR_CO = "handler_or_co"
    WHISTLED = "whistled"
    APPROVER = "approver"
    SUPERVISOR = "supervisor"
    VERIFIER = "verifier"
    STAFF = "staff"
    REPORTER_OR_STAFF = "reporter_or_staff"
    PATROL_RECORDER = "patrol_recorder"


def _t(action, label, sources, target, who, required=(), guard=None, note="", optional=()):
    return Transition(action, label, frozenset(sources), target, who, tuple(required), guard, note, tuple(optional))


S = Status
OPEN = tuple(OPEN_STATES)

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("submit", "提交", [S.DRAFT], S.PENDING_ACCEPT, Actor.REPORTER_OR_RECORDER),
        _t("accept", "受理", [S.PENDING_ACCEPT], S.ACCEPTED, Actor.HANDLER),
        _t("reject", "不予受理", [S.PENDING_ACCEPT], S.REJECTED, Actor.HANDLER, ["reason"], optional=["reason_code"]),
        _t("merge", "并单", [S.PENDING_ACCEPT], S.MERGED, Actor.HANDLER, ["into"]),
        _t(
            "answer_directly",
            "当场答复",
            [S.PENDING_ACCEPT, S.ACCEPTED],
            S.RESOLVED,
            Actor.HANDLER,
            ["reply"],
            guard="is_consultation",
            note="咨询类当场答复，仍需核查与回访。",
        ),  # fmt: skip
        _t(
            "handle_on_spot",
            "当场处置",
            [S.PENDING_ACCEPT, S.ACCEPTED],
            S.RESOLVED,
            Actor.PATROL_RECORDER,
            ["reply"],
            guard="own_patrol_in_grid",
            note="网格员巡查发现、在本网格当场处置：受理与办结一步完成，仍须他人核查。",
        ),  # fmt: skip
        _t(
            "dispatch",
            "派单",
            [S.ACCEPTED],
            S.DISPATCHED,
            Actor.HANDLER,
            ["lead_org"],
            optional=["co_orgs", "handler_user", "sla_days"],
        ),  # fmt: skip
        _t("sign", "签收", [S.DISPATCHED], S.IN_PROGRESS, Actor.HANDLER),
        _t(
            "return",
            "退单",
            [S.DISPATCHED, S.IN_PROGRESS],
            S.ACCEPTED,
            Actor.HANDLER,
            ["reason"],
            note="回到派单单位，由其审核异议后改派。",
        ),  # fmt: skip
        _t("escalate", "上报", [S.ACCEPTED, S.IN_PROGRESS], S.ACCEPTED, Actor.HANDLER, ["to_org", "reason"]),
        _t(
            "whistle",
            "吹哨",
            [S.ACCEPTED, S.IN_PROGRESS],
            S.ACCEPTED,
            Actor.HANDLER,
            ["department", "deadline", "reason"],
            guard="holder_can_whistle",
        ),  # fmt: skip
        _t("report", "报到", [S.ACCEPTED], S.IN_PROGRESS, Actor.WHISTLED, guard="whistle_pending"),
        _t("progress", "办理留痕", [S.IN_PROGRESS], None, Actor.HANDLER_OR_CO, ["comment"]),
        _t(
            "request_extension",
            "申请延期",
            [S.IN_PROGRESS],
            None,
            Actor.HANDLER,
            ["reason", "until"],
            guard="no_extension_pending",
        ),  # fmt: skip
        _t("approve_extension", "批准延期", [S.IN_PROGRESS], None, Actor.APPROVER, guard="extension_pending"),
        _t("reject_extension", "驳回延期", [S.IN_PROGRESS], None, Actor.APPROVER, guard="extension_pending"),
        _t(
            "apply_suspend",
            "申请挂账",
            [S.IN_PROGRESS],
            None,
            Actor.HANDLER,
            ["reason"],
            guard="no_suspend_pending",
        ),  # fmt: skip
        _t("approve_suspend", "批准挂账", [S.IN_PROGRESS], S.SUSPENDED, Actor.APPROVER, guard="suspend_pending"),
        _t("reject_suspend", "驳回挂账", [S.IN_PROGRESS], None, Actor.APPROVER, guard="suspend_pending"),
        _t("resume", "恢复办理", [S.SUSPENDED], S.IN_PROGRESS, Actor.APPROVER),
        _t("complete", "办结", [S.IN_PROGRESS], S.RESOLVED, Actor.HANDLER, ["reply"], optional=["comment"]),
        _t("verify_pass", "核查通过", [S.RESOLVED], S.CLOSED, Actor.VERIFIER),
        _t("verify_fail", "核查不通过", [S.RESOLVED], S.IN_PROGRESS, Actor.VERIFIER, ["reason"]),
        _t(
            "callback_rate",
            "回访评价",
            [S.CLOSED],
            S.EVALUATED,
            Actor.REPORTER_OR_STAFF,
            ["satisfaction"],
            optional=["comment", "reasonable"],
            note="不满意且属实合理时发回重办：回到办理中，重办次数加一，督办升级。",
        ),  # fmt: skip
        _t("record_callback_attempt", "回访未接通", [S.CLOSED], None, Actor.STAFF),
        _t(
            "archive",
            "归档",
            [S.EVALUATED, S.CLOSED],
            S.ARCHIVED,
            Actor.STAFF,
            guard="rated_or_unreachable",
            note="已结案未评价的，须三次回访未接通方可归档。",
        ),  # fmt: skip
        _t("withdraw", "撤销", [S.DRAFT, S.PENDING_ACCEPT], S.CANCELLED, Actor.REPORTER),
        _t("close_forcibly", "终止", OPEN, S.CLOSED_ADMIN, Actor.SUPERVISOR, ["reason"]),
        _t("supervise", "督办", OPEN, None, Actor.SUPERVISOR, ["level"], optional=["comment", "urgent"]),
        _t("instruct", "领导批示", OPEN, None, Actor.SUPERVISOR, ["comment"]),
    ]
}

#: The refusals (409 stale state, 403 not this actor's turn, 403 out of scope).
STATE_CONFLICT = "当前状态不允许此操作（工单状态为“{status}”），可能已被他人处理，请刷新后重试。"
NOT_YOUR_TURN = "您无权对该工单执行“{label}”。"
OUT_OF_SCOPE = "未找到工单，或工单不在您的管辖范围内。"

#: The states from which ``callback_rate`` with 不满意 goes back (发回重办).
UNSATISFIED_TARGET = Status.IN_PROGRESS

#: How many unanswered callbacks allow archiving without a rating.
CALLBACK_ATTEMPTS_TO_ARCHIVE = 3


def _holder_can_whistle(ticket) -> bool:
    return ticket.handler_org is not None and ticket.handler_org.kind in (OrgKind.STREET, OrgKind.COMMUNITY)


def _own_patrol_in_grid(ticket) -> bool:
    org = ticket.handler_org
    return (
        ticket.channel == Channel.PATROL
        and org is not None
        and org.kind == OrgKind.GRID
        and org.area_id == ticket.grid_id
        and ticket.whistle_org_id is None
    )


#: Guards: the name, the test on the ticket and the message when it fails (a 409, like a stale state).
GUARDS: dict[str, Guard] = {
    "is_consultation": Guard(lambda t: t.category.kind == CategoryKind.CONSULT, "只有咨询类诉求可以当场答复。"),
    "holder_can_whistle": Guard(_holder_can_whistle, "只有街道或社区可以吹哨。"),
    "whistle_pending": Guard(
        lambda t: t.whistle_org_id is not None and t.whistle_reported_at is None, "该工单没有待报到的吹哨。"
    ),
    "no_extension_pending": Guard(lambda t: not t.extension_pending, "已有待审批的延期申请。"),
    "extension_pending": Guard(lambda t: t.extension_pending, "没有待审批的延期申请。"),
    "no_suspend_pending": Guard(lambda t: not t.suspend_pending, "已有待审批的挂账申请。"),
    "suspend_pending": Guard(lambda t: t.suspend_pending, "没有待审批的挂账申请。"),
    "rated_or_unreachable": Guard(
        lambda t: t.status == Status.EVALUATED or t.callback_attempts >= CALLBACK_ATTEMPTS_TO_ARCHIVE,
        "尚未评价：须回访评价，或三次回访未接通后方可归档。",
    ),
    "own_patrol_in_grid": Guard(_own_patrol_in_grid, "只有网格员巡查上报、仍由所在网格承办的事件可以当场处置。"),
}
GUARD_MESSAGES = {name: guard.message for name, guard in GUARDS.items()}


def guard_passes(name: str | None, ticket) -> bool:
    return name is None or GUARDS[name].test(ticket)


def transitions_from(status: Status) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
