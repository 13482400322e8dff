"""People: residents (实有人口), their special-population tags, and community / grid workers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from jiceng.core.crypto import EncryptedCharField
from jiceng.core.masking import mask_id_number, mask_name, mask_phone
from jiceng.core.names import given_name_of
from jiceng.core.scoping import ScopedModel

from .choices import (
    Education,
    Ethnicity,
    Gender,
    IdType,
    MaritalStatus,
    PoliticalStatus,
    PopulationType,
    Qualification,
    Relation,
    RiskLevel,
    TagType,
    WorkerGrade,
    WorkerPost,
)


class Resident(ScopedModel):
    """实有人口: a person living in the district, with the fields of GB/T 31000-2015 社会治安综合治理基础数据规范.

    ``id_number`` and ``phone`` are encrypted at rest; ``id_hash`` / ``phone_hash`` (HMAC) serve exact
    lookup and ``id_last4`` the "last four digits" search, which the masked display shows anyway.
    """

    name = models.CharField("姓名", max_length=50)  # indexed by resident_name_idx
    # The name without its surname (丁晨 → 晨, 欧阳晓东 → 晓东), written with the name (``sync_masks``): the
    # search finds given names with the same index range as full names (jiceng/core/names.py).
    given_name = models.CharField("名字", max_length=50, blank=True, editable=False)  # resident_given_idx
    former_name = models.CharField("曾用名", max_length=50, blank=True)
    id_type = models.CharField("证件类型", max_length=16, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = EncryptedCharField("证件号码")
    id_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_last4 = models.CharField(max_length=4, editable=False)
    # The masked forms the lists and masked exports show, written with the value (``sync_masks``): a list
    # page reads these instead of decrypting two fields per row (docs/decisions/field-encryption.md).
    id_mask = models.TextField(editable=False, blank=True)  # as long as the number (passports have no fixed length)
    phone_mask = models.TextField(editable=False, blank=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=2, choices=Ethnicity.choices, default=Ethnicity.HAN)
    political_status = models.CharField(
        "政治面貌", max_length=2, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    education = models.CharField("学历", max_length=2, choices=Education.choices, blank=True)
    marital_status = models.CharField("婚姻状况", max_length=2, choices=MaritalStatus.choices, blank=True)
    religion = models.CharField("宗教信仰", max_length=20, blank=True, help_text="敏感个人信息。")
    occupation = models.CharField("职业", max_length=50, blank=True)
    employer = models.CharField("服务处所", max_length=100, blank=True)
    phone = EncryptedCharField("联系电话", blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    hukou_address = models.CharField("户籍地详址", max_length=200, blank=True)
    current_address = models.CharField("现住地详址", max_length=200, blank=True)
    population_type = models.CharField(
        "人口类型", max_length=16, choices=PopulationType.choices, default=PopulationType.REGISTERED
    )
    household = models.ForeignKey(
        "territory.Household", verbose_name="所在户", on_delete=models.PROTECT, related_name="residents"
    )
    relation_to_head = models.CharField("与户主关系", max_length=2, choices=Relation.choices, default=Relation.HEAD)
    building = models.ForeignKey(
        "territory.Building", verbose_name="楼栋", on_delete=models.PROTECT, related_name="residents"
    )
    grid = models.ForeignKey("territory.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="residents")
    # 流动人口
    inflow_reason = models.CharField("流入原因", max_length=50, blank=True)
    residence_permit_no = models.CharField("居住证号码", max_length=30, blank=True)
    registered_on = models.DateField("登记日期", null=True, blank=True)
    permit_expiry = models.DateField("证件到期日期", null=True, blank=True)
    is_deceased = models.BooleanField("已死亡", default=False)
    moved_out_at = models.DateField("迁出日期", null=True, blank=True)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True, editable=False)

    scope_quarter_lookup = "building__quarter_id"
    # A resident moves with their household, into its building and that building's grid.
    scope_parent = "household"
    scope_parent_copies = {"building": "building", "grid": "building__grid"}

    class Meta:
        verbose_name = "居民"
        verbose_name_plural = "居民"
        ordering = ["scope_path", "id"]
        indexes = [
            # Live rows only (every list and count filters ``deleted_at IS NULL``): a capped count under a
            # path is an index-only range scan; on PostgreSQL scope_path and name are COLLATE "C"
            # (jiceng/core/collation.py), so these btrees serve the prefix LIKE *and* the ORDER BY.
            models.Index(fields=["scope_path", "id"], name="resident_scope_idx", condition=Q(deleted_at__isnull=True)),
            # scope_path inside: a name search's capped count is an index-only scan, not one heap page
            # per match (a surname's rows are spread over the whole table).
            models.Index(
                fields=["name", "scope_path", "id"], name="resident_name_idx", condition=Q(deleted_at__isnull=True)
            ),
            models.Index(fields=["id_last4", "scope_path"], name="resident_last4_idx"),
            models.Index(
                fields=["given_name", "scope_path", "id"],
                name="resident_given_idx",
                condition=Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:resident_detail", args=[self.pk])

    @classmethod
    def personal_scope_q(cls, scope, action):
        if action == "view" and scope.household_id:
            return Q(household_id=scope.household_id)
        return None

    def save(self, *args, **kwargs):
        self.sync_masks()
        super().save(*args, **kwargs)

    def sync_masks(self) -> None:
        """``id_mask`` / ``phone_mask`` (and ``given_name``) from the plain values this instance holds."""
        self.id_mask = mask_id_number(self.id_number)
        self.phone_mask = mask_phone(self.phone)
        self.given_name = given_name_of(self.name)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)


class ResidentTag(ScopedModel):
    """特殊人群 / 关爱对象 tag. Sensitive (PIPL art. 28): only roles with ``people.viewtags_*`` see it."""

    resident = models.ForeignKey(Resident, verbose_name="居民", on_delete=models.CASCADE, related_name="tags")
    tag_type = models.CharField("类别", max_length=20, choices=TagType.choices)
    risk_level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW)
    help_measures = models.TextField("帮扶措施", blank=True)
    valid_from = models.DateField("起始日期", null=True, blank=True)
    valid_to = models.DateField("截止日期", null=True, blank=True)

    scope_quarter_lookup = "resident__building__quarter_id"
    scope_parent = "resident"  # a tag follows the person

    class Meta:
        verbose_name = "人群标签"
        verbose_name_plural = "人群标签"
        ordering = ["resident", "tag_type"]

    def __str__(self):
        return self.get_tag_type_display()


class Worker(ScopedModel):
    """社区专职工作者; a grid worker (网格员) is a worker with the grids they serve."""

    name = models.CharField("姓名", max_length=50)
    user = models.OneToOneField(
        "accounts.User",
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="worker",
    )
    community = models.ForeignKey(
        "territory.Area", verbose_name="所属社区", on_delete=models.PROTECT, related_name="workers"
    )
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    phone = EncryptedCharField("联系电话", blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    post = models.CharField("岗位", max_length=16, choices=WorkerPost.choices, default=WorkerPost.STAFF)
    grade = models.CharField("岗级", max_length=2, choices=WorkerGrade.choices, blank=True)
    level = models.PositiveSmallIntegerField("档次", null=True, blank=True, help_text="1-6 档")
    hire_date = models.DateField("入职日期", null=True, blank=True)
    contract_end = models.DateField("合同到期", null=True, blank=True)
    qualification = models.CharField("职业资格", max_length=16, choices=Qualification.choices, blank=True)
    is_grid_worker = models.BooleanField("网格员", default=False)
    grids = models.ManyToManyField("territory.Area", verbose_name="服务网格", blank=True, related_name="grid_workers")
    is_active = models.BooleanField("在岗", default=True)

    @classmethod
    def extra_scope_q(cls, grant):
        """A grant on a grid also covers the workers who serve that grid (their row sits at the community)."""
        if grant.area_kind != "grid":
            return None
        through = cls.grids.through.objects.filter(area__path__startswith=grant.area_path)
        return Q(pk__in=through.values("worker_id"))

    class Meta:
        verbose_name = "社区工作者"
        verbose_name_plural = "社区工作者"
        ordering = ["scope_path", "name"]
        indexes = [models.Index(fields=["scope_path", "name"], name="worker_scope_name_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:worker_detail", args=[self.pk])

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)
