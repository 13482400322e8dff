"""Filters of ``/api/v1/tickets/``."""

from __future__ import annotations

import django_filters

from jiceng.api.base import ScopedFilterSet
from jiceng.tickets.choices import Channel, Status, SuperviseLevel, Urgency
from jiceng.tickets.models import Ticket
from jiceng.tickets.selectors import due_soon_q, overdue_q


class TicketFilterSet(ScopedFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label="状态（可多选）")
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label="来源渠道")
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label="紧急程度")
    supervise_level = django_filters.MultipleChoiceFilter(choices=SuperviseLevel.choices, label="督办等级")
    category_kind = django_filters.CharFilter(field_name="category__kind", label="类型")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="已超期")
    due_soon = django_filters.BooleanFilter(method="filter_due_soon", label="临期（24 小时内到期）")
    date_from = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte", label="提交日期起")
    date_to = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte", label="提交日期止")
    q = django_filters.CharFilter(method="filter_q", label="编号或内容包含")

    class Meta:
        model = Ticket
        fields = ["category", "grid", "handler_org", "lead_org", "is_urgent", "external_id", "ticket_no"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_due_soon(self, queryset, name, value):
        return queryset.filter(due_soon_q()) if value else queryset.exclude(due_soon_q())

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(ticket_no__icontains=value) | Q(description__icontains=value) | Q(title__icontains=value)
        )
