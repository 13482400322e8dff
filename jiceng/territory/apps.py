from django.apps import AppConfig

from jiceng.core import counting


class TerritoryConfig(AppConfig):
    name = "jiceng.territory"
    label = "territory"
    verbose_name = "辖区"

    def ready(self):
        from .models import Area, Building, Community, Grid, Household, Quarter, Street

        # Every write to these changes the cached figures of its node (``core.counting``).
        for model in (Area, Street, Community, Grid, Quarter, Building, Household):
            counting.register_counted(model)
