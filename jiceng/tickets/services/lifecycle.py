"""The entry points of the ticket workflow: ``ticket_transition`` (the only code that changes a ticket's
status, through the engine declared in ``tickets/workflow.py``) and what the overdue job does
(``ticket_auto_supervise``, ``ticket_remind``: no actor, no status change)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jiceng.audit.services import audit_record
from jiceng.notices.choices import NotificationKind
from jiceng.territory.models import Area

from .. import policy
from .. import workflow as ticket_workflow
from ..choices import SuperviseLevel
from ..models import Ticket, TicketAction
from .notifications import TicketOutbox, handler_org_for_area, org_user_ids


def ticket_transition(*, actor, ticket: Ticket, action: str, **payload) -> Ticket:
    """Apply ``action`` to ``ticket`` on behalf of ``actor``; returns the ticket as it now stands.

    The ticket workflow's ``transition`` (``jiceng.core.workflow``, declared in ``tickets/workflow.py``):
    it locks the row, checks the action against the table in ``states.py`` (else
    :class:`~jiceng.core.errors.Conflict`, HTTP 409), checks who may take it (``policy.WHO``, else
    ``PermissionDenied``, HTTP 403), validates the payload (else ``ValidationError``, HTTP 400, in
    Chinese), runs the action's handler, writes a ``TicketAction`` event and an audit row, and queues
    notifications for after the commit. A refused call writes nothing.

    ``_system_reporter=True`` with ``actor=None`` means the caller has proved to be the anonymous
    reporter (see ``ANONYMOUS_REPORTER_ACTIONS``); views pass it only after checking the lookup code.
    """
    anonymous = bool(payload.pop("_system_reporter", False))
    return ticket_workflow.TICKETS.apply(actor=actor, obj=ticket, action=action, payload=payload, anonymous=anonymous)


def _lock(ticket: Ticket) -> Ticket:
    return ticket_workflow.TICKETS.lock(ticket)


# --- what the overdue job does -----------------------------------------------------------------


@transaction.atomic
def ticket_auto_supervise(*, ticket_id: int, level: int, reason: str, now: dt.datetime | None = None) -> bool:
    """Raise a ticket's 督办 level automatically (no actor). Returns False when nothing changed.

    Idempotent: a ticket already at ``level`` or above, or no longer running its SLA, is left alone.
    Notifies the holder and the organisations above it (自动上报督办).
    """
    from ..choices import SLA_RUNNING_STATES

    t = _lock(Ticket(pk=ticket_id))
    if t.status not in SLA_RUNNING_STATES or t.supervise_level >= level:
        return False
    now = now or timezone.now()
    fields = {"supervise_level": level}
    if level >= SuperviseLevel.YELLOW and not t.yellow_card_at:
        fields["yellow_card_at"] = now
    if level >= SuperviseLevel.RED and not t.red_card_at:
        fields["red_card_at"] = now
    for key, value in fields.items():
        setattr(t, key, value)
    t.save(update_fields=[*fields, "updated_at"])
    label = SuperviseLevel(level).label
    TicketAction.objects.create(
        ticket=t, actor_name="系统", action="auto_supervise", from_status=t.status, to_status=t.status,
        comment=f"{reason}，自动{label}", data={"level": level},
    )  # fmt: skip
    audit_record(action="ticket_auto_supervise", obj=t, username="system", detail={"level": level})
    outbox = TicketOutbox()
    outbox.add(
        org_user_ids(t.handler_org), t, f"{label}：{t.ticket_no} 已超期，请尽快办理。", NotificationKind.SUPERVISE
    )
    for area in _ancestors_to_notify(t, level):
        outbox.add(
            org_user_ids(handler_org_for_area(area)),
            t,
            f"{label}（下级超期）：{t.ticket_no}",
            NotificationKind.SUPERVISE,
        )
    outbox.send_on_commit()
    return True


def _ancestors_to_notify(ticket: Ticket, level: int) -> list[Area]:
    """黄牌 goes one level above the holder, 红牌 two levels (the escalation of attention)."""
    holder = ticket.handler_org
    if holder is None:
        return []
    path = policy._org_path(holder)
    if not holder.is_territory:
        return [Area.objects.get(path=path)]
    steps = 1 if level < SuperviseLevel.RED else 2
    prefixes = [path[: len(path) - Area.steplen * i] for i in range(1, steps + 1) if len(path) > Area.steplen * i]
    return list(Area.objects.filter(path__in=prefixes))


@transaction.atomic
def ticket_remind(*, ticket_id: int, text: str, now: dt.datetime | None = None) -> bool:
    """Send the 临期提醒 (催办) once per deadline; ``reminded_at`` makes it idempotent."""
    t = _lock(Ticket(pk=ticket_id))
    if t.reminded_at is not None:
        return False
    t.reminded_at = now or timezone.now()
    t.save(update_fields=["reminded_at", "updated_at"])
    TicketAction.objects.create(
        ticket=t, actor_name="系统", action="remind", from_status=t.status, to_status=t.status, comment=text
    )
    outbox = TicketOutbox()
    outbox.add(org_user_ids(t.handler_org), t, text, NotificationKind.REMINDER)
    outbox.send_on_commit()
    return True
