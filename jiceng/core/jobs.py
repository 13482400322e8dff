"""What the pages and the API say about a background job (import, export) that no worker has started."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone


class JobStatus(models.TextChoices):
    """Where a background job (an import, an export) is."""

    PENDING = "pending", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


#: A job still queued after this long has not been picked up: its page and the API say so.
UNCLAIMED_AFTER = dt.timedelta(minutes=1)


def unclaimed_notice(status: str, created_at: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """The Chinese notice for a job queued (``pending``) for ``UNCLAIMED_AFTER`` or longer, else ``""``."""
    if status != "pending" or created_at is None:
        return ""
    waited = (now or timezone.now()) - created_at
    if waited < UNCLAIMED_AFTER:
        return ""
    minutes = int(waited.total_seconds() // 60)
    return (
        f"已排队 {minutes} 分钟，后台任务尚未开始处理。请联系管理员确认任务进程（worker）在运行；"
        "若任务进程正忙于其他任务，请稍候，轮到本任务时会自动开始。"
    )
