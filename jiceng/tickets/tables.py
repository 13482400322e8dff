"""The handler's ticket list (django-tables2): the due time is on every row, overdue in red."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from .choices import SLA_RUNNING_STATES, SuperviseLevel
from .models import Ticket

SUPERVISE_BADGE = {SuperviseLevel.NORMAL: "bg-info", SuperviseLevel.YELLOW: "bg-warning text-dark",
                   SuperviseLevel.RED: "bg-danger"}  # fmt: skip


def due_html(ticket: Ticket, now=None):
    """The deadline in force, in Asia/Shanghai, marked 超期 / 临期 while the SLA runs."""
    due = ticket.due_at
    if due is None:
        return "—"
    now = now or timezone.now()
    text = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    if ticket.status in SLA_RUNNING_STATES:
        if due < now:
            return format_html(
                '<span class="text-danger fw-semibold" data-overdue="1">{} <span class="badge bg-danger">超期</span></span>',
                text,
            )
        if (due - now).total_seconds() <= 24 * 3600:
            return format_html('{} <span class="badge bg-warning text-dark">临期</span>', text)
    return text


def card(label: str) -> dict:
    """Cell attributes for the phone card layout (``table.jc-cards``, jiceng.css): each cell carries its
    column's name, shown before the value when the rows become cards on a small screen."""
    return {"td": {"data-label": label}}


class TicketTable(tables.Table):
    """The queue. On a phone (< 768 px) its rows are cards (same cells, same links); a table on desktop."""

    ticket_no = tables.Column(
        verbose_name="工单编号", linkify=("tickets:detail", [tables.A("pk")]), attrs=card("工单编号")
    )
    submitted_at = tables.DateTimeColumn(verbose_name="提交时间", format="Y-m-d H:i", attrs=card("提交时间"))
    category = tables.Column(
        verbose_name="类别", accessor="category__name", order_by=("category__sort_order",), attrs=card("类别")
    )
    description = tables.Column(verbose_name="诉求内容", orderable=False, attrs=card("诉求内容"))
    channel = tables.Column(verbose_name="渠道", attrs=card("渠道"))
    grid = tables.Column(verbose_name="网格", accessor="grid__name", attrs=card("网格"))
    status = tables.Column(verbose_name="状态", attrs=card("状态"))
    handler_org = tables.Column(
        verbose_name="承办单位", accessor="handler_org__name", default="—", attrs=card("承办单位")
    )
    due = tables.Column(verbose_name="办理时限", empty_values=(), order_by=("sla_due_at",), attrs=card("办理时限"))
    supervise_level = tables.Column(verbose_name="督办", attrs=card("督办"))

    class Meta:
        model = Ticket
        fields = ("ticket_no", "submitted_at", "category", "description", "channel", "grid", "status",
                  "handler_org", "due", "supervise_level")  # fmt: skip
        order_by = ("-submitted_at",)
        empty_text = "暂无诉求"
        attrs = {"class": "table table-sm table-hover align-middle jc-cards", "id": "jc-ticket-table"}
        row_attrs = {"data-ticket": lambda record: record.ticket_no}

    def render_description(self, value, record):
        text = (record.title or value or "")[:30]
        return text + ("…" if len(record.title or value or "") > 30 else "")

    def render_due(self, record):
        return due_html(record)

    def render_supervise_level(self, value, record):
        if not record.supervise_level:
            return "—"
        return format_html('<span class="badge {}">{}</span>', SUPERVISE_BADGE.get(record.supervise_level, ""), value)
