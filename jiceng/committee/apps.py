from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "jiceng.committee"
    label = "committee"
    verbose_name = "大党委"

    def ready(self):
        from jiceng.core.counting import register_counted
        from jiceng.core.stats import register_stat
        from jiceng.notices.selectors import register_target_label

        from . import selectors
        from .models import ActionItem, DutyRoster, PartTimeMember

        register_counted(PartTimeMember)
        register_counted(ActionItem)
        register_stat("part_time_committee_members", "大党委兼职委员", selectors.count_part_time)
        register_stat("action_items_open", "未办结议定事项", selectors.count_open_items)
        register_stat("action_items_overdue", "逾期议定事项", selectors.count_overdue_items)
        register_target_label(ActionItem, _names(ActionItem), alias="action_item")
        _register_audit_events()
        register_target_label(DutyRoster, _names(DutyRoster), alias="duty_roster")


def _register_audit_events():
    """The action items' steps are named on the audit screens (``action_item_<action>``)."""
    from jiceng.audit.registry import register_detail, register_events

    from .choices import ActionStatus
    from .workflow import TRANSITIONS

    register_events("大党委", {f"action_item_{t.action}": f"议定事项{t.label}" for t in TRANSITIONS})
    events = [f"action_item_{t.action}" for t in TRANSITIONS]
    register_detail({"from": "原状态", "to": "新状态"}, {"from": ActionStatus, "to": ActionStatus}, events=events)


def _names(model):
    def names(ids):
        return {obj.pk: str(obj) for obj in model.objects.filter(pk__in=ids).select_related()}

    return names
