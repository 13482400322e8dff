"""The state machine, driven by its own table: every allowed transition works, every other one is a
409-style ``Conflict`` that writes nothing; and the "who" rules (Tianque) refuse the wrong people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiceng.testing.workflow import WorkflowMatrix
from jiceng.tickets.choices import Status
from jiceng.tickets.models import Ticket, TicketAction
from jiceng.tickets.services import ticket_transition
from jiceng.tickets.states import TRANSITIONS, Actor
from jiceng.tickets.tests.conftest import user
from jiceng.tickets.workflow import TICKETS

pytestmark = pytest.mark.django_db

ALLOWED = [(action, source) for action, t in TRANSITIONS.items() for source in sorted(t.sources)]
FORBIDDEN = [(action, s) for action, t in TRANSITIONS.items() for s in Status if s not in t.sources]

#: Who takes each kind of action in the standard set-up (see conftest.make_ticket).
ACTOR = {
    Actor.REPORTER: "resident_demo",
    Actor.REPORTER_OR_RECORDER: "resident_demo",
    Actor.HANDLER: "grid_wc01",
    Actor.HANDLER_OR_CO: "grid_wc01",
    Actor.WHISTLED: "dept_chengguan",
    Actor.APPROVER: "wenchang_worker",
    Actor.SUPERVISOR: "wenchang_worker",
    Actor.VERIFIER: "wenchang_worker",
    Actor.STAFF: "wenchang_worker",
    Actor.REPORTER_OR_STAFF: "resident_demo",
    Actor.PATROL_RECORDER: "grid_wc01",
}


def _setup(world, make_ticket, action, source):
    """A ticket in ``source`` that satisfies the action's guard, the actor, and a valid payload."""
    now = timezone.now()
    fields, payload, actor = {}, {}, ACTOR[TRANSITIONS[action].who]
    category = world.consult if action == "answer_directly" else None
    if action == "whistle":
        fields.update(handler_org=world.community_org)
        actor = "wenchang_worker"
        payload = {"department": world.dept.pk, "deadline": now + dt.timedelta(days=1), "reason": "占道经营需执法"}
    if action == "report":
        fields.update(handler_org=world.dept, whistle_org=world.dept, dispatcher_org=world.street_org,
                      whistle_deadline=now + dt.timedelta(days=1))  # fmt: skip
    if action in ("approve_extension", "reject_extension"):
        fields.update(extension_pending=True, extension_requested_until=now + dt.timedelta(days=9))
    if action in ("approve_suspend", "reject_suspend"):
        fields.update(suspend_pending=True)
    if action == "handle_on_spot":  # a patrol event grid_wc01 recorded in their own grid
        category = world.event
        fields.update(channel="patrol", recorded_by=user("grid_wc01"), reporter_user=None, reporter_name="",
                      reporter_phone="")  # fmt: skip
    if action == "archive" and source == Status.CLOSED:
        fields.update(callback_attempts=3)
    ticket = make_ticket(source, category=category, **fields)
    payload.update(
        {
            "reject": {"reason": "不属于本平台受理范围"},
            "merge": {"into": make_ticket(Status.ACCEPTED).pk} if action == "merge" else {},
            "answer_directly": {"reply": "需携带身份证和户口簿到社区服务中心办理"},
            "handle_on_spot": {"reply": "已当场清理占道杂物"},
            "dispatch": {"lead_org": world.grid_org.pk},
            "return": {"reason": "不属于本单位职责"},
            "escalate": {"to_org": world.community_org.pk, "reason": "需社区协调"},
            "progress": {"comment": "已联系物业"},
            "request_extension": {"reason": "需等待材料", "until": now + dt.timedelta(days=9)},
            "apply_suspend": {"reason": "涉及历史遗留问题"},
            "complete": {"reply": "已协调物业清理完毕"},
            "verify_fail": {"reason": "现场仍有杂物"},
            "callback_rate": {"satisfaction": "satisfied"},
            "close_forcibly": {"reason": "诉求人已搬离，经批准终止"},
            "supervise": {"level": 1},
            "instruct": {"comment": "请尽快办结"},
        }.get(action, {})
    )
    return ticket, user(actor), payload


#: Who must be refused, per "who" of the table, on the row ``_setup`` builds (``yinhua_admin``: a
#: sibling street, which cannot even see it).
REFUSED = {
    Actor.REPORTER: ["grid_wc01", "yinhua_admin"],
    Actor.REPORTER_OR_RECORDER: ["grid_wc01", "yinhua_admin"],
    Actor.HANDLER: ["resident_demo", "grid_wc02", "longpan_admin", "yinhua_admin"],
    Actor.HANDLER_OR_CO: ["resident_demo", "grid_wc02", "longpan_admin", "yinhua_admin"],
    Actor.WHISTLED: ["grid_wc01", "longpan_admin", "resident_demo", "yinhua_admin"],
    Actor.APPROVER: ["grid_wc01", "resident_demo", "grid_wc02", "yinhua_admin"],
    Actor.SUPERVISOR: ["grid_wc01", "resident_demo", "grid_wc02", "yinhua_admin"],
    Actor.VERIFIER: ["grid_wc01", "resident_demo", "grid_wc02", "yinhua_admin"],
    Actor.STAFF: ["resident_demo", "grid_wc02", "yinhua_admin"],
    Actor.REPORTER_OR_STAFF: ["grid_wc02", "yinhua_admin"],
    Actor.PATROL_RECORDER: ["wenchang_worker", "resident_demo", "grid_wc02", "yinhua_admin"],
}

