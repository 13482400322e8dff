from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "jiceng.dashboards"
    label = "dashboards"
    verbose_name = "统计与看板"

    def ready(self):
        from jiceng.core import counting

        from . import signals, stats_cache

        counting.register_cache(stats_cache)  # ``core`` reaches the figures' cache through this hook
        signals.connect()
