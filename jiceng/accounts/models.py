from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from .roles import ROLES, role_choices


class User(AbstractUser):
    """An account (用户). Whatever it may see comes from its ``RoleGrant`` rows, never from flags."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("首次登录须改密码", default=True)
    resident = models.OneToOneField(
        "people.Resident",
        verbose_name="对应居民",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    party_member = models.OneToOneField(
        "party.PartyMember",
        verbose_name="对应党员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    home_area = models.ForeignKey(
        "territory.Area",
        verbose_name="所属节点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="账号由哪个节点的系统管理员管理；尚未授予角色的账号据此确定谁能看到它。",
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    @cached_property
    def scope(self):
        from .scope import UserScope

        return UserScope.for_user(self)

    @property
    def is_admin_role(self) -> bool:
        return any(ROLES[g.role].admin for g in self.scope.grants)

    @property
    def password_expired(self) -> bool:
        if self.password_changed_at is None:
            return True
        age = timezone.now() - self.password_changed_at
        return age.days >= settings.JICENG_PASSWORD_MAX_AGE_DAYS


class RoleGrant(models.Model):
    """A role (角色) held on one territory node; it covers the node's whole subtree."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=32, choices=role_choices)
    area = models.ForeignKey("territory.Area", verbose_name="管辖节点", on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        User, verbose_name="授权人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "role", "area"], name="uniq_role_grant")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} @ {self.area}"


class PasswordHistory(models.Model):
    """Previous password hashes, so that none of the last five is reused (等保 2.0 身份鉴别: passwords changed regularly)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class OTPEnrolmentCode(models.Model):
    """A one-time code (动态口令绑定码) that lets ``user`` bind their first authenticator.

    Issued by a security administrator (or, for the first one, ``manage.py issue_enrolment_code``),
    shown once, stored only as a SHA-256 digest, valid for ``JICENG_OTP_ENROLMENT_CODE_HOURS`` and used
    once: without it nobody — not even someone holding the password — can bind a device to the account.
    """

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="otp_enrolment_codes")
    code_hash = models.CharField("绑定码摘要", max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User, verbose_name="签发人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "动态口令绑定码"
        verbose_name_plural = "动态口令绑定码"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} 的动态口令绑定码"
