"""The models of ``core``: the working-day calendar's overrides, next to ``core.workdays`` which reads them,
and the abstract event row of every life cycle (``WorkflowEvent``).

Moved from ``tickets`` (``tickets.0006`` renames the table in place, ``core.0001`` takes the state over);
written by ``jiceng.tickets.services.workcalendar``, edited on the 工作日历 settings page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


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


class WorkflowEvent(models.Model):
    """The event row of a life cycle (``core.workflow.Workflow.event_model``): who took which action, from
    which state to which, with the comment and the handler's data. An app subclasses it with the foreign
    key to its object (``Workflow.event_fk``)::

        class NeedEvent(WorkflowEvent):
            need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events")
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=32, blank=True)
    to_status = models.CharField("新状态", max_length=32, blank=True)
    comment = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.action} {self.from_status}→{self.to_status}"
