"""The registry of periodic jobs. An app declares its own in ``<app>/periodic.py``::

    from jiceng.periodic.registry import periodic
    from .tasks import check_overdue

    periodic("tickets.check_overdue", check_overdue, every=dt.timedelta(minutes=10))

``jobs()`` imports every installed app's ``periodic`` module once (like the admin's ``admin.py``) and
returns the jobs by name. A job is a django-tasks task without arguments; the scheduler enqueues it
once per period (``services.periodic_due``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

#: Periods are counted from local midnight (Asia/Shanghai, no daylight saving), so a daily job's period
#: is a calendar day in the district and an hourly one starts on the hour — the same on every host.
EPOCH = dt.datetime(2000, 1, 1, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: object  # a django_tasks Task taking no arguments
    every: dt.timedelta

    def period_start(self, now: dt.datetime) -> dt.datetime:
        """The start of the period ``now`` falls in (whole seconds, UTC)."""
        step = int(self.every.total_seconds())
        elapsed = int((now - EPOCH).total_seconds())
        return (EPOCH + dt.timedelta(seconds=elapsed - elapsed % step)).astimezone(dt.UTC)

    @property
    def every_label(self) -> str:
        seconds = int(self.every.total_seconds())
        for unit, label in ((86400, "天"), (3600, "小时"), (60, "分钟")):
            if seconds % unit == 0:
                return f"每 {seconds // unit} {label}"
        return f"每 {seconds} 秒"


_REGISTRY: dict[str, PeriodicJob] = {}
_discovered = False


def periodic(name: str, task, *, every: dt.timedelta) -> PeriodicJob:
    """Declare ``task`` to run once every ``every`` under the stable ``name`` (the key of its claims)."""
    if every < dt.timedelta(seconds=1) or every.total_seconds() != int(every.total_seconds()):
        raise ValueError(f"periodic job {name!r}: the period must be a whole number of seconds ≥ 1")
    existing = _REGISTRY.get(name)
    if existing is not None and existing.task is not task:
        raise ValueError(f"periodic job {name!r} is declared twice")
    job = _REGISTRY[name] = PeriodicJob(name, task, every)
    return job


def jobs() -> list[PeriodicJob]:
    """Every declared periodic job, by name."""
    global _discovered
    if not _discovered:
        autodiscover_modules("periodic")
        _discovered = True
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]
