from django.apps import AppConfig

from jiceng.core import counting
from jiceng.territory.pages import register_page_context


class DashboardsConfig(AppConfig):
    name = "jiceng.dashboards"
    label = "dashboards"
    verbose_name = "统计与看板"

    def ready(self):
        from . import selectors, signals, stats_cache

        counting.register_cache(stats_cache)  # ``core`` reaches the figures' cache through this hook
        signals.connect()
        register_page_context("area_detail", selectors.area_page_context)  # the area page's figures
