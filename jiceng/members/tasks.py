"""Background jobs of 双报到: the quarterly feedback sheets to the employer units (idempotent: one receipt
per unit and quarter, ``FeedbackDispatch``); ``members/periodic.py`` runs it daily."""

from __future__ import annotations

from django_tasks import task

from .services import send_last_quarter


@task()
def quarterly_feedback() -> int:
    return send_last_quarter()
