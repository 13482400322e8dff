from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "jiceng.brands"
    label = "brands"
    verbose_name = "治理品牌"
