"""The five-level Party organisation: 街道党工委 → 社区党委/党总支 → 小区(网格)党支部 → 楼栋党小组 → 党员中心户."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse

from jiceng.core.crypto import EncryptedCharField
from jiceng.core.masking import mask_phone
from jiceng.core.scoping import ScopedModel

from .choices import MemberStatus, OrgType, SeatRole, SecretaryChannel


class PartyOrg(ScopedModel):
    """党组织: a street working committee, community committee / general branch, or a branch.

    Attached to a territory node (``area``); its ``scope_path`` is that node's path. A 党小组 is
    *not* a Party organisation (see ``PartyGroup``) and a 党员中心户 is a member household.
    """

    name = models.CharField("名称", max_length=100)
    org_type = models.CharField("组织类型", max_length=32, choices=OrgType.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    area = models.ForeignKey(
        "territory.Area", verbose_name="所在辖区", on_delete=models.PROTECT, related_name="party_orgs"
    )
    established_at = models.DateField("成立日期", null=True, blank=True)
    joint_units = models.PositiveSmallIntegerField(
        "联合单位数", default=1, help_text="联合党支部覆盖的单位数，一般不超过 5 个。"
    )
    is_big_committee = models.BooleanField("大党委（大工委）", default=False)
    term_start = models.DateField("本届起始日期", null=True, blank=True)
    term_years = models.PositiveSmallIntegerField("任期（年）", default=3)
    term_end = models.DateField("本届届满日期", null=True, blank=True, editable=False, db_index=True)
    term_extended_until = models.DateField("经批准延期至", null=True, blank=True)
    term_extension_approval = models.CharField("延期批复", max_length=200, blank=True)
    full_member_count = models.PositiveIntegerField("正式党员数", default=0, editable=False)
    member_count = models.PositiveIntegerField("党员总数", default=0, editable=False)

    scope_quarter_lookup = "area_id"

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["scope_path", "name"]
        indexes = [models.Index(fields=["scope_path", "name"], name="partyorg_scope_name_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("party:org_detail", args=[self.pk])

    @property
    def is_branch(self) -> bool:
        return self.org_type in {OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.FUNCTIONAL_BRANCH}

    @property
    def effective_term_end(self) -> dt.date | None:
        return self.term_extended_until or self.term_end


class PartyMember(ScopedModel):
    """党员: 预备 or 正式, with the milestone dates of 中国共产党发展党员工作细则.

    In-service members (在职党员) hold their relation at their employer and report (双报到) to the
    community where they live; their ``scope_path`` is that community's, so the community sees them.
    """

    name = models.CharField("姓名", max_length=50)
    resident = models.OneToOneField(
        "people.Resident",
        verbose_name="对应居民",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_member",
    )
    gender = models.CharField("性别", max_length=1, choices=[("1", "男"), ("2", "女")], blank=True)
    phone = EncryptedCharField("联系电话", blank=True, help_text="工作联系电话（加密存储）；住址电话见居民档案。")
    status = models.CharField("党员状态", max_length=16, choices=MemberStatus.choices, default=MemberStatus.FULL)
    apply_date = models.DateField("提交入党申请书日期", null=True, blank=True)
    activist_date = models.DateField("确定为积极分子日期", null=True, blank=True)
    candidate_date = models.DateField("确定为发展对象日期", null=True, blank=True)
    join_date = models.DateField("入党日期", help_text="支部大会接收为预备党员之日。")
    probation_end = models.DateField("预备期满日期", editable=False)
    probation_extended = models.BooleanField("预备期已延长", default=False)
    probation_extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    full_date = models.DateField("转正日期", null=True, blank=True)
    org = models.ForeignKey(
        PartyOrg,
        verbose_name="组织关系所在党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    employer = models.CharField("工作单位", max_length=100, blank=True)
    employer_party_org = models.CharField("单位党组织", max_length=100, blank=True)
    is_in_service = models.BooleanField("在职党员", default=False)
    report_community = models.ForeignKey(
        "territory.Area",
        verbose_name="报到社区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_members",
    )
    report_date = models.DateField("报到日期", null=True, blank=True)
    is_floating = models.BooleanField("流动党员", default=False)
    floating_destination = models.CharField("流出去向", max_length=100, blank=True)
    party_posts = models.CharField("党内职务", max_length=100, blank=True)

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["scope_path", "name"]
        indexes = [
            models.Index(fields=["is_in_service", "scope_path"]),
            models.Index(fields=["scope_path", "name"], name="partymember_scope_name_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("party:member_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        if action == "view" and scope.party_member_id:
            return Q(pk=scope.party_member_id)
        return None

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def party_standing_years(self) -> int | None:
        """党龄: counted from 转正 (full membership), in whole years."""
        if not self.full_date:
            return None
        today = dt.date.today()
        years = (
            today.year - self.full_date.year - ((today.month, today.day) < (self.full_date.month, self.full_date.day))
        )
        return max(years, 0)


class CommitteeSeat(ScopedModel):
    """A seat on a Party organisation's committee (支委/委员), or its secretary (书记)."""

    org = models.ForeignKey(PartyOrg, verbose_name="党组织", on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey(PartyMember, verbose_name="党员", on_delete=models.PROTECT, related_name="seats")
    role = models.CharField("职务", max_length=16, choices=SeatRole.choices)
    start = models.DateField("任职日期")
    end = models.DateField("离任日期", null=True, blank=True)
    # A branch secretary's channel and "三有" assessment (有能力、有热情、有公心).
    channel = models.CharField("选任渠道", max_length=16, choices=SecretaryChannel.choices, blank=True)
    has_ability = models.BooleanField("有能力", default=False)
    has_passion = models.BooleanField("有热情", default=False)
    has_public_spirit = models.BooleanField("有公心", default=False)
    assessment_note = models.CharField("“三有”评价说明", max_length=300, blank=True)

    scope_quarter_lookup = "org__area_id"

    class Meta:
        verbose_name = "委员职务"
        verbose_name_plural = "委员职务"
        ordering = ["org", "role", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["org"],
                condition=Q(role="secretary", end__isnull=True),
                name="one_active_secretary_per_org",
                violation_error_message="该党组织已有在任书记，请先为现任书记填写离任日期。",
            )
        ]

    def __str__(self):
        return f"{self.org} {self.get_role_display()} {self.member}"

    @property
    def meets_sanyou(self) -> bool:
        return self.has_ability and self.has_passion and self.has_public_spirit


