from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jiceng.api"
    label = "api"
    verbose_name = "接口"

    def ready(self):
        from jiceng.audit.registry import register_detail, register_events

        register_events("账号与安全", {"api_token": "获取接口令牌"})
        register_detail({"new_token": "新令牌"})
