"""Calendar arithmetic shared by the apps (terms of office, ages)."""

from __future__ import annotations

import datetime as dt


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (or earlier); 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
