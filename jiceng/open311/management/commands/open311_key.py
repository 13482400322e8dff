"""``manage.py open311_key create --name 某平台 --owner qu_admin`` prints a new Open311 api_key once;
``manage.py open311_key list`` shows the keys (prefix only); ``disable <prefix>`` switches one off."""

from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.models import User
from jiceng.open311.models import ApiKey
from jiceng.open311.services import api_key_create


class Command(BaseCommand):
    help = "管理 Open311 接口密钥（只保存摘要，新密钥仅显示一次）。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "disable"])
        parser.add_argument("prefix", nargs="?", help="disable：密钥前缀（以 - 开头的旧密钥前缀写在 -- 之后）")
        parser.add_argument("--name", default="")
        parser.add_argument("--owner", default="", help="责任账号的用户名")

    def handle(self, *args, action, prefix=None, name="", owner="", **options):
        if action == "list":
            for key in ApiKey.objects.select_related("owner"):
                state = "启用" if key.is_active else "停用"
                self.stdout.write(f"{key.key_prefix}…  {key.name}  {key.owner.username}  {state}")
            return
        if action == "disable":
            updated = ApiKey.objects.filter(key_prefix=prefix or "").update(is_active=False)
            self.stdout.write(f"已停用 {updated} 个密钥。")
            return
        user = User.objects.filter(username=owner).first()
        if not name or user is None:
            raise CommandError("请提供 --name 和有效的 --owner 用户名。")
        key, raw = api_key_create(actor=None, name=name, owner=user)
        self.stdout.write(f"已创建“{key.name}”。api_key（仅显示这一次，请妥善保存）：\n{raw}")
