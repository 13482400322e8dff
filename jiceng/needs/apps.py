from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "jiceng.needs"
    label = "needs"
    verbose_name = "三单制与三张清单"

    def ready(self):
        from . import stats

        stats.register()
