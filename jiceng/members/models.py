"""在职党员双报到 (“一单一表一卡”: 报到单, 服务岗位与上岗登记, 服务登记卡) and 党员联户 (联系户, 走访).

Every row belongs to the community the member reports to (or, for a link or a visit, to the household's
grid), so the community confirms and its street and district see; the member sees their own rows
through ``personal_scope_q`` (a personal role, ``party_member``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from treebeard.mp_tree import MP_NodeManager

from jiceng.core.models import WorkflowEvent
from jiceng.core.scoping import ScopedModel
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area

from .choices import (
    ACTIVE_REPORT_STATES,
    ApplicationStatus,
    Grade,
    PostCategory,
    RecordStatus,
    ReportChannel,
    ReportStatus,
    ServiceKind,
    VisitKind,
)


class CommunityManager(MP_NodeManager):
    def get_queryset(self):
        return super().get_queryset().filter(kind="community").order_by("path")


class Community(Area):
    """A community of the tree, as the place a member reports to or serves in.

    Its manager is a plain one on purpose: which community a member may report to is a rule of the
    service (the one where they live; a worker only within their grant), and the names of the
    communities are no secret, so a member who has not reported yet can still name theirs in a form or
    in ``POST /api/v1/member-reports/`` (a scoped ``Area`` would show them none)."""

    objects = CommunityManager()

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "社区"


def _community(**kwargs):
    return models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", **kwargs)


def _own(scope, field="member_id"):
    return Q(**{field: scope.party_member_id}) if scope.party_member_id else None


class MemberReport(ScopedModel):
    """报到单: an in-service member reports to the community where they live; the community confirms it."""

    member = models.ForeignKey(
        "party.PartyMember", verbose_name="报到党员", on_delete=models.PROTECT, related_name="member_reports",
        blank=True, help_text="党员本人报到时不必填写。",
    )  # fmt: skip
    community = _community(verbose_name="报到社区", blank=True, help_text="不填则为党员居住地所在社区。")
    status = models.CharField("状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    channel = models.CharField("报到方式", max_length=16, choices=ReportChannel.choices, editable=False)
    employer = models.CharField("工作单位", max_length=100, blank=True, editable=False)
    employer_unit = models.ForeignKey(
        "orgs.Organisation", verbose_name="工作单位（共建单位）", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", limit_choices_to={"kind": "unit"}, help_text="工作单位是共建单位时选择，用于季度反馈。",
    )  # fmt: skip
    skills = models.CharField("特长与服务意愿", max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip
    submitted_at = models.DateTimeField("报到时间", default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True, editable=False)
    return_reason = models.CharField("退回原因", max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "报到单"
        ordering = ["scope_path", "-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=[s.value for s in ACTIVE_REPORT_STATES]),
                name="one_active_report_per_member",
                violation_error_message="该党员已有待确认或已报到的报到单，不能重复报到。",
            )
        ]
        indexes = [models.Index(fields=["status", "scope_path"], name="memberreport_status_scope")]

    def __str__(self):
        return f"{self.member.name}报到{self.community.name}" if self.member_id and self.community_id else "报到单"

    def get_absolute_url(self):
        return reverse("members:memberreport_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        """The member's own reports; a unit's liaison (单位联络员) reads those naming their unit as employer."""
        if action != "view":
            return None
        units = Organisation.members.through.objects.filter(user_id=scope.user_id).values("organisation_id")
        mine = Q(employer_unit_id__in=units)
        own = _own(scope)
        return mine | own if own is not None else mine


class MemberReportEvent(WorkflowEvent):
    """One step of a report's history (提交、确认、退回、重新提交、撤回、注销)."""

    report = models.ForeignKey(MemberReport, verbose_name="报到单", on_delete=models.CASCADE, related_name="events")

    class Meta:
        verbose_name = verbose_name_plural = "报到单记录"
        ordering = ["created_at", "id"]


