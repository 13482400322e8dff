"""治理品牌: a named way of working (e.g. “一格一姐”, “香樟树下”) that a Party organisation or a territory
node owns and shows in its 党建引领 work; a row of the tree like any other (its owner's scope path)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from jiceng.core.scoping import ScopedModel
from jiceng.core.validators import random_image_name, validate_image_bytes


class Brand(ScopedModel):
    name = models.CharField("品牌名称", max_length=100)
    org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name="所属党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="brands",
    )
    area = models.ForeignKey(
        "territory.Area", verbose_name="所属辖区", null=True, blank=True, on_delete=models.PROTECT, related_name="brands",
        help_text="街道、社区、小区或网格；与所属党组织二选一",
    )  # fmt: skip
    description = models.TextField("品牌简介", blank=True)
    start_date = models.DateField("创建日期", null=True, blank=True)
    logo = models.FileField(
        "品牌标识", upload_to=random_image_name, blank=True, max_length=200, validators=[validate_image_bytes],
        help_text="JPEG、PNG、GIF 或 WebP 图片，不超过 2 MB",
    )  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "治理品牌"
        ordering = ["scope_path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_path", "name"],
                name="brand_name_per_node",
                violation_error_message="该单位已有同名品牌。",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("brands:brand_detail", args=[self.pk])

    def clean(self):
        if self.org_id and self.area_id:
            raise ValidationError({"area": "所属党组织与所属辖区只填其一。"})
        if self.start_date and self.start_date > dt.date.today():
            raise ValidationError({"start_date": "创建日期不能晚于今天。"})
