"""社区大党委 / 街道大工委: the part-time members from the co-building units (兼职委员), the rotating duty
(轮值), the joint meetings (联席会议) and their action items (议定事项); and the records of the community's
full-time workers (社区专职工作者: annual assessment, history of post, grade and qualification).

The committee itself is a ``party.PartyOrg`` with ``is_big_committee``; a part-time member who is a Party
member on the register also holds a ``party.CommitteeSeat`` of role ``part_time`` (kept by the service).
Every row carries its committee's ``scope_path`` (a community's or a street's).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from jiceng.core.models import WorkflowEvent
from jiceng.core.scoping import ScopedManager, ScopedModel, ScopedQuerySet, permission_name
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area

from .choices import INDICATORS, OPEN_STATES, ActionStatus, AssessmentGrade, DutyPeriod, HistoryKind

BIG_COMMITTEE = {"is_big_committee": True}
UNIT = {"kind": "unit"}


class CommitteeUnitQuerySet(ScopedQuerySet):
    def restrict(self, user, action: str = "view"):
        """The co-building units a committee's people may pick: those ``orgs`` lets them see, and every unit
        serving a node on the path of one of their committee grants (their node, the nodes above it and
        below it) — never a unit of a sibling's subtree."""
        scope = getattr(user, "scope", None)
        if scope is None or not getattr(user, "is_authenticated", False):
            return self.none()
        q = Q(pk__in=Organisation.objects.restrict(user, "view").values("pk"))
        for grant in scope.grants_with(permission_name(PartTimeMember, "view")):
            q |= Q(area__path__in=Area.ancestor_paths(grant.area_path)) | Q(area__path__startswith=grant.area_path)
        return self.filter(q, kind="unit")


class CommitteeUnit(Organisation):
    """A co-building unit (``orgs.Organisation`` of kind ``unit``) as the committee's registers link it."""

    objects = ScopedManager.from_queryset(CommitteeUnitQuerySet)()

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "共建单位"


def period_end(start: dt.date, period: str) -> dt.date:
    """The last day of the month or the quarter that begins on ``start``."""
    months = 3 if period == DutyPeriod.QUARTER else 1
    year, month = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)


class PartTimeMember(ScopedModel):
    """兼职委员: a person of a co-building unit who sits on a community 大党委 or a street 大工委."""

    committee = models.ForeignKey(
        "party.PartyOrg", verbose_name="大党委（大工委）", on_delete=models.PROTECT, related_name="part_time_members",
        limit_choices_to=BIG_COMMITTEE,
    )  # fmt: skip
    name = models.CharField("姓名", max_length=50)
    unit = models.ForeignKey(
        "committee.CommitteeUnit", verbose_name="所在单位", on_delete=models.PROTECT, related_name="committee_members",
        limit_choices_to=UNIT,
    )  # fmt: skip
    post = models.CharField("单位职务", max_length=50, help_text="在本单位的职务，如“党委书记”。")
    member = models.ForeignKey(
        "party.PartyMember", verbose_name="对应党员", null=True, blank=True, on_delete=models.PROTECT,
        related_name="part_time_posts", help_text="在党员名册中的，填写后同步为大党委的兼职委员职务。",
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="part_time_posts",
    )  # fmt: skip
    term_start = models.DateField("任期开始")
    term_end = models.DateField("任期结束", null=True, blank=True)
    seat = models.OneToOneField(
        "party.CommitteeSeat", verbose_name="委员职务", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="part_time_member",
    )  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "兼职委员"
        ordering = ["scope_path", "committee", "name"]
        indexes = [models.Index(fields=["scope_path", "term_end"], name="ptm_scope_end_idx")]

    def __str__(self):
        return f"{self.name}（{self.unit}）"

    def get_absolute_url(self):
        return reverse("committee:parttimemember_detail", args=[self.pk])

    def is_active_on(self, day: dt.date) -> bool:
        return self.term_start <= day and (self.term_end is None or self.term_end >= day)


