from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiceng.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self):
        from . import lookups  # noqa: F401 - registers ``__any``
