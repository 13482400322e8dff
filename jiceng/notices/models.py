"""站内通知: a to-do or a progress message for one user about one object of any app (a ticket, a brand…)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .choices import NotificationKind


class NoticeQuerySet(models.QuerySet):
    def for_target(self, target):
        """The notices about ``target`` (a saved model instance)."""
        return self.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)


class Notice(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notices"
    )
    target_type = models.ForeignKey(
        ContentType, verbose_name="对象类型", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_url = models.CharField("对象地址", max_length=300, blank=True, default="")
    kind = models.CharField("类型", max_length=16, choices=NotificationKind.choices, default=NotificationKind.PROGRESS)
    text = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notice_unread_idx"),
            models.Index(fields=["target_type", "target_id"], name="notice_target_idx"),
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        if not self.target_url and self.target_id is not None:
            self.target_url = url_of(self.target)
        super().save(*args, **kwargs)


def url_of(target) -> str:
    """The target's page at the time of the notice ('' when it has none)."""
    get_url = getattr(target, "get_absolute_url", None)
    return (get_url() if get_url else "")[:300]