def active_q(day: dt.date, prefix: str = "") -> Q:
    """Part-time members in office on ``day``."""
    return Q(**{f"{prefix}term_start__lte": day}) & (
        Q(**{f"{prefix}term_end__isnull": True}) | Q(**{f"{prefix}term_end__gte": day})
    )


class DutyRoster(ScopedModel):
    """轮值: one period (a month or a quarter) of a committee's roster and the unit that chairs it.

    A committee's periods follow each other without a gap or an overlap (the service checks it)."""

    committee = models.ForeignKey(
        "party.PartyOrg", verbose_name="大党委（大工委）", on_delete=models.PROTECT, related_name="duty_rosters",
        limit_choices_to=BIG_COMMITTEE,
    )  # fmt: skip
    period = models.CharField("轮值周期", max_length=8, choices=DutyPeriod.choices, default=DutyPeriod.MONTH)
    start = models.DateField("起始日期", help_text="按月为当月 1 日，按季度为季度首月 1 日。")
    end = models.DateField("结束日期", editable=False)
    chair = models.ForeignKey(
        "committee.CommitteeUnit", verbose_name="轮值单位", on_delete=models.PROTECT, related_name="duty_rosters",
        limit_choices_to=UNIT,
    )  # fmt: skip
    note = models.CharField("备注", max_length=200, blank=True)
    handover_notified_at = models.DateTimeField("交接提醒时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "轮值安排"
        ordering = ["scope_path", "committee", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "start"], name="duty_one_period_per_start",
                violation_error_message="该大党委在此起始日期已有轮值安排。",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.start:%Y年%m月}起 {self.chair}"

    def get_absolute_url(self):
        return reverse("committee:dutyroster_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if self.start and self.period:
            self.end = period_end(self.start, self.period)
        super().save(*args, **kwargs)


class JointMeeting(ScopedModel):
    """联席会议 of a committee: its agenda starts with the open action items of the previous meeting."""

    committee = models.ForeignKey(
        "party.PartyOrg", verbose_name="大党委（大工委）", on_delete=models.PROTECT, related_name="joint_meetings",
        limit_choices_to=BIG_COMMITTEE,
    )  # fmt: skip
    name = models.CharField("会议名称", max_length=100)
    date = models.DateField("会议日期")
    venue = models.CharField("会议地点", max_length=100)
    convener = models.ForeignKey(
        "committee.CommitteeUnit", verbose_name="召集单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="convened_meetings", limit_choices_to=UNIT, help_text="不填时为会议当日的轮值单位。",
    )  # fmt: skip
    agenda = models.TextField("会议议程", blank=True, help_text="新建时自动列出上次会议尚未办结的议定事项。")
    minutes = models.TextField("会议纪要", blank=True)
    carried_items = models.ManyToManyField(
        "ActionItem", verbose_name="延续的议定事项", blank=True, editable=False, related_name="carried_to"
    )

    class Meta:
        verbose_name = verbose_name_plural = "联席会议"
        ordering = ["scope_path", "-date", "-pk"]
        indexes = [models.Index(fields=["committee", "date"], name="meeting_committee_date_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("committee:jointmeeting_detail", args=[self.pk])


class MeetingAttendance(ScopedModel):
    """签到: a part-time member present at a joint meeting."""

    meeting = models.ForeignKey(
        JointMeeting, verbose_name="联席会议", on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        PartTimeMember, verbose_name="兼职委员", on_delete=models.PROTECT, related_name="attendance"
    )
    signed_at = models.DateTimeField("签到时间", default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "会议签到"
        ordering = ["meeting", "signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], name="one_sign_in_per_member", violation_error_message="该委员已签到。"
            )
        ]

    def __str__(self):
        return f"{self.member.name} 签到"


class ActionItem(ScopedModel):
    """议定事项: a decision of a joint meeting, owned by a unit or a person, with a deadline and a status
    that only ``workflow.ACTION_ITEMS`` changes."""

    meeting = models.ForeignKey(
        JointMeeting, verbose_name="联席会议", on_delete=models.PROTECT, related_name="action_items"
    )
    name = models.CharField("议定事项", max_length=200)
    description = models.TextField("具体内容", blank=True)
    owner_unit = models.ForeignKey(
        "committee.CommitteeUnit", verbose_name="责任单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="action_items", limit_choices_to=UNIT,
    )  # fmt: skip
    owner_member = models.ForeignKey(
        PartTimeMember, verbose_name="责任人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="action_items",
    )  # fmt: skip
    deadline = models.DateField("办结期限")
    status = models.CharField(
        "状态", max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN, editable=False
    )
    result = models.TextField("办理结果", blank=True, editable=False)
    done_at = models.DateTimeField("办结时间", null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField("逾期提醒时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "议定事项"
        ordering = ["scope_path", "deadline", "pk"]
        indexes = [models.Index(fields=["status", "deadline"], name="actionitem_status_deadline_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("committee:actionitem_detail", args=[self.pk])

    @property
    def owner_label(self) -> str:
        return str(self.owner_unit or self.owner_member or "—")

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATES and self.deadline < timezone.localdate()

    @classmethod
    def personal_scope_q(cls, scope, action):
        """A unit's liaison sees the items its unit (or one of its people) owns."""
        if action != "view":
            return None
        units = Organisation.members.through.objects.filter(user_id=scope.user_id).values("organisation_id")
        return Q(owner_unit__in=units) | Q(owner_member__user_id=scope.user_id) | Q(owner_member__unit__in=units)


class ActionItemEvent(WorkflowEvent):
    """One step of an action item's history (written by the workflow engine)."""

    item = models.ForeignKey(ActionItem, verbose_name="议定事项", on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = verbose_name_plural = "议定事项记录"

    def __str__(self):
        return f"{self.item} {self.action}"


def _score(label: str):
    return models.DecimalField(
        label, max_digits=5, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="0-100 分",
    )  # fmt: skip


class WorkerAssessment(ScopedModel):
    """社区专职工作者年度考核: five indicators (德能勤绩廉), the weighted total, the grade, who and when."""

    worker = models.ForeignKey(
        "people.Worker", verbose_name="社区工作者", on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField("考核年度")
    score_morality = _score("德")
    score_ability = _score("能")
    score_diligence = _score("勤")
    score_performance = _score("绩")
    score_integrity = _score("廉")
    total = models.DecimalField("综合得分", max_digits=5, decimal_places=1, editable=False, default=0)
    grade = models.CharField("考核等次", max_length=16, choices=AssessmentGrade.choices)
    assessor = models.CharField("考核人", max_length=50)
    assessed_on = models.DateField("考核日期")
    note = models.CharField("考核评语", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "社区工作者年度考核"
        ordering = ["scope_path", "-year", "worker"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "year"], name="one_assessment_per_worker_year",
                violation_error_message="该社区工作者本年度已有考核记录。",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.worker} {self.year}年度考核"

    def get_absolute_url(self):
        return reverse("committee:workerassessment_detail", args=[self.pk])

    def compute_total(self):
        total = sum((Decimal(getattr(self, f) or 0) * w for f, _, w in INDICATORS), Decimal(0)) / 100
        return total.quantize(Decimal("0.1"))

    def save(self, *args, **kwargs):
        self.total = self.compute_total()
        super().save(*args, **kwargs)


class WorkerHistory(ScopedModel):
    """A change of a community worker's post, grade or qualification (履历), from its effective date."""

    worker = models.ForeignKey(
        "people.Worker", verbose_name="社区工作者", on_delete=models.PROTECT, related_name="history"
    )
    kind = models.CharField("变动类别", max_length=16, choices=HistoryKind.choices)
    name = models.CharField("变动后", max_length=50, help_text="岗位、岗级或职业资格的名称，如“社区党组织书记”“二岗”。")
    effective_date = models.DateField("生效日期")
    document = models.CharField("依据文号", max_length=100, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "社区工作者履历"
        ordering = ["scope_path", "worker", "kind", "-effective_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "kind", "effective_date"], name="one_change_per_kind_and_day",
                violation_error_message="该社区工作者在同一日期已有同类变动记录。",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.worker} {self.get_kind_display()}：{self.name}"

    def get_absolute_url(self):
        return reverse("committee:workerhistory_detail", args=[self.pk])
