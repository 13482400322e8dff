from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "jiceng.open311"
    label = "open311"
    verbose_name = "Open311 接口"

    def ready(self):
        from jiceng.audit.registry import register_detail, register_events

        register_events(
            "Open311 接口", {"open311_key_create": "创建 Open311 密钥", "open311_request": "Open311 提交诉求"}
        )
        register_detail({"name": "名称", "owner": "所属账号", "api_key": "接口密钥", "service_code": "服务代码"})
