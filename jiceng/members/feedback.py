"""Annual evaluation rules' reads, the six-month no-service alert list and the quarterly feedback sheet to
employer units (季度反馈单): list pages (so the exports side writes their .xlsx), printable on A4."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from jiceng.core.filters import ScopedFilterSet
from jiceng.core.views import ObjectListView
from jiceng.orgs.models import Organisation

from .models import MemberReport
from .rules import QUARTER, last_quarter, quarter_choices, quarter_range
from .selectors import feedback_rows, no_service_alerts
from .services import feedback_send

# --- 六个月无服务预警 ------------------------------------------------------------------------------------


class AlertTable(tables.Table):
    member = tables.Column(verbose_name="党员", linkify=lambda record: record.get_absolute_url())
    community = tables.Column(verbose_name="报到社区")
    employer = tables.Column(verbose_name="工作单位")
    confirmed_at = tables.DateColumn(verbose_name="报到确认", format="Y-m-d")
    last_service = tables.DateColumn(verbose_name="最近一次服务", format="Y-m-d", default="从未服务")

    class Meta:
        model = MemberReport
        fields = ("member", "community", "employer", "confirmed_at", "last_service")
        empty_text = "没有六个月无服务的党员"


class AlertFilterSet(ScopedFilterSet):
    class Meta:
        model = MemberReport
        fields = ["community"]


class NoServiceAlertView(ObjectListView):
    """六个月无服务预警: reported members with no confirmed service in six months (to talk to, or to end)."""

    model = MemberReport
    table_class = AlertTable
    filterset_class = AlertFilterSet
    title = "六个月无服务预警"

    def get_base_queryset(self):
        return MemberReport.objects.select_related("member", "community").order_by("scope_path", "pk")

    def get_queryset(self):
        return no_service_alerts(super().get_queryset())


# --- 季度反馈单 (to employer units) ----------------------------------------------------------------------


class FeedbackTable(tables.Table):
    member = tables.Column(verbose_name="党员")
    community = tables.Column(verbose_name="报到社区")
    status = tables.Column(verbose_name="报到状态")
    confirmed_at = tables.DateColumn(verbose_name="报到日期", format="Y-m-d")
    services = tables.Column(verbose_name="本季度服务次数")
    hours = tables.Column(verbose_name="本季度服务时长（小时）", default=0)

    class Meta:
        model = MemberReport
        fields = ("member", "community", "status", "confirmed_at", "services", "hours")
        empty_text = "该单位本季度没有报到党员"


class FeedbackFilterSet(ScopedFilterSet):
    unit = django_filters.ModelChoiceFilter(
        label="工作单位", field_name="employer_unit", queryset=Organisation.objects.none(), empty_label="请选择单位"
    )
    quarter = django_filters.ChoiceFilter(label="季度", choices=quarter_choices, method="no_filter", empty_label=None)

    class Meta:
        model = MemberReport
        fields = ["unit", "quarter"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = units if units is not None else Organisation.objects.none()
        self.form.fields["unit"].queryset = self.filters["unit"].queryset

    def no_filter(self, qs, name, value):
        return qs


class FeedbackView(ObjectListView):
    """季度反馈单: for one employer unit and quarter, its members' reports, services and hours. The units are
    those of the reports the user may see (a community sees its own members of the unit, the district all);
    the export button writes the .xlsx, the page prints on A4, and POST sends it as a notice to the unit's
    liaisons (单位联络员)."""

    model = MemberReport
    table_class = FeedbackTable
    template_name = "members/feedback.html"
    title = "在职党员季度反馈单"

    def get_base_queryset(self):
        return MemberReport.objects.select_related("member", "community").order_by("scope_path", "pk")

    def _units(self):
        visible = MemberReport.objects.restrict(self.request.user, "view").values("employer_unit")
        return Organisation.objects.filter(kind="unit", pk__in=visible).order_by("name")

    @property
    def filterset_class(self):
        units = self._units()
        return lambda *args, **kwargs: FeedbackFilterSet(*args, units=units, **kwargs)

    def _quarter(self) -> str:
        value = self.request.GET.get("quarter") or self.request.POST.get("quarter") or last_quarter()
        return value if QUARTER.match(value) else last_quarter()

    def get_queryset(self):
        unit = self.request.GET.get("unit") or self.request.POST.get("unit")
        if not (unit or "").isdigit():
            return super().get_queryset().none()
        return feedback_rows(super().get_queryset(), int(unit), self._quarter())

    def get_extra_context(self):
        start, end = quarter_range(self._quarter())
        unit_id = self.request.GET.get("unit") or ""
        unit = self._units().filter(pk=unit_id).first() if unit_id.isdigit() else None
        return {"unit": unit, "quarter": self._quarter(), "start": start, "end": end,
                "can_send": unit is not None and self.can("change")}  # fmt: skip

    def post(self, request, *args, **kwargs):
        """Send the sheet to the unit's liaisons: a notice each, pointing at the unit."""
        if not self.can("change"):
            raise PermissionDenied("您没有发送反馈单的权限。")
        unit_id = request.POST.get("unit") or ""
        unit = self._units().filter(pk=unit_id).first() if unit_id.isdigit() else None
        if unit is None:
            messages.error(request, "请选择您辖区内有报到党员的单位。")
            return redirect(request.path)
        quarter = self._quarter()
        told = feedback_send(actor=request.user, unit=unit, quarter=quarter, rows=self.get_queryset())
        messages.success(request, f"反馈单已发送给“{unit.name}”的 {told} 名联络员。")
        return redirect(f"{request.path}?unit={unit.pk}&quarter={quarter}")
