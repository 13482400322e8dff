"""Export jobs (导出任务): one list, as its owner saw it, written to .xlsx."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from jiceng.core.jobs import JobStatus, unclaimed_notice


class ExportJob(models.Model):
    """导出任务: the list at ``path`` with the filters in ``query``, exactly as ``owner`` sees it.

    The rows are re-selected in the job through the list view itself (its ``restrict`` and its
    filter set), so a background export can never contain more than the page showed. Only the owner
    can see the job or download its file.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("列表", max_length=100)
    model_label = models.CharField("对象类型", max_length=60)
    path = models.CharField("列表地址", max_length=255)
    query = models.TextField("筛选条件", blank=True)
    reveal = models.BooleanField("显示完整个人信息", default=False)
    reason = models.CharField("查看理由", max_length=200, blank=True)
    full_register = models.BooleanField("完整台账列", default=False)
    status = models.CharField("状态", max_length=8, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    total_rows = models.PositiveIntegerField("行数", default=0)
    written_rows = models.PositiveIntegerField("已写入", default=0)
    revealed_rows = models.PositiveIntegerField("显示明文的行数", default=0)
    file = models.FileField("文件", upload_to="exports/%Y/%m/", max_length=255, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    scope_path = models.CharField("管辖路径", max_length=255, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="exportjob_owner_idx")]

    def __str__(self):
        return f"导出 #{self.pk} {self.title}"

    #: Labels of the access log's ``field`` of a revealing export (``services.export_create``).
    access_log_fields = {"id_number": "证件号码", "phone": "联系电话"}

    def get_absolute_url(self):
        return reverse("exports:job_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}

    @property
    def unclaimed_notice(self) -> str:
        """Set when no worker has started the job a minute after it was submitted (shown instead of 0 %)."""
        return unclaimed_notice(self.status, self.created_at)

    @property
    def download_name(self) -> str:
        return f"{self.title}-{self.created_at:%Y%m%d-%H%M}.xlsx"
