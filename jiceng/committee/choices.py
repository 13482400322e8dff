"""Code tables of the big Party committee (社区大党委 / 街道大工委) and of the community workers' records."""

from django.db import models


class DutyPeriod(models.TextChoices):
    MONTH = "month", "按月"
    QUARTER = "quarter", "按季度"


class ActionStatus(models.TextChoices):
    OPEN = "open", "待办理"
    IN_PROGRESS = "in_progress", "办理中"
    DONE = "done", "已办结"
    CANCELLED = "cancelled", "已取消"


#: An item still to be done (counts as open; overdue once past its deadline).
OPEN_STATES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class AssessmentGrade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    COMPETENT = "competent", "称职"
    BASIC = "basic", "基本称职"
    INCOMPETENT = "incompetent", "不称职"


#: The lowest total score each grade needs (a grade above the band of the total is refused).
GRADE_MIN_TOTAL = {
    AssessmentGrade.EXCELLENT: 90,
    AssessmentGrade.COMPETENT: 70,
    AssessmentGrade.BASIC: 60,
    AssessmentGrade.INCOMPETENT: 0,
}

#: The five indicators (德、能、勤、绩、廉) of the annual assessment and their weights (per cent).
INDICATORS = (
    ("score_morality", "德", 20),
    ("score_ability", "能", 20),
    ("score_diligence", "勤", 20),
    ("score_performance", "绩", 30),
    ("score_integrity", "廉", 10),
)


class HistoryKind(models.TextChoices):
    POST = "post", "岗位"
    GRADE = "grade", "岗级"
    QUALIFICATION = "qualification", "职业资格"
