"""The choices of 三单制 (needs claimed) and the three lists (需求 / 资源 / 项目清单)."""

from django.db import models


class NeedStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    OPEN = "open", "待认领"
    CLAIMED = "claimed", "已认领"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


class NeedCategory(models.TextChoices):
    CARE = "care", "生活照料"
    HEALTH = "health", "医疗健康"
    EDUCATION = "education", "助学助教"
    EMPLOYMENT = "employment", "就业帮扶"
    LEGAL = "legal", "法律咨询"
    CULTURE = "culture", "文体活动"
    ENVIRONMENT = "environment", "环境整治"
    REPAIR = "repair", "维修改造"
    OTHER = "other", "其他"


class Audience(models.TextChoices):
    MEMBERS = "members", "党员"
    UNITS = "units", "共建单位"
    BOTH = "both", "党员和共建单位"


#: Who may claim a need published to an audience.
MEMBER_AUDIENCES = (Audience.MEMBERS, Audience.BOTH)
UNIT_AUDIENCES = (Audience.UNITS, Audience.BOTH)


class NeedSource(models.TextChoices):
    RESIDENT = "resident", "居民点单"
    COMMUNITY = "community", "社区发布"
    TICKET = "ticket", "来自工单"


class ResourceKind(models.TextChoices):
    VENUE = "venue", "场地"
    FUNDS = "funds", "资金"
    SKILLS = "skills", "技能"
    VOLUNTEERS = "volunteers", "志愿者"
    EQUIPMENT = "equipment", "设备物资"


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", "待确认"
    ACTIVE = "active", "实施中"
    FINISHED = "finished", "已完成"
    DECLINED = "declined", "已谢绝"
    CANCELLED = "cancelled", "已取消"


class ProposedBy(models.TextChoices):
    UNIT = "unit", "单位提供资源"
    COMMUNITY = "community", "社区申请资源"