class PartyGroup(ScopedModel):
    """楼栋党小组: lives inside a branch and covers one or more buildings. Not a Party organisation."""

    branch = models.ForeignKey(PartyOrg, verbose_name="所属党支部", on_delete=models.PROTECT, related_name="groups")
    name = models.CharField("名称", max_length=100)
    buildings = models.ManyToManyField("territory.Building", verbose_name="覆盖楼栋", related_name="party_groups")
    leader = models.ForeignKey(
        PartyMember,
        verbose_name="党小组长",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_groups",
    )

    scope_quarter_lookup = "branch__area_id"

    class Meta:
        verbose_name = "党小组"
        verbose_name_plural = "党小组"
        ordering = ["scope_path", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("party:group_detail", args=[self.pk])


class CentralHousehold(ScopedModel):
    """党员中心户: a designated member household that links a set of neighbouring households."""

    member = models.OneToOneField(
        PartyMember, verbose_name="中心户党员", on_delete=models.PROTECT, related_name="central_household"
    )
    household = models.ForeignKey(
        "territory.Household", verbose_name="所在户", on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        PartyGroup,
        verbose_name="所属党小组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="central_households",
    )
    linked_households = models.ManyToManyField(
        "territory.Household", verbose_name="联系户", blank=True, related_name="central_households"
    )
    designated_at = models.DateField("设立日期", null=True, blank=True)

    scope_quarter_lookup = "household__building__quarter_id"
    scope_parent = "household"  # a 党员中心户 follows the household it is in

    class Meta:
        verbose_name = "党员中心户"
        verbose_name_plural = "党员中心户"
        ordering = ["scope_path"]

    def __str__(self):
        return f"{self.member.name}（中心户）"

    def get_absolute_url(self):
        return reverse("party:centralhousehold_detail", args=[self.pk])
