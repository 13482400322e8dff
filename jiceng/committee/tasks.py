"""Background jobs of the big Party committee: the hand-over notice before each duty period and the overdue
notice of action items. Both are idempotent (a flag on the row: ``handover_notified_at``,
``overdue_notified_at``); ``committee/periodic.py`` schedules them daily."""

from __future__ import annotations

from django_tasks import task

from .services import notify_handover, notify_overdue


@task()
def handover_notice() -> int:
    return notify_handover()


@task()
def overdue_notice() -> int:
    return notify_overdue()
