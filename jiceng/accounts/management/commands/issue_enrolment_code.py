"""``manage.py issue_enrolment_code <username>``: a one-time code to bind an account's first authenticator.

For the first security administrator of a deployment (nobody can issue theirs in the application), or
when the only security administrator has lost their phone (``--reset`` removes the old device first).
Everyone else gets their code from a security administrator on the account's page. The code is printed
once and stored only as a digest; issuing (and resetting) is audited without an actor ("manage.py").
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts import selectors, services
from jiceng.accounts.models import User
from jiceng.audit.services import audit_record
from jiceng.core.errors import join_messages


class Command(BaseCommand):
    help = "签发动态口令绑定码（首位安全管理员用；其他账号由安全管理员在账号页面签发）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="先删除该账号已绑定的验证器（手机丢失时）")

    def handle(self, *args, username, reset=False, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有账号“{username}”。")
        if reset:
            with transaction.atomic():
                removed, _ = TOTPDevice.objects.filter(user=user).delete()
                audit_record(
                    action="otp_reset", obj=user, detail={"devices_removed": removed, "via": "manage.py"},
                    scope_path=selectors.user_scope_path(user),
                )  # fmt: skip
        try:
            code, row = services.otp_enrolment_code_issue(actor=None, user=user)
        except ValidationError as exc:
            raise CommandError(join_messages(exc.messages)) from None
        expires = timezone.localtime(row.expires_at).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(f"{user.username} 的动态口令绑定码：{code}")
        self.stdout.write(f"有效期至 {expires}，只能使用一次；此码只显示这一次。")
