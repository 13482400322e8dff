"""The claim of one period of one periodic job: the row whose insert decides which scheduler runs it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PeriodicRun(models.Model):
    """定时任务的一次运行: ``job`` for the period starting at ``period_start``.

    The unique constraint on (job, period_start) is the whole coordination between schedulers: every
    scheduler on every host tries to insert the row for the current period, the database lets exactly
    one insert commit, and only that scheduler enqueues the job's task — in the same transaction, so a
    claimed period always has its task in the queue and an unclaimed one never does.
    """

    job = models.CharField("任务", max_length=100)
    period_start = models.DateTimeField("周期开始")
    claimed_at = models.DateTimeField("领取时间", default=timezone.now)
    claimed_by = models.CharField("领取的调度进程", max_length=200)
    task_id = models.CharField("后台任务", max_length=64, blank=True)

    class Meta:
        verbose_name = "定时任务运行"
        verbose_name_plural = "定时任务运行"
        ordering = ["-period_start", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "period_start"], name="periodicrun_once_per_period")]

    def __str__(self):
        return f"{self.job} @ {timezone.localtime(self.period_start):%Y-%m-%d %H:%M}"
