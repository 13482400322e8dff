"""The working-day calendar's writes (工作日历): one day, many days at once, or clearing an override of
``core.WorkCalendarDay`` (the model sits next to ``core.workdays``, which reads it). Only the holder of
``tickets.configure_ticket`` (the district admin, as for the 工作日历 page) may write."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiceng.audit.services import audit_record
from jiceng.core import workdays
from jiceng.core.models import WorkCalendarDay

from .config import CONFIGURE_PERM

#: Years whose calendar may be edited: ``chinese-calendar`` starts at 2004; a few years ahead at most.
WORKDAY_YEARS_AHEAD = 5


def workday_problem(date: dt.date, note: str = "") -> str | None:
    """Why ``date`` / ``note`` cannot be entered in the calendar, or ``None``."""
    last = timezone.localdate().year + WORKDAY_YEARS_AHEAD
    if not 2004 <= date.year <= last:
        return f"{date:%Y-%m-%d}：只能调整 2004 年至 {last} 年的日期。"
    if len(note) > 100:
        return f"{date:%Y-%m-%d}：说明不能超过 100 个字。"
    return None


@transaction.atomic
def workday_set(*, actor, date: dt.date, is_workday: bool, note: str = "") -> WorkCalendarDay:
    """Enter or correct one day of the working-day calendar (e.g. next year's holidays once announced)."""
    from jiceng.core.services import require_perm

    require_perm(actor, CONFIGURE_PERM)
    note = (note or "").strip()
    problem = workday_problem(date, note)
    if problem:
        raise ValidationError({"date": problem})
    old = WorkCalendarDay.objects.filter(date=date).first()
    before = {"is_workday": old.is_workday, "note": old.note} if old else {}
    day, _ = WorkCalendarDay.objects.update_or_create(date=date, defaults={"is_workday": is_workday, "note": note})
    audit_record(
        actor=actor, action="workday_set", obj=day, before=before, after={"is_workday": is_workday, "note": note},
        detail={"date": date.isoformat(), "is_workday": is_workday, "note": note},
    )  # fmt: skip
    transaction.on_commit(workdays.clear_cache)
    workdays.clear_cache()
    return day


@transaction.atomic
def workday_clear(*, actor, date: dt.date) -> bool:
    """Remove the override of ``date`` (the day falls back to chinese-calendar, else the weekend rule)."""
    from jiceng.core.services import require_perm

    require_perm(actor, CONFIGURE_PERM)
    day = WorkCalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        return False
    before = {"is_workday": day.is_workday, "note": day.note}
    audit_record(actor=actor, action="workday_clear", obj=day, before=before, after={},
                 detail={"date": date.isoformat()})  # fmt: skip
    day.delete()
    transaction.on_commit(workdays.clear_cache)
    workdays.clear_cache()
    return True


@transaction.atomic
def workday_set_many(*, actor, entries: list[tuple[dt.date, bool, str]]) -> list[WorkCalendarDay]:
    """Enter many days at once (a holiday and its 调休 weekends), all or nothing: every bad date is
    reported (one message per date) and nothing is written."""
    from jiceng.core.services import require_perm

    require_perm(actor, CONFIGURE_PERM)
    if not entries:
        raise ValidationError("请至少录入一个日期。")
    seen: dict[dt.date, bool] = {}
    problems: list[str] = []
    for date, is_workday, note in entries:
        problem = workday_problem(date, (note or "").strip())
        if problem:
            problems.append(problem)
        elif date in seen and seen[date] != is_workday:
            problems.append(f"{date:%Y-%m-%d}：同时被设为上班和休息，前后矛盾。")
        seen.setdefault(date, is_workday)
    if problems:
        raise ValidationError(list(dict.fromkeys(problems)))
    return [workday_set(actor=actor, date=d, is_workday=w, note=n) for d, w, n in entries]
