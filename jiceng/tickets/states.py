"""The ticket state machine (12345 接诉即办 and 数字城管 GB/T 30428 merged), as data.

Each ``Transition`` says from which states an action is allowed, which state it leads to (``None``:
the status stays, e.g. a progress note), who may take it, which extra condition on the ticket's flags
must hold (``guard``), and which payload fields are required. ``services.ticket_transition`` is the
only code that applies it; ``policy.allowed_actions`` reads it to tell a caller what they may do now.

Who (``Actor``), as the Tianque engine and the 12345 rules put it:

* ``REPORTER`` – the resident who reported it, or whoever recorded it for them;
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

from dataclasses import dataclass
from enum import StrEnum

from .choices import OPEN_STATES, Status


class Actor(StrEnum):
    REPORTER = "reporter"
    HANDLER = "handler"
    HANDLER_OR_CO = "handler_or_co"
    WHISTLED = "whistled"
    APPROVER = "approver"
    SUPERVISOR = "supervisor"
    VERIFIER = "verifier"
    STAFF = "staff"
    REPORTER_OR_STAFF = "reporter_or_staff"
    PATROL_RECORDER = "patrol_recorder"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[Status]
    target: Status | None  # None: the status does not change
    who: Actor
    required: tuple[str, ...] = ()
    guard: str | None = None  # name of a predicate in ``GUARDS`` (a flag on the ticket, not the status)
    note: str = ""


def _t(action, label, sources, target, who, required=(), guard=None, note=""):
    return Transition(action, label, frozenset(sources), target, who, tuple(required), guard, note)


S = Status
OPEN = tuple(OPEN_STATES)

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("submit", "提交", [S.DRAFT], S.PENDING_ACCEPT, Actor.REPORTER),
        _t("accept", "受理", [S.PENDING_ACCEPT], S.ACCEPTED, Actor.HANDLER),
        _t("reject", "不予受理", [S.PENDING_ACCEPT], S.REJECTED, Actor.HANDLER, ["reason"]),
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
        _t("dispatch", "派单", [S.ACCEPTED], S.DISPATCHED, Actor.HANDLER, ["lead_org"]),
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
        _t("complete", "办结", [S.IN_PROGRESS], S.RESOLVED, Actor.HANDLER, ["reply"]),
        _t("verify_pass", "核查通过", [S.RESOLVED], S.CLOSED, Actor.VERIFIER),
        _t("verify_fail", "核查不通过", [S.RESOLVED], S.IN_PROGRESS, Actor.VERIFIER, ["reason"]),
        _t(
            "callback_rate",
            "回访评价",
            [S.CLOSED],
            S.EVALUATED,
            Actor.REPORTER_OR_STAFF,
            ["satisfaction"],
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
        _t("supervise", "督办", OPEN, None, Actor.SUPERVISOR, ["level"]),
        _t("instruct", "领导批示", OPEN, None, Actor.SUPERVISOR, ["comment"]),
    ]
}

#: The states from which ``callback_rate`` with 不满意 goes back (发回重办).
UNSATISFIED_TARGET = Status.IN_PROGRESS

#: Guards: the name, the test on the ticket and the message when it fails (a 409, like a stale state).
GUARD_MESSAGES = {
    "is_consultation": "只有咨询类诉求可以当场答复。",
    "holder_can_whistle": "只有街道或社区可以吹哨。",
    "whistle_pending": "该工单没有待报到的吹哨。",
    "no_extension_pending": "已有待审批的延期申请。",
    "extension_pending": "没有待审批的延期申请。",
    "no_suspend_pending": "已有待审批的挂账申请。",
    "suspend_pending": "没有待审批的挂账申请。",
    "rated_or_unreachable": "尚未评价：须回访评价，或三次回访未接通后方可归档。",
    "own_patrol_in_grid": "只有网格员巡查上报、仍由所在网格承办的事件可以当场处置。",
}

#: How many unanswered callbacks allow archiving without a rating.
CALLBACK_ATTEMPTS_TO_ARCHIVE = 3


def guard_passes(name: str | None, ticket) -> bool:
    from jiceng.orgs.choices import OrgKind

    from .choices import CategoryKind, Channel

    if name is None:
        return True
    if name == "is_consultation":
        return ticket.category.kind == CategoryKind.CONSULT
    if name == "holder_can_whistle":
        return ticket.handler_org is not None and ticket.handler_org.kind in (OrgKind.STREET, OrgKind.COMMUNITY)
    if name == "whistle_pending":
        return ticket.whistle_org_id is not None and ticket.whistle_reported_at is None
    if name == "no_extension_pending":
        return not ticket.extension_pending
    if name == "extension_pending":
        return ticket.extension_pending
    if name == "no_suspend_pending":
        return not ticket.suspend_pending
    if name == "suspend_pending":
        return ticket.suspend_pending
    if name == "own_patrol_in_grid":
        org = ticket.handler_org
        return (
            ticket.channel == Channel.PATROL
            and org is not None
            and org.kind == OrgKind.GRID
            and org.area_id == ticket.grid_id
            and ticket.whistle_org_id is None
        )
    if name == "rated_or_unreachable":
        return ticket.status == Status.EVALUATED or ticket.callback_attempts >= CALLBACK_ATTEMPTS_TO_ARCHIVE
    raise KeyError(name)


def transitions_from(status: Status) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
