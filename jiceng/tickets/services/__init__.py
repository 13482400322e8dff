"""Writes of the 诉求 loop. Every path (web, API, Open311, Excel import, background jobs) comes here.

One module per seam; every public name is importable from ``jiceng.tickets.services``:

* ``intake`` — ``ticket_create`` (validates, routes the location to its grid, numbers the ticket and by
  default submits it), the visitor's follow-up code (``followup_code_*``), ``ticket_reveal_contact``;
* ``lifecycle`` — ``ticket_transition``, **the only code that changes a ticket's status** (the ticket
  workflow of ``tickets/workflow.py`` on the shared engine ``jiceng.core.workflow``), and what the
  overdue job does (``ticket_auto_supervise``, ``ticket_remind``);
* ``handlers`` — one function per action of ``states.py`` and the workflow's hooks;
* ``notifications`` — the organisations and people to notify, the outbox, ``notification_mark_read``;
* ``attachments`` — ``attachment_add`` (photos checked by their bytes);
* ``config`` — the time limits (``sla_for``, ``sla_rule_set`` / ``sla_table_set``, district admin only);
* ``workcalendar`` — the working-day calendar (``workday_set`` / ``workday_set_many`` / ``workday_clear``).
"""

from __future__ import annotations

from .attachments import (
    IMAGE_SIGNATURES,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_PER_TICKET,
    attachment_add,
    attachments_for_event,
)
from .config import (
    CONFIGURE_PERM,
    DEFAULT_DISPATCH_HOURS,
    DEFAULT_FEEDBACK_OTHER,
    DEFAULT_FEEDBACK_WORKDAYS,
    MAX_DISPATCH_HOURS,
    MAX_FEEDBACK_WORKDAYS,
    sla_for,
    sla_order_warnings,
    sla_rule_set,
    sla_table,
    sla_table_set,
)
from .handlers import (
    ANONYMOUS_REPORTER_ACTIONS,
    HANDLERS,
)
from .intake import (
    ANONYMOUS_CHANNELS,
    FOLLOWUP_ALPHABET,
    FOLLOWUP_CODE_LENGTH,
    REVEAL_FIELD,
    REVEAL_LABEL,
    REVEAL_REFUSED,
    TICKET_FIELDS,
    followup_code_hash,
    followup_code_matches,
    followup_code_new,
    followup_code_normalise,
    next_ticket_no,
    phone_hash_for,
    route_location,
    ticket_create,
    ticket_reveal_contact,
)
from .lifecycle import (
    ticket_auto_supervise,
    ticket_remind,
    ticket_transition,
)
from .notifications import (
    AREA_ORG_KIND,
    TicketOutbox,
    acting_org,
    handler_org_for_area,
    notification_mark_read,
    org_user_ids,
)
from .workcalendar import (
    WORKDAY_YEARS_AHEAD,
    workday_clear,
    workday_problem,
    workday_set,
    workday_set_many,
)

__all__ = [
    "ANONYMOUS_CHANNELS",
    "ANONYMOUS_REPORTER_ACTIONS",
    "AREA_ORG_KIND",
    "CONFIGURE_PERM",
    "DEFAULT_DISPATCH_HOURS",
    "DEFAULT_FEEDBACK_OTHER",
    "DEFAULT_FEEDBACK_WORKDAYS",
    "FOLLOWUP_ALPHABET",
    "FOLLOWUP_CODE_LENGTH",
    "HANDLERS",
    "IMAGE_SIGNATURES",
    "MAX_ATTACHMENTS_PER_TICKET",
    "MAX_ATTACHMENT_BYTES",
    "MAX_DISPATCH_HOURS",
    "MAX_FEEDBACK_WORKDAYS",
    "REVEAL_FIELD",
    "REVEAL_LABEL",
    "REVEAL_REFUSED",
    "TICKET_FIELDS",
    "TicketOutbox",
    "WORKDAY_YEARS_AHEAD",
    "acting_org",
    "attachment_add",
    "attachments_for_event",
    "followup_code_hash",
    "followup_code_matches",
    "followup_code_new",
    "followup_code_normalise",
    "handler_org_for_area",
    "next_ticket_no",
    "notification_mark_read",
    "org_user_ids",
    "phone_hash_for",
    "route_location",
    "sla_for",
    "sla_order_warnings",
    "sla_rule_set",
    "sla_table",
    "sla_table_set",
    "ticket_auto_supervise",
    "ticket_create",
    "ticket_remind",
    "ticket_reveal_contact",
    "ticket_transition",
    "workday_clear",
    "workday_problem",
    "workday_set",
    "workday_set_many",
]
