"""Reads of the Open311 facade: the public service list, and the public view of requests.

Publicly readable (anonymous GET, as GeoReport v2 intends): every submitted ticket except 举报 (whose
reporters are protected) — a 举报 is readable only with the api_key that posted it. Fields are the
GeoReport v2 ones: no reporter name, phone or email; phone and ID numbers inside the description are
masked; the address is the building's (never a room).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from jiceng.core.masking import mask_phone
from jiceng.tickets.choices import OPEN_STATES, CategoryKind, Status
from jiceng.tickets.models import Category, Ticket

from .services import service_attributes

MAX_RESULTS = 1000
DEFAULT_SPAN_DAYS = 90
OPEN, CLOSED = "open", "closed"
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_RE = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")


def jurisdiction_id() -> str:
    return getattr(settings, "JICENG_OPEN311_JURISDICTION", "341103")


def iso(value) -> str | None:
    """ISO 8601 with the offset (``2026-03-01T09:30:00+08:00``)."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def services() -> list[dict]:
    rows = []
    for c in Category.objects.filter(is_active=True).order_by("sort_order", "service_code"):
        keywords = [k.strip() for k in re.split(r"[,，、;；\s]+", c.keywords or "") if k.strip()]
        rows.append(
            {
                "service_code": str(c.service_code),
                "service_name": c.name,
                "description": c.description,
                "metadata": bool(c.attributes),
                "type": "realtime",
                "keywords": ",".join(keywords),
                "group": CategoryKind(c.kind).label,
            }
        )
    return rows


def service_definition(category: Category) -> dict:
    return {"service_code": str(category.service_code), "attributes": service_attributes(category)}


def public_q(api_key=None) -> Q:
    q = ~Q(status=Status.DRAFT) & ~Q(category__kind=CategoryKind.REPORT)
    if api_key is not None:
        q |= Q(open311__api_key=api_key) & ~Q(status=Status.DRAFT)
    return q


def public_requests(api_key=None) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(public_q(api_key))
        .select_related("category", "handler_org", "lead_org", "building", "merged_into", "open311")
        .order_by("-submitted_at", "-id")
    )


def public_status(ticket: Ticket) -> str:
    return OPEN if ticket.status in OPEN_STATES else CLOSED


def status_notes(ticket: Ticket) -> str:
    s = Status(ticket.status)
    org = ticket.lead_org or ticket.handler_org
    reply = (ticket.reply or "").strip()[:500]
    notes = {
        Status.PENDING_ACCEPT: "待受理。",
        Status.ACCEPTED: "已受理，正在派单。",
        Status.DISPATCHED: f"已派单至{org}，待签收。" if org else "已派单，待签收。",
        Status.IN_PROGRESS: f"{org}正在办理。" if org else "办理中。",
        Status.SUSPENDED: "挂账办理（需较长时间解决）。",
        Status.RESOLVED: f"已办结，待核查。答复：{reply}" if reply else "已办结，待核查。",
        Status.CLOSED: f"已结案。答复：{reply}" if reply else "已结案。",
        Status.EVALUATED: f"已结案并回访评价。答复：{reply}" if reply else "已结案并回访评价。",
        Status.ARCHIVED: f"已结案归档。答复：{reply}" if reply else "已结案归档。",
        Status.REJECTED: f"不予受理：{reply}" if reply else "不予受理。",
        Status.MERGED: f"已与诉求 {ticket.merged_into.ticket_no} 合并办理。" if ticket.merged_into_id else "已并单。",
        Status.CANCELLED: "诉求人已撤销。",
        Status.CLOSED_ADMIN: "已终止办理。",
    }
    return redact(notes.get(s, s.label))


def redact(text: str) -> str:
    text = PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text or "")
    return ID_RE.sub(lambda m: m.group(0)[:3] + "*" * 11 + m.group(0)[-4:], text)


def service_notice(ticket: Ticket) -> str:
    due = ticket.due_at
    if ticket.status in OPEN_STATES and due:
        return f"工单编号 {ticket.ticket_no}，办理时限 {timezone.localtime(due):%Y-%m-%d %H:%M}。"
    return f"工单编号 {ticket.ticket_no}。"


def request_dict(ticket: Ticket) -> dict:
    """Endpoint 6's fields, in the order of the specification."""
    building = ticket.building
    extra = getattr(ticket, "open311", None)  # RelatedObjectDoesNotExist is an AttributeError
    org = ticket.lead_org or ticket.handler_org
    address = building.address if building is not None and building.address else ticket.address
    expected = ticket.due_at if ticket.status in OPEN_STATES else None
    return {
        "service_request_id": ticket.ticket_no,
        "status": public_status(ticket),
        "status_notes": status_notes(ticket),
        "service_name": ticket.category.name,
        "service_code": str(ticket.category.service_code),
        "description": redact(ticket.description),
        "agency_responsible": org.name if org else "",
        "service_notice": service_notice(ticket),
        "requested_datetime": iso(ticket.submitted_at or ticket.created_at),
        "updated_datetime": iso(ticket.updated_at),
        "expected_datetime": iso(expected),
        "address": address or "",
        "address_id": str(ticket.building_id) if ticket.building_id else "",
        "zipcode": "",
        "lat": ticket.lat,
        "long": ticket.lng,
        "media_url": extra.media_url if extra is not None else "",
    }
