"""三单制 (居民点单、支部下单、党员接单; 微心愿) and the three lists (需求清单 / 资源清单 / 项目清单).

* :class:`Need` — a resident's wish or a community's need: posted (by the resident, or recorded by a
  worker for them), reviewed and published by the quarter branch or the community to members, units or
  both, claimed by ONE member or unit, completed with evidence by the claimant, confirmed and rated by
  the poster. Its status moves only through ``workflow.NEEDS``.
* :class:`Resource` — what a co-building unit offers (venue, funds, skills, volunteers, equipment), its
  availability and where it can be used.
* :class:`Project` — a need matched with a resource, with an owner, a deadline, milestones and an
  evaluation; its status moves only through ``workflow.PROJECTS``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from jiceng.core.models import WorkflowEvent
from jiceng.core.scoping import ScopedModel
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.models import Organisation
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area

from .choices import (
    MEMBER_AUDIENCES,
    UNIT_AUDIENCES,
    Audience,
    NeedCategory,
    NeedSource,
    NeedStatus,
    ProjectStatus,
    ProposedBy,
    ResourceKind,
)


def unit_ids_of(user_id):
    """The co-building units (共建单位) a user is a liaison of (their ``members``), as a subquery."""
    return Organisation.members.through.objects.filter(user_id=user_id, organisation__kind=OrgKind.UNIT).values(
        "organisation_id"
    )


def unit_paths_of(user_id) -> list[str]:
    """The paths of the nodes the user's units serve (a unit sees what is published there)."""
    return list(
        Organisation.objects.filter(kind=OrgKind.UNIT, members=user_id, is_active=True).values_list(
            "area__path", flat=True
        )
    )


def published_to_q(scope) -> Q:
    """The needs published to this user, whatever their state now: to members in the community a Party
    member reports to, to units where the user's co-building units serve."""
    q = Q(pk__in=[])
    if scope.party_member_id and scope.report_community_id:
        q |= Q(audience__in=MEMBER_AUDIENCES, community_id=scope.report_community_id)
    for path in unit_paths_of(scope.user_id):
        q |= Q(audience__in=UNIT_AUDIENCES, scope_path__startswith=path)
    return q


class Need(ScopedModel):
    """需求 / 微心愿: see the module docstring. ``scope_path`` is its grid's (or community's) path."""

    title = models.CharField("需求名称", max_length=100)
    category = models.CharField("类别", max_length=16, choices=NeedCategory.choices)
    description = models.TextField("需求描述", max_length=2000)
    quantity = models.PositiveIntegerField("数量", default=1, validators=[MinValueValidator(1)])
    deadline = models.DateField("期望完成日期", null=True, blank=True)
    community = models.ForeignKey(
        "territory.Area", verbose_name="所属社区", blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="居民点单时默认为其所住社区",
    )  # fmt: skip
    grid = models.ForeignKey(
        "territory.Area", verbose_name="所在网格", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quarter = models.ForeignKey(
        "territory.Area", verbose_name="所在小区", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="填写后，该小区党支部书记可审核发布",
    )  # fmt: skip
    source = models.CharField("来源", max_length=16, choices=NeedSource.choices, default=NeedSource.RESIDENT)
    status = models.CharField(
        "状态", max_length=16, choices=NeedStatus.choices, default=NeedStatus.SUBMITTED, editable=False
    )
    audience = models.CharField("发布对象", max_length=16, choices=Audience.choices, blank=True, editable=False)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="点单人账号", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="needs_posted",
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="代录人", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="needs_recorded",
    )  # fmt: skip
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    published_at = models.DateTimeField("发布时间", null=True, blank=True, editable=False)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="认领人", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="needs_claimed",
    )  # fmt: skip
    claimed_unit = models.ForeignKey(
        Organisation, verbose_name="认领单位", null=True, blank=True, editable=False,
        on_delete=models.PROTECT, related_name="needs_claimed",
    )  # fmt: skip
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True, editable=False)
    completion_note = models.TextField("完成情况", blank=True, editable=False)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True, editable=False)
    rating = models.PositiveSmallIntegerField(
        "评价（1–5 星）", null=True, blank=True, editable=False, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback = models.TextField("评价意见", blank=True, editable=False)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True, editable=False)
    # The request (工单) this need came from (source ``ticket``) or was turned into: the link is kept.
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name="关联工单", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="needs",
    )  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "需求（微心愿）"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "scope_path"], name="need_status_scope_idx")]

    #: A quarter's branch secretary (小区党支部书记, a grant on the quarter) reads and reviews its needs.
    scope_quarter_lookup = "quarter_id"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("needs:need_detail", args=[self.pk])

    @property
    def claimant_label(self) -> str:
        if self.claimed_unit_id:
            return str(self.claimed_unit)
        if self.claimed_by_id:
            return self.claimed_by.display_name or self.claimed_by.username
        return ""

    @classmethod
    def personal_scope_q(cls, scope, action):
        """A resident or member sees the needs they posted or claimed; a member the needs published to
        members in the community they report to; a unit liaison what their unit claimed and the needs
        published to units where their unit serves — in any state once published (a need claimed by
        someone else shows as 已认领: a late second claim is a 409, not a 404)."""
        if action != "view":
            return None
        q = (
            Q(posted_by_id=scope.user_id)
            | Q(claimed_by_id=scope.user_id)
            | Q(claimed_unit_id__in=unit_ids_of(scope.user_id))
        )
        return q | published_to_q(scope)

    def clean(self):
        errors = {}
        if self.community_id and self.community.kind != AreaKind.COMMUNITY:
            errors["community"] = "所属社区须选择一个社区。"
        if self.grid_id:
            if self.grid.kind != AreaKind.GRID:
                errors["grid"] = "所在网格须选择一个网格。"
            elif self.community_id and not self.grid.path.startswith(self.community.path):
                errors["grid"] = "所在网格不在所选社区内。"
        if self.quarter_id:
            if self.quarter.kind != AreaKind.QUARTER:
                errors["quarter"] = "所在小区须选择一个小区。"
            elif self.community_id and not self.quarter.path.startswith(self.community.path):
                errors["quarter"] = "所在小区不在所选社区内。"
        if self.deadline and not self.pk and self.deadline < timezone.localdate():
            errors["deadline"] = "期望完成日期不能早于今天。"
        if errors:
            raise ValidationError(errors)


