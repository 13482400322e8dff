"""Open311 GeoReport v2 facade: API keys and the Open311-specific data of requests posted through it.

The 诉求 itself is an ordinary ``tickets.Ticket`` (channel Open311) that follows the same closed loop;
``Open311Request`` only keeps what GeoReport v2 carries and the ticket has no field for (the service
attributes, ``media_url``, ``email``, ``device_id``, ``account_id``) plus the ``token`` of endpoint 4.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiceng.core.crypto import EncryptedCharField


class ApiKey(models.Model):
    """Open311 接口密钥: who may POST requests (GeoReport v2 ``api_key``).

    Only a SHA-256 hash of the key is stored (the key is shown once, when it is created). ``owner`` is
    the account the key acts for in the audit log; when the owner holds ticket-intake grants, the key
    may only file requests located inside them.
    """

    name = models.CharField("名称", max_length=100)
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True, editable=False)
    key_prefix = models.CharField("密钥前缀", max_length=8, editable=False, help_text="便于辨认，不足以还原密钥。")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="责任账号", on_delete=models.PROTECT, related_name="open311_keys"
    )
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "Open311 接口密钥"
        verbose_name_plural = "Open311 接口密钥"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.key_prefix}…）"


class Open311Request(models.Model):
    """What an Open311 POST carried beyond the ticket's own fields (one per ticket filed through Open311)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="open311"
    )
    api_key = models.ForeignKey(
        ApiKey, verbose_name="接口密钥", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    token = models.CharField("令牌", max_length=32, unique=True)
    attributes = models.JSONField("附加属性", default=dict, blank=True)
    media_url = models.URLField("图片地址", max_length=500, blank=True)
    email = EncryptedCharField("电子邮箱", blank=True)
    device_id = models.CharField("设备标识", max_length=100, blank=True)
    account_id = models.CharField("账号标识", max_length=100, blank=True)
    created_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = "Open311 诉求"
        verbose_name_plural = "Open311 诉求"

    def __str__(self):
        return self.token
