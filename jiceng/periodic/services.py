"""Claiming periods and enqueueing periodic jobs: what ``manage.py run_scheduler`` does on every tick.

Exactly once per period, whatever the number of schedulers: each one inserts the ``PeriodicRun`` row of
(job, period start) and enqueues the task in the same transaction; the unique constraint lets one
insert commit and makes every other one fail (PostgreSQL: the second insert waits on the index entry
until the first commits, then fails; SQLite: one writer at a time, the second finds the row). A
scheduler that crashes before committing leaves nothing behind, so another claims the period on its
next tick. A period nobody claimed while every scheduler was down is not run late: the next period
runs, and the jobs are written to catch up (the overdue check looks at every ticket each time).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from .models import PeriodicRun
from .registry import PeriodicJob, jobs

logger = logging.getLogger(__name__)

#: Claims older than this are deleted by the scheduler that claims a new period (the table stays small).
KEEP_RUNS = dt.timedelta(days=30)


def scheduler_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def periodic_run_claim(*, job: PeriodicJob, period_start: dt.datetime, claimed_by: str) -> PeriodicRun | None:
    """Claim ``job``'s period and enqueue its task; None when another scheduler has claimed it."""
    try:
        with transaction.atomic():
            # The insert is the transaction's first statement: on SQLite it takes the write lock at once
            # (waiting up to the busy timeout), never upgrading a read snapshot that another writer moved on.
            run = PeriodicRun.objects.create(
                job=job.name, period_start=period_start, claimed_by=claimed_by[:200], claimed_at=timezone.now()
            )
            result = job.task.enqueue()
            run.task_id = str(result.id)[:64]
            run.save(update_fields=["task_id"])
    except IntegrityError:
        return None
    PeriodicRun.objects.filter(job=job.name, period_start__lt=period_start - KEEP_RUNS).delete()
    return run


def periodic_due(
    *, now: dt.datetime | None = None, claimed_by: str | None = None, seen: dict[str, dt.datetime] | None = None
) -> list[PeriodicRun]:
    """One scheduler tick: claim and enqueue every job whose current period nobody has claimed yet.

    ``seen`` (kept by a running scheduler between ticks) remembers the periods already known to be
    claimed, so a scheduler reads the table once per job and period, not on every tick. A database
    that is busy (SQLite locked by a long import) is logged and tried again on the next tick.
    """
    now = now or timezone.now()
    claimed_by = claimed_by or scheduler_name()
    seen = {} if seen is None else seen
    claimed = []
    for job in jobs():
        start = job.period_start(now)
        if seen.get(job.name) == start:
            continue
        try:
            if not PeriodicRun.objects.filter(job=job.name, period_start=start).exists():
                run = periodic_run_claim(job=job, period_start=start, claimed_by=claimed_by)
                if run is not None:
                    claimed.append(run)
        except OperationalError as exc:
            logger.warning("定时任务 %s：数据库暂时不可写（%s），下次检查时重试。", job.name, exc)
            continue
        except Exception:
            logger.exception("定时任务 %s：领取或加入队列失败，下次检查时重试。", job.name)
            continue
        seen[job.name] = start
    return claimed
