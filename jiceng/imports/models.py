"""Import jobs (导入任务): one uploaded roster file, its options, progress and per-row report."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from jiceng.core.jobs import JobStatus, unclaimed_notice

from .choices import ImportMode, OnExisting

#: A running job whose heartbeat is older than this is reported as failed (its process died).
STALE_AFTER = dt.timedelta(minutes=10)
#: At most this many issues are kept on the job row; the downloadable report has every one.
MAX_STORED_ISSUES = 5000


def upload_path(job: ImportJob, filename: str) -> str:
    return f"imports/{timezone.now():%Y/%m}/{job.owner_id}-{filename}"


class ImportJob(models.Model):
    """导入任务: a file of one roster kind, imported row by row through the write services as ``owner``.

    Only its owner ever sees it. ``committed_through_row`` is the last Excel row whose batch was
    committed (``valid_rows`` mode commits in batches, each together with this row): after a crash it
    tells exactly which rows are in the database. ``all_or_nothing`` runs in a single transaction.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("导入类型", max_length=32)
    mode = models.CharField("导入方式", max_length=16, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    on_existing = models.CharField("已有记录", max_length=8, choices=OnExisting.choices, default=OnExisting.UPDATE)
    dry_run = models.BooleanField("仅校验（不写入）", default=False)
    file = models.FileField("文件", upload_to=upload_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    status = models.CharField("状态", max_length=8, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    accepted_rows = models.PositiveIntegerField("通过行数", default=0)
    created_rows = models.PositiveIntegerField("新增", default=0)
    updated_rows = models.PositiveIntegerField("更新", default=0)
    skipped_rows = models.PositiveIntegerField("跳过", default=0)
    rejected_rows = models.PositiveIntegerField("未通过行数", default=0)
    applied = models.BooleanField("已写入数据库", default=False)
    committed_through_row = models.PositiveIntegerField("已提交至 Excel 行", default=0)
    header_row = models.PositiveIntegerField("表头所在行", default=0)
    columns = models.JSONField("识别的列", default=dict, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    task_id = models.CharField("后台任务", max_length=64, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="importjob_owner_idx")]

    def __str__(self):
        return f"导入任务 #{self.pk}（{self.original_name}）"

    def get_absolute_url(self):
        return reverse("imports:job_detail", args=[self.pk])

    @property
    def kind_label(self) -> str:
        """导入类型 in Chinese (``residents`` → 居民): the code is what the importers are keyed by."""
        from .importers import IMPORTERS

        importer = IMPORTERS.get(self.kind)
        return str(importer.label) if importer is not None else self.kind

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}

    @property
    def unclaimed_notice(self) -> str:
        """Set when no worker has started the job a minute after it was submitted (shown instead of 0 %)."""
        return unclaimed_notice(self.status, self.created_at)

    @property
    def is_stale(self) -> bool:
        if self.status != JobStatus.RUNNING:
            return False
        beat = self.heartbeat_at or self.started_at
        return beat is not None and timezone.now() - beat > STALE_AFTER
