from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "jiceng.tickets"
    label = "tickets"
    verbose_name = "诉求与事件"

    def ready(self):
        _register_audit_events()
        _register_notice_label()


def _register_notice_label():
    """A notice about a ticket is named by its number in the notices API (``ticket``, ``ticket_no``)."""
    from jiceng.notices.selectors import register_target_label

    from .models import Ticket

    def numbers(ids):
        return dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "ticket_no"))

    register_target_label(Ticket, numbers, alias="ticket")


def _register_audit_events():
    """The audit names of the ticket events: one per transition of ``states.TRANSITIONS`` (``ticket_<action>``,
    written by ``ticket_transition``), so a new transition is named on the audit screens without more code."""
    from jiceng.audit.registry import register_detail, register_events

    from .choices import CategoryKind, Channel, RejectReason, Satisfaction, Status, SuperviseLevel, Urgency
    from .states import TRANSITIONS

    events = {f"ticket_{t.action}": f"诉求{t.label}" for t in TRANSITIONS.values()}
    events |= {"ticket_auto_supervise": "诉求自动督办", "ticket_attachment": "诉求上传附件"}
    register_events("诉求与事件", events)
    register_events(
        "诉求设置", {"workday_set": "设置工作日", "workday_clear": "恢复法定工作日", "sla_rule_set": "设置办理时限"}
    )
    register_detail(
        {"ticket_no": "工单编号", "from": "原状态", "to": "新状态", "channel": "渠道", "level": "督办级别",
         "attachment": "附件编号", "sla_due_at": "办理期限", "reason_code": "理由类别", "into": "并入工单",
         "lead_org": "主办单位", "co_orgs": "协办单位", "sla_days": "办理时限（工作日）", "back_to": "退回单位",
         "to_org": "上报至", "department": "吹哨部门", "deadline": "报到期限", "on_time": "按时报到",
         "until": "延期至", "paused_workdays": "挂账工作日数", "satisfaction": "评价", "reasonable": "属实合理",
         "sent_back": "发回重办", "attempt": "回访次数", "unrated": "未评价", "date": "日期",
         "is_workday": "工作日", "note": "备注", "urgency": "紧急程度", "category": "诉求类别"},
        {"from": Status, "to": Status, "channel": Channel, "reason_code": RejectReason, "satisfaction": Satisfaction,
         "level": SuperviseLevel, "urgency": Urgency},
    )  # fmt: skip
    register_detail({"kind": "诉求类型"}, {"kind": CategoryKind}, events=["sla_rule_set"])
