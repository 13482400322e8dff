"""The overdue job: reminders before the deadline, 黄牌 on breach, 红牌 five working days later; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiceng.core.workdays import add_working_days
from jiceng.notices.models import Notice
from jiceng.tickets.choices import Status, SuperviseLevel
from jiceng.tickets.models import Ticket, TicketAction
from jiceng.tickets.tasks import check_overdue, check_overdue_now
from jiceng.tickets.tests.conftest import user

pytestmark = pytest.mark.django_db


def _only(tickets):
    """Leave only these tickets' SLA running (the demo history has its own overdue tickets)."""
    Ticket.objects.exclude(pk__in=[t.pk for t in tickets]).update(status=Status.ARCHIVED)


def test_yellow_then_red_and_idempotent(world, make_ticket, django_capture_on_commit_callbacks):
    now = timezone.now()
    late = make_ticket(Status.IN_PROGRESS, sla_due_at=now - dt.timedelta(hours=2))
    on_time = make_ticket(Status.IN_PROGRESS, sla_due_at=now + dt.timedelta(days=60))
    _only([late, on_time])
    with django_capture_on_commit_callbacks(execute=True):
        assert check_overdue_now(now) == {"reminded": 0, "yellow": 1, "red": 0, "whistle": 0}
    late.refresh_from_db()
    assert late.supervise_level == SuperviseLevel.YELLOW and late.yellow_card_at is not None
    assert TicketAction.objects.filter(ticket=late, action="auto_supervise").count() == 1
    # The holder and the organisation above it (the community) are told.
    assert Notice.objects.for_target(late).filter(user=user("grid_wc01"), kind="supervise").exists()
    assert Notice.objects.for_target(late).filter(user=user("wenchang_worker"), kind="supervise").exists()
    # Running again changes nothing.
    assert check_overdue_now(now) == {"reminded": 0, "yellow": 0, "red": 0, "whistle": 0}
    assert TicketAction.objects.filter(ticket=late, action="auto_supervise").count() == 1
    # Four working days later: still yellow; five: red (and the street hears of it).
    four = add_working_days(late.yellow_card_at, 4) - dt.timedelta(hours=1)
    assert check_overdue_now(four)["red"] == 0
    five = add_working_days(late.yellow_card_at, 5) - dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert check_overdue_now(five)["red"] == 1
    late.refresh_from_db()
    assert late.supervise_level == SuperviseLevel.RED and late.red_card_at is not None
    assert Notice.objects.for_target(late).filter(user=user("longpan_admin"), kind="supervise").exists()
    assert check_overdue_now(five)["red"] == 0
    on_time.refresh_from_db()
    assert on_time.supervise_level == SuperviseLevel.NONE


def test_reminder_before_the_deadline_once(world, make_ticket):
    now = timezone.now()
    soon = make_ticket(Status.IN_PROGRESS, sla_due_at=now + dt.timedelta(hours=5))
    _only([soon])
    assert check_overdue_now(now)["reminded"] == 1
    assert check_overdue_now(now)["reminded"] == 0
    assert TicketAction.objects.filter(ticket=soon, action="remind").count() == 1


def test_suspended_tickets_are_not_supervised(world, make_ticket):
    t = make_ticket(Status.SUSPENDED, sla_due_at=timezone.now() - dt.timedelta(days=3))
    _only([t])
    assert check_overdue_now()["yellow"] == 0


def test_task_and_command_run(world, make_ticket, capsys):
    t = make_ticket(Status.ACCEPTED, sla_due_at=timezone.now() - dt.timedelta(hours=1))
    _only([t])
    result = check_overdue.enqueue()  # ImmediateBackend in the tests
    assert result.return_value["yellow"] == 1
    call_command("tickets_check_overdue")
    assert "黄牌 0 件" in capsys.readouterr().out
