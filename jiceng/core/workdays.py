"""The working-day calendar every time limit is counted on (国务院办公厅 holiday notices with 调休; docs/decisions/working-days.md).

A day is a working day by, in order:

1. an **override** row (``core.WorkCalendarDay``: date, is_workday, note), editable in the app, for
   the years the ``chinese-calendar`` package does not know yet (the State Council publishes the next
   year's schedule each November/December) or to correct it;
2. the ``chinese_calendar`` package (statutory holidays and 调休 working weekends, 2004 up to its last
   known year — 2026 for version 1.11);
3. for any other year: Monday to Friday are working days, Saturday and Sunday are not. This fallback
   is a guess and therefore **wrong around the Spring Festival and National Day** until the year's
   overrides are entered; :func:`calendar_known` tells a screen to warn about it.

The override model lives in ``core`` itself (``jiceng/core/models.py``), so this module reads it
directly; the tickets app's 工作日历 settings page writes it through its services.

Conventions (documented because every SLA depends on them):

* :func:`add_working_days` follows 民法典 art. 201/203: the day the period starts is not counted, and
  the period ends at the end (23:59:59 local time) of its last working day. "3 个工作日内" from a
  Friday afternoon therefore ends on Wednesday night.
* :func:`add_working_hours` runs a clock that stops on non-working days (it measures whole working
  days' hours, not office hours).
* All results are aware datetimes in the current time zone (``Asia/Shanghai``).
"""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone

try:  # pragma: no cover - the package is a runtime requirement, the guard keeps imports cheap elsewhere
    import chinese_calendar
except ImportError:  # pragma: no cover
    chinese_calendar = None

_cache: dict[dt.date, bool] | None = None
_cache_loaded_at: float = 0.0
#: Overrides are re-read at most this often per process; the editing service also clears the cache.
CACHE_SECONDS = 60.0


def clear_cache() -> None:
    global _cache, _cache_loaded_at
    _cache = None
    _cache_loaded_at = 0.0


def _overrides() -> dict[dt.date, bool]:
    global _cache, _cache_loaded_at
    now = time.monotonic()
    if _cache is None or now - _cache_loaded_at > CACHE_SECONDS:
        _cache = _load_overrides()
        _cache_loaded_at = now
    return _cache


def _load_overrides() -> dict[dt.date, bool]:
    """The editable overrides, ``{date: is_workday}`` (none before the first migrate)."""
    from django.db import DatabaseError

    from .models import WorkCalendarDay  # not at import time: this module is imported before the apps load

    try:
        return dict(WorkCalendarDay.objects.values_list("date", "is_workday"))
    except DatabaseError:  # before the first migrate
        return {}


def calendar_known(year: int) -> bool:
    """Whether ``chinese_calendar`` carries the official schedule for ``year``."""
    if chinese_calendar is None:
        return False
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day: overrides, then chinese_calendar, then Monday–Friday."""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    override = _overrides().get(day)
    if override is not None:
        return override
    if chinese_calendar is not None:
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            pass
    return day.weekday() < 5


def _local(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return timezone.localtime(value)


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def next_workday(day: dt.date, *, include_self: bool = False) -> dt.date:
    current = day if include_self else day + dt.timedelta(days=1)
    while not is_workday(current):
        current += dt.timedelta(days=1)
    return current


def add_working_days(start: dt.datetime, n: int) -> dt.datetime:
    """The end (23:59:59 local) of the ``n``-th working day after ``start``'s day (which does not count).

    ``n == 0`` means "by the end of today if today is a working day, else of the next working day".
    """
    if n < 0:
        raise ValueError("工作日数不能为负数。")
    day = _local(start).date()
    if n == 0:
        return _end_of_day(next_workday(day, include_self=True))
    for _ in range(n):
        day = next_workday(day)
    return _end_of_day(day)


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """``start`` plus ``hours`` of a clock that only runs on working days (00:00–24:00 of each)."""
    if hours < 0:
        raise ValueError("工作小时数不能为负数。")
    current = _local(start)
    remaining = dt.timedelta(hours=hours)
    tz = current.tzinfo
    while True:
        day = current.date()
        if not is_workday(day):
            current = timezone.make_aware(dt.datetime.combine(next_workday(day), dt.time.min), tz)
            continue
        midnight = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), tz)
        available = midnight - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        current = midnight


def working_days_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
    """How many working days lie after ``start``'s day up to and including ``end``'s day (0 if end ≤ start)."""
    if isinstance(start, dt.datetime):
        start = _local(start).date()
    if isinstance(end, dt.datetime):
        end = _local(end).date()
    count = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        if is_workday(day):
            count += 1
        day += dt.timedelta(days=1)
    return count
