from django.apps import AppConfig

from jiceng.core import counting


class TerritoryConfig(AppConfig):
    name = "jiceng.territory"
    label = "territory"
    verbose_name = "辖区"

    def ready(self):
        from jiceng.core.scoping import register_node_path  # defines models: imported once apps load

        from .models import Area, Building, Community, Grid, Household, Quarter, Street

        # Every write to these changes the cached figures of its node (``core.counting``).
        for model in (Area, Street, Community, Grid, Quarter, Building, Household):
            counting.register_counted(model)
        # The path of a node by id, for the layers below that filter by node (``core.scoping.node_path``).
        register_node_path(lambda pk: Area.objects.filter(pk=pk).values_list("path", flat=True).first())
