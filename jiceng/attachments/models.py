"""附件: a file on any scoped object (a brand, a meeting…), checked by its bytes, scoped with its object."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


def random_name(instance, filename: str) -> str:
    """``attachments/<random>.<type read from the bytes>``: never the uploaded name on disk."""
    return f"attachments/{uuid.uuid4().hex}.{EXTENSIONS.get(instance.content_type, 'pdf')}"


class AttachmentQuerySet(models.QuerySet):
    def for_target(self, target):
        return self.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)


class Attachment(models.Model):
    target_type = models.ForeignKey(ContentType, verbose_name="对象类型", on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField("对象编号")
    target = GenericForeignKey("target_type", "target_id")
    #: Copied from the target when attached: lists are scoped with their object.
    scope_path = models.CharField("范围路径", max_length=255, db_index=True)
    file = models.FileField("文件", upload_to=random_name)
    original_name = models.CharField("原文件名", max_length=200, blank=True, default="")
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField("文件类型", max_length=40)
    purpose = models.CharField("用途", max_length=40, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="attachment_target_idx")]

    def __str__(self):
        return self.original_name or self.file.name
