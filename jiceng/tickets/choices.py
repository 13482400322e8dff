"""Code tables of the 诉求 / 事件 loop."""

from django.db import models


class Status(models.TextChoices):
    """The states of a ticket; the transitions between them are data in ``states.py``."""

    DRAFT = "draft", "草稿"
    PENDING_ACCEPT = "pending_accept", "待受理"
    ACCEPTED = "accepted", "已受理"
    REJECTED = "rejected", "不予受理"
    MERGED = "merged", "已并单"
    DISPATCHED = "dispatched", "已派单待签收"
    IN_PROGRESS = "in_progress", "办理中"
    SUSPENDED = "suspended", "挂账"
    RESOLVED = "resolved", "已办结待核查"
    CLOSED = "closed", "已结案"
    EVALUATED = "evaluated", "已评价"
    ARCHIVED = "archived", "已归档"
    CANCELLED = "cancelled", "已撤销"
    CLOSED_ADMIN = "closed_admin", "终止"


#: No transition leaves these (except none); a ticket here is finished one way or another.
TERMINAL_STATES = frozenset({Status.REJECTED, Status.MERGED, Status.ARCHIVED, Status.CANCELLED, Status.CLOSED_ADMIN})
#: "Open" = someone still has to act for the resident (a merge target must be one of these).
OPEN_STATES = frozenset(
    {Status.PENDING_ACCEPT, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.SUSPENDED, Status.RESOLVED}
)
#: The SLA clock runs in these states (it stops while 挂账 and once the handler has completed).
SLA_RUNNING_STATES = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS})
#: Handling is finished (核查通过): the numerator of 解决率.
DONE_STATES = frozenset({Status.CLOSED, Status.EVALUATED, Status.ARCHIVED})


class Channel(models.TextChoices):
    PATROL = "patrol", "网格员巡查"
    RESIDENT = "resident", "居民上报"
    HOTLINE = "hotline_12345", "12345转办"
    PAVILION = "pavilion", "议事亭"
    MEMBER_LINK = "member_link", "党员联户"
    VISIT = "visit", "来访"
    OTHER_PLATFORM = "other_platform", "其他平台"
    OPEN311 = "open311", "Open311"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class CategoryKind(models.TextChoices):
    """The five 12345 appeal types, plus 事件 for what a grid worker finds on patrol."""

    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "意见建议"
    EVENT = "event", "巡查事件"


class SuperviseLevel(models.IntegerChoices):
    """督办 levels; ordered, so "raise one level" is ``min(level + 1, RED)``."""

    NONE = 0, "无"
    NORMAL = 1, "普通督办"
    YELLOW = 2, "黄牌督办"
    RED = 3, "红牌督办"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class RejectReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", "不属受理范围"
    INCOMPLETE = "incomplete", "信息不全"
    LITIGATION = "litigation", "已进入信访、诉讼、仲裁等程序"
    SECRET = "secret", "涉及国家秘密、商业秘密或个人隐私"
    OTHER = "other", "其他"
