"""Background jobs of the 诉求 loop: the overdue check (超期督办) and the reminders before the deadline.

``check_overdue`` is a django-tasks task that ``manage.py run_scheduler`` queues every 10 minutes
(``tickets/periodic.py``); ``manage.py tickets_check_overdue`` runs one pass by hand. It is idempotent: running it twice in a row changes nothing the
second time (each step is guarded by a flag on the ticket: ``supervise_level``, ``yellow_card_at``,
``reminded_at``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from jiceng.core import workdays

from .choices import SLA_RUNNING_STATES, SuperviseLevel
from .models import Ticket
from .selectors import DUE_SOON_HOURS, due_soon_q, overdue_q
from .services import ticket_auto_supervise, ticket_remind

#: 红牌 after this many working days of being overdue on a 黄牌.
RED_AFTER_WORKDAYS = 5


def check_overdue_now(now: dt.datetime | None = None) -> dict[str, int]:
    """Run one pass; returns how many tickets got a reminder, a 黄牌, a 红牌, a whistle reminder."""
    now = now or timezone.now()
    done = {"reminded": 0, "yellow": 0, "red": 0, "whistle": 0}
    # 1. Reminders (催办) before the deadline, once per deadline.
    for pk in Ticket.objects.filter(due_soon_q(now), reminded_at__isnull=True).values_list("pk", flat=True):
        if ticket_remind(
            ticket_id=pk, text=f"临期提醒：工单将在 {DUE_SOON_HOURS} 小时内到期，请抓紧办理或申请延期。", now=now
        ):
            done["reminded"] += 1
    # 2. 黄牌 on breach.
    for pk in Ticket.objects.filter(overdue_q(now), supervise_level__lt=SuperviseLevel.YELLOW).values_list(
        "pk", flat=True
    ):
        if ticket_auto_supervise(ticket_id=pk, level=SuperviseLevel.YELLOW, reason="超过办理时限", now=now):
            done["yellow"] += 1
    # 3. 红牌 five working days after the 黄牌, if still overdue.
    for pk, yellow_at in Ticket.objects.filter(
        overdue_q(now), supervise_level=SuperviseLevel.YELLOW, yellow_card_at__isnull=False
    ).values_list("pk", "yellow_card_at"):
        if workdays.working_days_between(yellow_at, now) >= RED_AFTER_WORKDAYS and ticket_auto_supervise(
            ticket_id=pk, level=SuperviseLevel.RED, reason=f"黄牌后 {RED_AFTER_WORKDAYS} 个工作日仍未办结", now=now
        ):
            done["red"] += 1
    # 4. 吹哨 without 报到 past its deadline: remind the department (once, via reminded_at).
    for pk in Ticket.objects.filter(
        status__in=SLA_RUNNING_STATES,
        whistle_org__isnull=False,
        whistle_reported_at__isnull=True,
        whistle_deadline__lt=now,
        reminded_at__isnull=True,
    ).values_list("pk", flat=True):
        if ticket_remind(ticket_id=pk, text="吹哨报到已超时，请立即报到。", now=now):
            done["whistle"] += 1
    return done


@task()
def check_overdue() -> dict[str, int]:
    """The django-tasks entry point (schedule it every 10–15 minutes)."""
    return check_overdue_now()