#: Every (state, action, actor) pair of the table (``jiceng.testing.workflow``): the allowed ones work
#: (new state, one event, one audit row), the others are a 409 ``Conflict`` (wrong state) or a 403
#: (wrong actor) that writes nothing.
MATRIX = WorkflowMatrix(
    TICKETS,
    fixtures=("world", "make_ticket"),
    setup=lambda fx, transition, state: _setup(fx.world, fx.make_ticket, transition.action, state),
    make=lambda fx, state: fx.make_ticket(state),
    actor=user,
    refused=REFUSED,
    stale_actor="qu_admin",
    stale_payload={"comment": "x"},
    apply=lambda *, actor, obj, action, **payload: ticket_transition(actor=actor, ticket=obj, action=action, **payload),
    conflict_match="当前状态不允许此操作",
)
test_allowed_transition, test_forbidden_transition_conflicts_and_writes_nothing, test_wrong_actor_of_the_table = (
    MATRIX.tests()
)


def test_table_covers_every_state():
    """Every non-terminal state has a way out, and terminal states have none but none."""
    from jiceng.tickets.choices import TERMINAL_STATES
    from jiceng.tickets.states import transitions_from

    for status in Status:
        outs = transitions_from(status)
        if status in TERMINAL_STATES:
            assert outs == [], status
        else:
            assert outs, status


@pytest.mark.parametrize(
    ("status", "action", "username", "change"),
    [
        (Status.PENDING_ACCEPT, "accept", "longpan_admin", None),  # the street is not the target org
        (Status.PENDING_ACCEPT, "accept", "resident_demo", None),
        (Status.DISPATCHED, "sign", "grid_wc01", "to_grid2"),  # dispatched to another grid's org
        (Status.IN_PROGRESS, "supervise", "grid_wc01", None),  # a holder cannot supervise itself
        (Status.RESOLVED, "verify_pass", "grid_wc01", None),  # grid_wc01 completed it
        (Status.ACCEPTED, "dispatch", "resident_demo", None),
        (Status.PENDING_ACCEPT, "withdraw", "grid_wc01", None),  # only the reporter withdraws
        (Status.IN_PROGRESS, "progress", "grid_wc02", None),  # another grid: cannot even see it
    ],
)
def test_wrong_actor_is_refused_and_nothing_written(world, make_ticket, status, action, username, change):
    ticket = make_ticket(status)
    if change == "to_grid2":
        Ticket.objects.filter(pk=ticket.pk).update(handler_org=world.grid2_org, lead_org=world.grid2_org)
    payload = {"supervise": {"level": 1}, "dispatch": {"lead_org": world.grid_org.pk}, "progress": {"comment": "x"}}
    before = Ticket.objects.filter(pk=ticket.pk).values().get()
    events = TicketAction.objects.count()
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=user(username), ticket=ticket, action=action, **payload.get(action, {}))
    assert Ticket.objects.filter(pk=ticket.pk).values().get() == before
    assert TicketAction.objects.count() == events


def test_supervise_only_by_a_higher_org(world, make_ticket):
    """督办/批示 only from above: the community supervises its grid, not a ticket the community holds."""
    ticket = make_ticket(Status.IN_PROGRESS, handler_org=world.community_org, lead_org=world.community_org)
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=user("wenchang_worker"), ticket=ticket, action="instruct", comment="请办")
    result = ticket_transition(actor=user("longpan_admin"), ticket=ticket, action="instruct", comment="请尽快办结")
    assert result.status == Status.IN_PROGRESS
    assert ticket.actions.get(action="instruct").comment == "请尽快办结"


def test_unknown_action_and_bad_payload_are_validation_errors(world, make_ticket):
    from django.core.exceptions import ValidationError

    ticket = make_ticket(Status.PENDING_ACCEPT)
    with pytest.raises(ValidationError):
        ticket_transition(actor=user("grid_wc01"), ticket=ticket, action="teleport")
    with pytest.raises(ValidationError) as exc:
        ticket_transition(actor=user("grid_wc01"), ticket=ticket, action="reject", reason="  ")
    assert exc.value.message_dict == {"reason": ["请填写不予受理的理由。"]}
    with pytest.raises(ValidationError):
        ticket_transition(actor=user("grid_wc01"), ticket=ticket, action="accept", bogus=1)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING_ACCEPT
