"""Code tables of 单位包保."""

from django.db import models


class ActivityKind(models.TextChoices):
    VOLUNTEER = "volunteer", "志愿服务"
    ASSISTANCE = "assistance", "结对帮扶"
    ENVIRONMENT = "environment", "环境整治"
    CIVILITY = "civility", "文明创建"
    PUBLICITY = "publicity", "政策宣讲"
    DONATION = "donation", "捐赠物资"
    OTHER = "other", "其他"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "待确认"
    CONFIRMED = "confirmed", "已确认"
    RETURNED = "returned", "已退回"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
