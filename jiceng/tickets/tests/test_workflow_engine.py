"""The shared engine (``jiceng.core.workflow``) on its own: a declaration in a few lines with the
defaults (event rows through ``event_model``, the audit prefix from the name), what a bad declaration
is refused with, ``replay``, and that the ticket workflow runs all 30 actions of ``states.py``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiceng.audit.models import AuditLog
from jiceng.audit.services import audit_record
from jiceng.core.errors import Conflict, OutOfScope
from jiceng.core.workflow import Guard, Transition, Workflow
from jiceng.tickets.choices import Status
from jiceng.tickets.models import Ticket, TicketAction
from jiceng.tickets.states import TRANSITIONS
from jiceng.tickets.tests.conftest import user
from jiceng.tickets.workflow import TICKETS

pytestmark = pytest.mark.django_db


def _mini(**overrides) -> Workflow:
    """A two-step life cycle declared on the ticket model, the way a new app declares its own."""
    values = dict(
        name="mini",
        model=Ticket,
        states=Status,
        event_model=TicketAction,
        event_fk="ticket",
        transitions=[
            Transition("take", "接手", {Status.PENDING_ACCEPT}, Status.ACCEPTED, "grid"),
            Transition("note", "留言", {Status.ACCEPTED}, None, "grid", required=("comment",), guard="urgent"),
        ],
        actors={"grid": lambda user, ticket: user.username == "grid_wc01"},
        guards={"urgent": Guard(lambda ticket: ticket.is_urgent, "只有紧急工单可以留言。")},
        handlers={"note": lambda step: step.data.update(noted=True)},
        audit=audit_record,
    )
    values.update(overrides)
    return Workflow(**values)


def test_a_small_declaration_moves_writes_the_event_and_the_audit_row(make_ticket):
    mini = _mini()
    ticket = make_ticket(Status.PENDING_ACCEPT)
    assert mini.allowed_actions(user("grid_wc01"), ticket) == ["take"]
    assert mini.allowed_actions(user("wenchang_worker"), ticket) == []
    result = mini.transition(actor=user("grid_wc01"), obj=ticket, action="take")
    assert result.status == Status.ACCEPTED
    event = TicketAction.objects.filter(ticket=ticket).latest("id")
    assert (event.action, event.from_status, event.to_status, event.actor_id) == (
        "take",
        Status.PENDING_ACCEPT,
        Status.ACCEPTED,
        user("grid_wc01").pk,
    )
    assert AuditLog.objects.filter(action="mini_take", object_id=str(ticket.pk)).count() == 1


def test_the_order_of_refusals_scope_state_guard_actor_payload(make_ticket, world):
    mini = _mini()
    ticket = make_ticket(Status.ACCEPTED)
    with pytest.raises(ValidationError):
        mini.transition(actor=user("grid_wc01"), obj=ticket, action="fly")
    with pytest.raises(ValidationError):
        mini.transition(actor=user("grid_wc01"), obj=ticket, action="note", comment="x", colour="red")
    with pytest.raises(OutOfScope, match="未找到记录"):
        mini.transition(actor=user("yinhua_admin"), obj=ticket, action="note", comment="x")
    with pytest.raises(Conflict, match="当前状态不允许此操作"):
        mini.transition(actor=user("grid_wc01"), obj=ticket, action="take")
    with pytest.raises(Conflict, match="只有紧急工单可以留言"):
        mini.transition(actor=user("grid_wc01"), obj=ticket, action="note", comment="x")
    Ticket.objects.filter(pk=ticket.pk).update(is_urgent=True)
    with pytest.raises(PermissionDenied, match="您无权执行“留言”"):
        mini.transition(actor=user("wenchang_worker"), obj=ticket, action="note", comment="x")
    assert TicketAction.objects.filter(ticket=ticket).count() == 0
    result = mini.transition(actor=user("grid_wc01"), obj=ticket, action="note", comment="已到场")
    assert result.status == Status.ACCEPTED
    event = TicketAction.objects.get(ticket=ticket)
    assert (event.comment, event.data) == ("已到场", {"noted": True})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"actors": {}}, "no actor predicate"),
        ({"guards": {}}, "unknown guard"),
        ({"handlers": {"jump": lambda step: None}}, "handlers without a transition"),
        ({"event_model": None}, "event_model"),
        ({"audit": None}, "audit writer"),
        (
            {"transitions": [Transition("take", "接手", {Status.DRAFT}, Status.ACCEPTED, "grid")] * 2},
            "share an action name",
        ),
    ],
)
def test_a_bad_declaration_is_refused_at_import(overrides, message):
    with pytest.raises(ValueError, match=message):
        _mini(**overrides)


def test_replay_records_a_past_event_through_the_table_without_audit_or_notification(make_ticket):
    mini = _mini()
    ticket = make_ticket(Status.PENDING_ACCEPT)
    at = timezone.now() - dt.timedelta(days=30)
    audits = AuditLog.objects.count()
    result = mini.replay(obj=ticket, action="take", at=at)
    assert result.status == Status.ACCEPTED
    event = TicketAction.objects.get(ticket=ticket)
    assert event.created_at == at and event.actor_id is None
    assert AuditLog.objects.count() == audits
    with pytest.raises(Conflict):  # the table still holds
        mini.replay(obj=ticket, action="take", at=at)


def test_replayed_ticket_handlers_take_the_past_time_as_now(make_ticket):
    ticket = make_ticket(Status.PENDING_ACCEPT)
    at = timezone.now() - dt.timedelta(days=40)
    result = TICKETS.replay(obj=ticket, action="accept", at=at, extra={"org": None, "actor_name": "网格员"})
    assert result.accepted_at == at and result.sla_due_at > at
    event = TicketAction.objects.get(ticket=ticket)
    assert (event.actor_name, event.created_at) == ("网格员", at)


def test_the_ticket_workflow_has_all_thirty_actions():
    assert len(TRANSITIONS) == 30
    assert [t.action for t in TICKETS.transitions] == list(TRANSITIONS)
    assert set(TICKETS.handlers) == set(TRANSITIONS)
