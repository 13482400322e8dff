"""The ticket life cycle (诉求闭环) on the shared engine (``jiceng.core.workflow``).

The data is in ``states.py`` (the transitions and guards), who may act in ``policy.WHO``, what each
action does in ``services/handlers.py``. ``services.ticket_transition`` is ``TICKETS`` applied;
``allowed_actions(user, ticket)`` tells the pages and the API what a user may do now.
"""

from __future__ import annotations

from jiceng.audit.services import audit_record
from jiceng.core.workflow import Workflow

from . import policy
from .choices import Status
from .models import Ticket, TicketAction
from .services import handlers
from .services.notifications import TicketOutbox
from .states import GUARDS, NOT_YOUR_TURN, OUT_OF_SCOPE, STATE_CONFLICT, TRANSITIONS

TICKETS = Workflow(
    name="ticket",
    model=Ticket,
    states=Status,
    state_field="status",
    transitions=TRANSITIONS.values(),
    actors=policy.WHO,
    guards=GUARDS,
    handlers=handlers.HANDLERS,
    common=("comment", "attachments"),
    event_model=TicketAction,
    event_fk="ticket",
    record_event=handlers.record_event,
    prepare=handlers.prepare,
    after=handlers.after,
    anonymous_may=handlers.anonymous_reporter_may,
    lock_related=("category", "handler_org__area", "dispatcher_org__area", "whistle_org__area", "lead_org"),
    outbox=TicketOutbox,
    audit=audit_record,
    audit_prefix="ticket_",
    audit_detail=lambda ticket: {"ticket_no": ticket.ticket_no},
    state_conflict=STATE_CONFLICT,
    not_your_turn=NOT_YOUR_TURN,
    out_of_scope=OUT_OF_SCOPE,
)

allowed_actions = TICKETS.allowed_actions
