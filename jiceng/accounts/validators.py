"""Password rules (等保 2.0, GB/T 22239-2019 身份鉴别: complexity): ≥ 8 characters, 3 of 4 character
classes, not the username, none of the last five passwords."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with a Chinese message (Django 5.2's zh_Hans catalogue misses the new msgid)."""

    def get_error_message(self):
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少包含 {self.min_length} 个字符。"


class CharacterClassValidator:
    def validate(self, password, user=None):
        classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
        if classes < 3:
            raise ValidationError("密码须包含大写字母、小写字母、数字、特殊符号中的至少三类。", code="password_classes")

    def get_help_text(self):
        return "密码须包含大写字母、小写字母、数字、特殊符号中的至少三类。"


class NotUsernameValidator:
    def validate(self, password, user=None):
        if user is not None and user.get_username() and password.lower() == user.get_username().lower():
            raise ValidationError("密码不能与用户名相同。", code="password_is_username")

    def get_help_text(self):
        return "密码不能与用户名相同。"


class PasswordHistoryValidator:
    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        count = settings.JICENG_PASSWORD_HISTORY
        if user.password and check_password(password, user.password):
            raise ValidationError(f"新密码不能与最近 {count} 次使用过的密码相同。", code="password_reused")
        for old in user.password_history.all()[: count - 1]:
            if check_password(password, old.password):
                raise ValidationError(f"新密码不能与最近 {count} 次使用过的密码相同。", code="password_reused")

    def get_help_text(self):
        return f"新密码不能与最近 {settings.JICENG_PASSWORD_HISTORY} 次使用过的密码相同。"
