"""Filters of the handler's ticket list; choices of places are limited to the user's scope."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.http import QueryDict

from jiceng.core.filters import ScopedFilterSet
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area

from .choices import OPEN_STATES, Channel, Status, SuperviseLevel
from .models import Category, Ticket
from .selectors import due_soon_q, overdue_q


class TicketFilterSet(ScopedFilterSet):
    q = filters.CharFilter(label="编号或内容", method="search")
    status = filters.ChoiceFilter(
        label="状态",
        choices=[("open", "未办结"), ("all", "全部（含已结案、已归档）"), *Status.choices],
        method="by_status",
        empty_label=None,
    )
    category = filters.ModelChoiceFilter(label="类别", queryset=Category.objects.filter(is_active=True))
    channel = filters.ChoiceFilter(label="渠道", choices=Channel.choices)
    node = filters.ModelChoiceFilter(
        label="街道 / 社区", queryset=Area.objects.filter(kind__in=[AreaKind.STREET, AreaKind.COMMUNITY]).order_by("code"),
        method="under",
    )  # fmt: skip
    grid = filters.ModelChoiceFilter(label="网格", queryset=Area.objects.filter(kind=AreaKind.GRID).order_by("code"))
    due = filters.ChoiceFilter(
        label="时限", choices=[("overdue", "已超期"), ("soon", "24 小时内到期")], method="by_due"
    )
    supervise_level = filters.ChoiceFilter(label="督办等级", choices=SuperviseLevel.choices)
    submitted_after = filters.DateFilter(label="提交日期起", field_name="submitted_at", lookup_expr="date__gte")
    submitted_before = filters.DateFilter(label="提交日期止", field_name="submitted_at", lookup_expr="date__lte")

    class Meta:
        model = Ticket
        fields = ["q", "status", "category", "channel", "node", "grid", "due", "supervise_level"]

    #: The queue opens on the open work (待受理 … 待核查), not on everything ever filed; "全部" shows all.
    DEFAULT_STATUS = "open"

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("status"):
            data["status"] = self.DEFAULT_STATUS
        super().__init__(data, *args, **kwargs)
        for name in ("submitted_after", "submitted_before"):
            self.form.fields[name].widget.input_type = "date"

    def search(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(ticket_no__startswith=value) | Q(external_id=value) | Q(description__icontains=value))

    def by_status(self, qs, name, value):
        if value == "all":
            return qs
        if value == "open":
            return qs.filter(status__in=OPEN_STATES)
        return qs.filter(status=value)

    def under(self, qs, name, value):
        return qs.filter(scope_path__startswith=value.path)

    def by_due(self, qs, name, value):
        return qs.filter(overdue_q() if value == "overdue" else due_soon_q())
