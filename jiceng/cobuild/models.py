"""单位包保 / 单位联网: co-building units (``orgs.Organisation`` of kind ``unit``) paired with grids, their
activity log, their 报到单 to the communities of their paired grids and the communities' yearly evaluation.

Every row is scoped to the territory: a pairing and an activity to the grid, a report and an evaluation
to the community. A unit's liaison (``unit_liaison``, a personal role) sees the rows of their own unit
through ``personal_scope_q``; a liaison of another unit sees none of them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from jiceng.core.models import WorkflowEvent
from jiceng.core.scoping import ScopedModel
from jiceng.orgs.models import Organisation

from .choices import ActivityKind, Grade, ReportStatus

UNIT = {"kind": "unit"}


def liaison_units(user_id: int):
    """The ids of the co-building units whose liaison (member) the user is."""
    return Organisation.members.through.objects.filter(user_id=user_id, organisation__kind="unit").values(
        "organisation_id"
    )


def community_of(grid):
    """The community a grid lies in (its parent node)."""
    return type(grid).objects.get(path=grid.path[: -type(grid).steplen])


class Pairing(ScopedModel):
    """包保关系: a unit takes charge of one grid for a period (a unit pairs several grids, a grid may have
    several units); no two periods of the same unit and grid overlap."""

    unit = models.ForeignKey(
        Organisation, verbose_name="包保单位", on_delete=models.PROTECT, related_name="pairings",
        limit_choices_to=UNIT,
    )  # fmt: skip
    grid = models.ForeignKey(
        "territory.Area", verbose_name="包保网格", on_delete=models.PROTECT, related_name="pairings",
        limit_choices_to={"kind": "grid"},
    )  # fmt: skip
    start_date = models.DateField("包保开始日期")
    end_date = models.DateField("包保结束日期", null=True, blank=True, help_text="留空表示长期包保")
    responsibilities = models.TextField("包保职责", blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "包保关系"
        ordering = ["scope_path", "unit__name", "-start_date"]
        indexes = [models.Index(fields=["unit", "grid"])]

    def __str__(self):
        return f"{self.unit}—{self.grid}" if self.unit_id and self.grid_id else "包保关系"

    def get_absolute_url(self):
        return reverse("cobuild:pairing_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        return Q(unit_id__in=liaison_units(scope.user_id)) if action == "view" else None

    def is_active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    def clean(self):
        errors = {}
        if self.unit_id and self.unit.kind != "unit":
            errors["unit"] = "所选单位不是共建单位。"
        if self.grid_id and self.grid.kind != "grid":
            errors["grid"] = "包保对象须为网格。"
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "结束日期不能早于开始日期。"
        if errors:
            raise ValidationError(errors)
        if self.unit_id and self.grid_id and self.start_date:
            overlapping = Pairing.objects.filter(unit_id=self.unit_id, grid_id=self.grid_id).exclude(pk=self.pk)
            overlapping = overlapping.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
            if self.end_date is not None:
                overlapping = overlapping.filter(start_date__lte=self.end_date)
            if overlapping.exists():
                raise ValidationError({"start_date": "该单位在此期间已包保该网格，包保期不能重叠。"})


class UnitActivity(ScopedModel):
    """单位活动: what a unit did in a grid it pairs (or for the grid's whole community)."""

    pairing = models.ForeignKey(Pairing, verbose_name="包保关系", on_delete=models.PROTECT, related_name="activities")
    name = models.CharField("活动名称", max_length=100)
    date = models.DateField("活动日期")
    kind = models.CharField("活动类型", max_length=16, choices=ActivityKind.choices, default=ActivityKind.VOLUNTEER)
    community_wide = models.BooleanField("面向全社区", default=False, help_text="活动面向网格所在社区全体居民")
    participants = models.PositiveIntegerField("参与人数", validators=[MinValueValidator(1)])
    hours = models.FloatField("活动时长（小时）", validators=[MinValueValidator(0.1), MaxValueValidator(24)])
    content = models.TextField("活动内容")

    class Meta:
        verbose_name = verbose_name_plural = "单位活动"
        ordering = ["scope_path", "-date", "-id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cobuild:unitactivity_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        return Q(pairing__unit_id__in=liaison_units(scope.user_id)) if action == "view" else None

    def clean(self):
        errors = {}
        if self.hours is not None and self.hours <= 0:
            errors["hours"] = "活动时长须大于 0。"
        if self.date and self.date > timezone.localdate():
            errors["date"] = "活动日期不能晚于今天。"
        elif self.date and self.pairing_id:
            p = self.pairing
            if self.date < p.start_date or (p.end_date is not None and self.date > p.end_date):
                errors["date"] = "活动日期不在包保期内。"
        if errors:
            raise ValidationError(errors)


ACTIVE_REPORT = Q(status__in=[ReportStatus.SUBMITTED, ReportStatus.CONFIRMED])


class UnitReport(ScopedModel):
    """报到单: a unit reports to the community of a grid it pairs; the community confirms it (the receipt:
    who and when) or returns it with a reason. One report in force per unit and community."""

    pairing = models.ForeignKey(
        Pairing, verbose_name="包保关系", on_delete=models.PROTECT, related_name="reports",
        help_text="单位向该网格所在社区报到",
    )  # fmt: skip
    unit = models.ForeignKey(
        Organisation, verbose_name="报到单位", on_delete=models.PROTECT, related_name="cobuild_reports",
        editable=False, limit_choices_to=UNIT,
    )  # fmt: skip
    community = models.ForeignKey(
        "territory.Area", verbose_name="报到社区", on_delete=models.PROTECT, related_name="unit_reports",
        editable=False,
    )  # fmt: skip
    content = models.TextField("报到事项", help_text="单位可提供的服务、资源和承诺事项")
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    status = models.CharField("状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )  # fmt: skip
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True, editable=False)
    return_reason = models.CharField("退回理由", max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "单位报到单"
        ordering = ["scope_path", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "community"], condition=ACTIVE_REPORT, name="cobuild_one_active_report",
                violation_error_message="该单位已向该社区报到（待确认或已确认），不能重复报到。",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.unit}报到单" if self.unit_id else "报到单"

    def get_absolute_url(self):
        return reverse("cobuild:unitreport_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        return Q(unit_id__in=liaison_units(scope.user_id)) if action == "view" else None

    def derive(self) -> None:
        """The unit and the community follow from the pairing."""
        if self.pairing_id:
            self.unit_id = self.pairing.unit_id
            self.community = community_of(self.pairing.grid)


class UnitReportEvent(WorkflowEvent):
    """报到单流转记录 (written by the workflow)."""

    report = models.ForeignKey(UnitReport, verbose_name="报到单", on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = verbose_name_plural = "报到单流转记录"


def current_year() -> int:
    return timezone.localdate().year


def year_choices() -> list[tuple[int, str]]:
    """The years a community may evaluate: this one and the four before."""
    year = current_year()
    return [(y, f"{y} 年度") for y in range(year, year - 5, -1)]


class UnitEvaluation(ScopedModel):
    """社区对单位的年度评价: once a year per unit and community, of a unit whose report it confirmed."""

    report = models.ForeignKey(
        UnitReport, verbose_name="报到单", on_delete=models.PROTECT, related_name="evaluations",
        help_text="已确认的报到单",
    )  # fmt: skip
    unit = models.ForeignKey(
        Organisation, verbose_name="单位", on_delete=models.PROTECT, related_name="cobuild_evaluations",
        editable=False,
    )  # fmt: skip
    community = models.ForeignKey(
        "territory.Area", verbose_name="社区", on_delete=models.PROTECT, related_name="unit_evaluations",
        editable=False,
    )  # fmt: skip
    year = models.PositiveSmallIntegerField("年度", default=current_year, choices=year_choices)
    grade = models.CharField("评价等次", max_length=16, choices=Grade.choices)
    score = models.PositiveSmallIntegerField(
        "得分", null=True, blank=True, validators=[MaxValueValidator(100)], help_text="0–100，可不填"
    )
    comment = models.TextField("评价意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位年度评价"
        ordering = ["scope_path", "-year", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "community", "year"], name="cobuild_one_evaluation_a_year",
                violation_error_message="该社区本年度已评价过该单位。",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.unit} {self.year} 年度评价" if self.unit_id else "单位年度评价"

    def get_absolute_url(self):
        return reverse("cobuild:unitevaluation_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        return Q(unit_id__in=liaison_units(scope.user_id)) if action == "view" else None

    def derive(self) -> None:
        if self.report_id:
            self.unit_id = self.report.unit_id
            self.community_id = self.report.community_id

    def clean(self):
        if self.report_id and self.report.status != ReportStatus.CONFIRMED:
            raise ValidationError({"report": "只能评价报到已确认的单位。"})
        if self.year and self.year > current_year():
            raise ValidationError({"year": "年度不能晚于本年。"})
