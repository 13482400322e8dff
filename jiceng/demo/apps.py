from django.apps import AppConfig

from jiceng.accounts.login_hints import register_demo_accounts
from jiceng.audit.registry import register_detail, register_events

from .accounts import DEMO_ACCOUNTS, DEMO_PASSWORD


class DemoConfig(AppConfig):
    name = "jiceng.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self):
        register_events("演示数据", {"seed_demo": "生成演示数据"})
        register_detail({"scale": "规模", "seed": "随机种子"})
        register_demo_accounts(DEMO_ACCOUNTS, DEMO_PASSWORD)  # the login page lists them while DEBUG is on
