"""Working-day arithmetic across the 2026 Spring Festival (holidays 2/15–2/23, 调休 Saturdays 2/14 and
2/28, per chinese_calendar 1.11) and for 2027, which that package does not know (overrides, then
Monday–Friday)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.core import workdays
from jiceng.core.workdays import (
    add_working_days,
    add_working_hours,
    calendar_known,
    is_workday,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = dt.date


def at(y, m, d, hh=10, mm=0):
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


def eod(y, m, d):
    return timezone.make_aware(dt.datetime(y, m, d, 23, 59, 59))


@pytest.fixture(autouse=True)
def _fresh_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def test_spring_festival_2026_days():
    assert is_workday(D(2026, 2, 13))  # Friday before
    assert is_workday(D(2026, 2, 14))  # Saturday, 调休 working day
    assert not is_workday(D(2026, 2, 15))
    assert not is_workday(D(2026, 2, 17))  # 春节
    assert not is_workday(D(2026, 2, 23))  # Monday, still a holiday
    assert is_workday(D(2026, 2, 24))
    assert is_workday(D(2026, 2, 28))  # Saturday, 调休
    assert not is_workday(D(2026, 3, 1))  # an ordinary Sunday


def test_add_working_days_across_spring_festival():
    # The start day does not count; the period ends at the end of the last working day.
    assert add_working_days(at(2026, 2, 13), 1) == eod(2026, 2, 14)  # the 调休 Saturday counts
    assert add_working_days(at(2026, 2, 13), 2) == eod(2026, 2, 24)  # the holiday does not
    assert add_working_days(at(2026, 2, 13), 3) == eod(2026, 2, 25)
    assert add_working_days(at(2026, 2, 16), 3) == eod(2026, 2, 26)  # started on a holiday
    assert add_working_days(at(2026, 2, 20), 10) == eod(2026, 3, 6)  # 2/24-2/28 (5) + 3/2-3/6 (5)
    assert add_working_days(at(2026, 2, 17), 0) == eod(2026, 2, 24)  # "today" on a holiday → next working day


def test_working_days_between_counts_the_tiaoxiu_saturday():
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 27)) == 5  # 2/14 + 2/24-2/27
    assert working_days_between(D(2026, 2, 14), D(2026, 2, 23)) == 0
    assert working_days_between(D(2026, 2, 27), D(2026, 2, 28)) == 1
    assert working_days_between(D(2026, 3, 1), D(2026, 2, 1)) == 0


def test_add_working_hours_stops_on_non_working_days():
    # Friday 2/13 20:00 + 10 h: 4 h left on Friday, Saturday 2/14 is a working day → 06:00 on 2/14.
    assert add_working_hours(at(2026, 2, 13, 20), 10) == at(2026, 2, 14, 6)
    # Saturday 2/14 22:00 + 5 h: 2 h on 2/14, then the clock stops until Tuesday 2/24 → 03:00.
    assert add_working_hours(at(2026, 2, 14, 22), 5) == at(2026, 2, 24, 3)
    # Starting on a holiday: the clock starts at midnight of the next working day.
    assert add_working_hours(at(2026, 2, 18, 15), 1) == at(2026, 2, 24, 1)


def test_a_year_chinese_calendar_lacks_falls_back_to_weekends_then_overrides():
    from jiceng.core.models import WorkCalendarDay

    assert calendar_known(2026)
    assert not calendar_known(2027)
    # Without overrides: Monday-Friday.
    assert is_workday(D(2027, 2, 5))  # Friday
    assert not is_workday(D(2027, 2, 6))  # Saturday
    assert is_workday(D(2027, 2, 8))  # Monday
    # Entering next year's schedule (as the State Council announces it) overrides the guess.
    WorkCalendarDay.objects.create(date=D(2027, 2, 6), is_workday=True, note="春节调休上班")
    WorkCalendarDay.objects.create(date=D(2027, 2, 8), is_workday=False, note="春节")
    workdays.clear_cache()
    assert is_workday(D(2027, 2, 6))
    assert not is_workday(D(2027, 2, 8))
    assert add_working_days(at(2027, 2, 5), 2) == eod(2027, 2, 9)  # 2/6 (调休) + 2/9


def test_overrides_beat_chinese_calendar():
    from jiceng.core.models import WorkCalendarDay

    WorkCalendarDay.objects.create(date=D(2026, 3, 2), is_workday=False, note="临时调整")
    workdays.clear_cache()
    assert not is_workday(D(2026, 3, 2))


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        add_working_days(at(2026, 3, 2), -1)
    with pytest.raises(ValueError):
        add_working_hours(at(2026, 3, 2), -1)
