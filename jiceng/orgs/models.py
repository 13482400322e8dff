"""组织机构: the organisations a ticket can be dispatched to, and their people.

Territory organisations mirror one ``Area`` each (网格、社区、街道、区); their people are whoever holds a
ticket role on that node, so there is no membership list to keep in sync. The others — district
departments (职能部门), co-building / 包保 units (共建单位), property companies (物业服务企业) and owners'
committees (业主委员会) — are attached to the node they serve (``area``) and list their ``members``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from jiceng.core.scoping import ScopedManager

from .choices import TERRITORY_ORG_KINDS, OrgKind, UnitCategory


class Organisation(models.Model):
    """An organisation that can hold a ticket (承办单位). It belongs to the node it serves: the
    scope of ``area`` (``scope_path_field``) decides who sees and manages it."""

    kind = models.CharField("类型", max_length=16, choices=OrgKind.choices)
    name = models.CharField("名称", max_length=100)
    area = models.ForeignKey(
        "territory.Area", verbose_name="所属辖区节点", on_delete=models.PROTECT, related_name="organisations"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="经办人员", blank=True, related_name="organisations"
    )
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, null=True, blank=True, unique=True,
        help_text="18 位，按 GB 32100-2015 校验；职能部门可不填。",
    )  # fmt: skip
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    # A co-building unit's category and its own Party organisation (单位党组织): that organisation is the
    # unit's, outside the territory tree (not a jiceng.party node); only units (kind ``unit``) fill these.
    unit_category = models.CharField("单位类别", max_length=20, choices=UnitCategory.choices, blank=True)
    party_org_name = models.CharField("单位党组织名称", max_length=100, blank=True)
    party_secretary = models.CharField("党组织书记", max_length=50, blank=True)
    party_member_count = models.PositiveIntegerField("党员人数", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedManager()
    scope_path_field = "area__path"

    class Meta:
        verbose_name = "组织机构"
        verbose_name_plural = "组织机构"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area"],
                condition=Q(kind__in=[k.value for k in TERRITORY_ORG_KINDS]),
                name="uniq_territory_handler_org",
            )
        ]

    def __str__(self):
        return self.name

    @classmethod
    def personal_scope_q(cls, scope, action: str) -> Q | None:
        """A unit's liaison (``unit_liaison``, a personal role) reads the units they are a member of."""
        if action != "view":
            return None
        mine = cls.members.through.objects.filter(user_id=scope.user_id).values("organisation_id")
        return Q(kind=OrgKind.UNIT, pk__in=mine)

    def get_absolute_url(self):
        return reverse("orgs:organisation_detail", args=[self.pk])

    @property
    def is_territory(self) -> bool:
        return self.kind in TERRITORY_ORG_KINDS

    @property
    def level(self) -> int:
        """0 grid, 1 community, 2 street, 3 district; the other kinds rank with the district."""
        order = {OrgKind.GRID: 0, OrgKind.COMMUNITY: 1, OrgKind.STREET: 2, OrgKind.DISTRICT: 3}
        return order.get(self.kind, 3)
