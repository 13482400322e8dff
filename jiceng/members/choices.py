"""Code tables of 在职党员双报到 and 党员联户."""

from django.db import models


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "待确认"
    CONFIRMED = "confirmed", "已报到"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"
    ENDED = "ended", "已注销"


#: A member has at most one report in these states (报到中或已报到).
ACTIVE_REPORT_STATES = (ReportStatus.SUBMITTED, ReportStatus.CONFIRMED)


class ReportChannel(models.TextChoices):
    ONLINE = "online", "党员线上报到"
    RECORDED = "recorded", "社区代为登记"


class PostCategory(models.TextChoices):
    """服务岗位类别 (the issue's fixed list)."""

    ORGANISATION = "organisation", "组织建设"
    LEGAL = "legal", "法律咨询与援助"
    ASSISTANCE = "assistance", "助困扶残与就业援助"
    GOVERNANCE = "governance", "社区治理"
    HEALTH = "health", "健康医疗"
    CULTURE = "culture", "文化体育"
    SAFETY = "safety", "安全宣传与治安巡逻"
    OTHER = "other", "其他"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已上岗"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


class ServiceKind(models.TextChoices):
    POST = "post", "岗位服务"
    NEED = "need", "认领需求"
    HOUSEHOLD = "household", "联户服务"
    ACTIVITY = "activity", "社区活动"
    OTHER = "other", "其他"


class RecordStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未确认"


class VisitKind(models.TextChoices):
    HOME = "home", "入户走访"
    PHONE = "phone", "电话联系"
    ONLINE = "online", "微信联系"
    ENCOUNTER = "encounter", "日常见面"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


#: Grades a member who has not reported (no confirmed report) cannot get.
REPORTED_ONLY_GRADES = (Grade.EXCELLENT, Grade.QUALIFIED)
