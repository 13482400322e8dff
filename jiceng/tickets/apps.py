from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "jiceng.tickets"
    label = "tickets"
    verbose_name = "诉求与事件"

    def ready(self):
        from jiceng.core import workdays

        workdays.register_override_loader(_load_overrides)


def _load_overrides():
    """The editable calendar overrides (``WorkCalendarDay``), read by ``jiceng.core.workdays``."""
    from django.db import DatabaseError

    from .models import WorkCalendarDay

    try:
        return dict(WorkCalendarDay.objects.values_list("date", "is_workday"))
    except DatabaseError:  # before the first migrate
        return {}
