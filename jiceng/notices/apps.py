from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "jiceng.notices"
    label = "notices"
    verbose_name = "站内通知"

    def ready(self):
        from jiceng.core.workflow import register_deliverer  # defines models: imported once apps load

        from .services import deliver

        register_deliverer(deliver)