class ServicePost(ScopedModel):
    """服务岗位: a community's post for reported members, with a headcount; the roster is its confirmed applications."""

    community = _community(verbose_name="所属社区")
    name = models.CharField("岗位名称", max_length=100)
    category = models.CharField("岗位类别", max_length=16, choices=PostCategory.choices)
    headcount = models.PositiveSmallIntegerField(
        "岗位人数", validators=[MinValueValidator(1), MaxValueValidator(200)], help_text="可上岗的党员人数。"
    )
    description = models.TextField("岗位职责", blank=True)
    is_open = models.BooleanField("开放申领", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务岗位"
        ordering = ["scope_path", "category", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="servicepost_name_per_community",
                violation_error_message="该社区已有同名服务岗位。",
            )
        ]  # fmt: skip

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:servicepost_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        if action == "view" and scope.report_community_id:
            return Q(community_id=scope.report_community_id)
        return None


class PostApplication(ScopedModel):
    """上岗申请: a reported member applies for a post; the community confirms it within the headcount."""

    post = models.ForeignKey(
        ServicePost, verbose_name="服务岗位", on_delete=models.PROTECT, related_name="applications"
    )
    member = models.ForeignKey(
        "party.PartyMember", verbose_name="申请党员", on_delete=models.PROTECT, related_name="post_applications",
        blank=True, help_text="党员本人申请时不必填写。",
    )  # fmt: skip
    status = models.CharField(
        "状态", max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING, editable=False
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True, editable=False)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "上岗申请"
        ordering = ["post", "status", "id"]
        constraints = [
            # On expressions, not ``fields``: the API's serializer then does not make ``member`` required (the
            # member applying for themself leaves it out); ``full_clean`` still checks it.
            models.UniqueConstraint(
                F("post"), F("member"), name="one_application_per_post_member",
                violation_error_message="该党员已申请过这个岗位。",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.member.name} · {self.post.name}"

    def get_absolute_url(self):
        return reverse("members:postapplication_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        return _own(scope) if action == "view" else None


class PostApplicationEvent(WorkflowEvent):
    application = models.ForeignKey(
        PostApplication, verbose_name="上岗申请", on_delete=models.CASCADE, related_name="events"
    )

    class Meta:
        verbose_name = verbose_name_plural = "上岗申请记录"
        ordering = ["created_at", "id"]


class ServiceRecord(ScopedModel):
    """服务登记卡: one service by a reported member (date, hours, what it served), confirmed by the community."""

    member = models.ForeignKey(
        "party.PartyMember", verbose_name="服务党员", on_delete=models.PROTECT, related_name="service_records",
        blank=True, help_text="党员本人登记时不必填写。",
    )  # fmt: skip
    community = _community(verbose_name="服务社区", editable=False)
    date = models.DateField("服务日期")
    hours = models.DecimalField(
        "服务时长（小时）", max_digits=4, decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"), "服务时长须大于 0。"), MaxValueValidator(Decimal("24"), "一天最多 24 小时。")],
    )  # fmt: skip
    kind = models.CharField("服务类型", max_length=16, choices=ServiceKind.choices)
    post = models.ForeignKey(
        ServicePost, verbose_name="服务岗位", null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    household = models.ForeignKey(
        "territory.Household", verbose_name="服务的户", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    need = models.CharField("服务的需求", max_length=200, blank=True, help_text="认领的需求或微心愿。")
    content = models.CharField("服务内容", max_length=300)
    status = models.CharField(
        "状态", max_length=16, choices=RecordStatus.choices, default=RecordStatus.PENDING, editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "服务登记卡"
        ordering = ["scope_path", "-date", "-id"]
        indexes = [models.Index(fields=["member", "date"], name="servicerecord_member_date")]

    def __str__(self):
        return f"{self.member.name} {self.date:%Y-%m-%d} {self.hours}小时"

    def get_absolute_url(self):
        return reverse("members:servicerecord_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        return _own(scope) if action == "view" else None

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "服务日期不能晚于今天。"})


class ServiceRecordEvent(WorkflowEvent):
    record = models.ForeignKey(
        ServiceRecord, verbose_name="服务登记卡", on_delete=models.CASCADE, related_name="events"
    )

    class Meta:
        verbose_name = verbose_name_plural = "服务登记卡记录"
        ordering = ["created_at", "id"]


class HouseholdLink(ScopedModel):
    """联系户 (党员联户): a reported member looks after a household of their community.

    The 党员中心户 of ``party`` keep their ``linked_households``: the same relation, read together with
    these rows (``selectors.linked_household_ids``), never copied."""

    member = models.ForeignKey(
        "party.PartyMember", verbose_name="联户党员", on_delete=models.PROTECT, related_name="household_links"
    )
    household = models.ForeignKey(
        "territory.Household", verbose_name="联系户", on_delete=models.PROTECT, related_name="member_links"
    )
    since = models.DateField("联系起始日期", default=dt.date.today)
    note = models.CharField("备注", max_length=200, blank=True)

    scope_parent = "household"
    scope_quarter_lookup = "household__building__quarter_id"

    class Meta:
        verbose_name = verbose_name_plural = "党员联系户"
        ordering = ["scope_path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "household"], name="one_link_per_member_household",
                violation_error_message="该党员已联系此户。",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.member.name} → {self.household}"

    def get_absolute_url(self):
        return reverse("members:householdlink_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        return _own(scope) if action == "view" else None


class Visit(ScopedModel):
    """走访: a member's visit to a household they look after; a problem found becomes a request (工单)."""

    member = models.ForeignKey(
        "party.PartyMember", verbose_name="走访党员", on_delete=models.PROTECT, related_name="visits"
    )
    household = models.ForeignKey(
        "territory.Household", verbose_name="走访户", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField("走访日期")
    kind = models.CharField("走访方式", max_length=16, choices=VisitKind.choices)
    notes = models.TextField("走访情况")
    problem_found = models.BooleanField("发现问题", default=False, editable=False)
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name="转办工单", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip

    scope_parent = "household"
    scope_quarter_lookup = "household__building__quarter_id"

    class Meta:
        verbose_name = verbose_name_plural = "党员走访"
        ordering = ["scope_path", "-date", "-id"]

    def __str__(self):
        return f"{self.member.name} {self.date:%Y-%m-%d} 走访"

    def get_absolute_url(self):
        return reverse("members:visit_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        return _own(scope) if action == "view" else None

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "走访日期不能晚于今天。"})


class MemberEvaluation(ScopedModel):
    """年度评议: the community rates each reported member once a year."""

    member = models.ForeignKey(
        "party.PartyMember", verbose_name="党员", on_delete=models.PROTECT, related_name="member_evaluations"
    )
    community = _community(verbose_name="评议社区")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    grade = models.CharField("评议等次", max_length=16, choices=Grade.choices)
    comment = models.CharField("评语", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "在职党员年度评议"
        ordering = ["scope_path", "-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"], name="one_evaluation_per_member_year",
                violation_error_message="该党员本年度已评议。",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.member.name} {self.year}年度 {self.get_grade_display()}"

    def get_absolute_url(self):
        return reverse("members:memberevaluation_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        return _own(scope) if action == "view" else None


class FeedbackDispatch(models.Model):
    """季度反馈单的发送回执: the quarter's sheet sent to a unit's liaisons (by a worker, or the quarterly job)."""

    unit = models.ForeignKey("orgs.Organisation", verbose_name="工作单位", on_delete=models.CASCADE, related_name="+")
    quarter = models.CharField("季度", max_length=6, help_text="如 2026Q3。")
    sent_at = models.DateTimeField("发送时间", default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发送人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="空：季度自动发送。",
    )  # fmt: skip
    members = models.PositiveIntegerField("报到党员数", default=0)
    hours = models.DecimalField("服务时长（小时）", max_digits=8, decimal_places=1, default=0)
    recipients = models.PositiveIntegerField("收件联络员数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "季度反馈单发送记录"
        constraints = [models.UniqueConstraint(fields=["unit", "quarter"], name="one_feedback_per_unit_quarter")]

    def __str__(self):
        return f"{self.unit} {self.quarter}"
