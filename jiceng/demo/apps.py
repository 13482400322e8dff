from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jiceng.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self):
        from jiceng.audit.registry import register_detail, register_events

        register_events("演示数据", {"seed_demo": "生成演示数据"})
        register_detail({"scale": "规模", "seed": "随机种子"})
