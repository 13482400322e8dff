from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "jiceng.dashboards"
    label = "dashboards"
    verbose_name = "统计与看板"

    def ready(self):
        from . import signals

        signals.connect()
