"""The one model of ``core``: the working-day calendar's overrides, next to ``core.workdays`` which reads them.

Moved from ``tickets`` (``tickets.0006`` renames the table in place, ``core.0001`` takes the state over);
written by ``jiceng.tickets.services.workcalendar``, edited on the 工作日历 settings page.
"""

from __future__ import annotations

from django.db import models


class WorkCalendarDay(models.Model):
    """工作日历调整: an override of one day (for years ``chinese-calendar`` lacks, or to correct it)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True, help_text="如“春节”“春节调休上班”。")

    class Meta:
        verbose_name = "工作日历调整"
        verbose_name_plural = "工作日历调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '休息'}"
