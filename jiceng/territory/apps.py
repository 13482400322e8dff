from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "jiceng.territory"
    label = "territory"
    verbose_name = "辖区"