class NeedEvent(WorkflowEvent):
    """One step of a need's life cycle (the engine writes it)."""

    need = models.ForeignKey(Need, verbose_name="需求", on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = verbose_name_plural = "需求处理记录"


class Resource(ScopedModel):
    """资源清单: what a co-building unit offers, where it can be used (``area``: its scope)."""

    name = models.CharField("资源名称", max_length=100)
    unit = models.ForeignKey(
        Organisation, verbose_name="提供单位", on_delete=models.PROTECT, related_name="resources",
        limit_choices_to={"kind": OrgKind.UNIT},
    )  # fmt: skip
    kind = models.CharField("资源类型", max_length=16, choices=ResourceKind.choices)
    category = models.CharField("适用需求类别", max_length=16, choices=NeedCategory.choices, blank=True)
    description = models.TextField("资源说明", blank=True, max_length=2000)
    quantity = models.PositiveIntegerField("数量", default=1, validators=[MinValueValidator(1)])
    availability = models.CharField("可用时间", max_length=100, blank=True, help_text="例如：每周六上午")
    available_until = models.DateField("有效期至", null=True, blank=True)
    area = models.ForeignKey(
        "territory.Area", verbose_name="可用范围", blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="街道、社区或网格：资源可在该范围内使用；不填为提供单位的服务范围",
    )  # fmt: skip
    is_active = models.BooleanField("可用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "资源"
        ordering = ["scope_path", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("needs:resource_detail", args=[self.pk])

    @classmethod
    def extra_scope_q(cls, grant):
        """A resource usable over a whole street (or the district) is usable, so visible, in each
        community and grid below it."""
        return Q(scope_path__in=Area.ancestor_paths(grant.area_path))

    @classmethod
    def personal_scope_q(cls, scope, action):
        """A unit liaison reads their unit's resources."""
        if action != "view":
            return None
        return Q(unit_id__in=unit_ids_of(scope.user_id))

    def clean(self):
        if self.unit_id and self.unit.kind != OrgKind.UNIT:
            raise ValidationError({"unit": "提供单位须是共建单位。"})
        if self.area_id and self.area.kind not in (AreaKind.STREET, AreaKind.COMMUNITY, AreaKind.GRID):
            raise ValidationError({"area": "可用范围须是街道、社区或网格。"})


class Project(ScopedModel):
    """项目清单: a need and a resource matched (either side proposes, the other accepts)."""

    name = models.CharField("项目名称", max_length=100)
    need = models.ForeignKey(Need, verbose_name="需求", on_delete=models.PROTECT, related_name="projects")
    resource = models.ForeignKey(Resource, verbose_name="资源", on_delete=models.PROTECT, related_name="projects")
    owner = models.CharField("项目负责人", max_length=50)
    deadline = models.DateField("完成期限", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED, editable=False
    )
    proposed_by = models.CharField(
        "发起方", max_length=16, choices=ProposedBy.choices, default=ProposedBy.COMMUNITY, editable=False
    )
    evaluation = models.TextField("项目评价", blank=True, editable=False)
    score = models.PositiveSmallIntegerField(
        "评分（1–5）", null=True, blank=True, editable=False, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    finished_at = models.DateTimeField("完成时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "项目"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "resource"],
                condition=Q(status__in=["proposed", "active"]),
                name="project_one_live_match",
                violation_error_message="该需求与该资源已有进行中的项目。",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("needs:project_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        """A unit liaison reads the projects of their unit's resources."""
        if action != "view":
            return None
        return Q(resource__unit_id__in=unit_ids_of(scope.user_id))

    def clean(self):
        if self.need_id and self.resource_id and not self.need.scope_path.startswith(self.resource.scope_path):
            if not self.resource.scope_path.startswith(self.need.scope_path):
                raise ValidationError({"resource": "该资源的可用范围不包括此需求所在地。"})


class Milestone(models.Model):
    """A project's milestone (里程碑): a title, a due date, done or not."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("里程碑", max_length=100)
    due = models.DateField("计划日期", null=True, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "项目里程碑"
        ordering = ["due", "id"]

    def __str__(self):
        return self.title


class ProjectEvent(WorkflowEvent):
    """One step of a project's life cycle (the engine writes it)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = verbose_name_plural = "项目处理记录"
