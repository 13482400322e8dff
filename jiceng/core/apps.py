from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiceng.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import lookups  # noqa: F401 - registers ``__any``

        # Every app's ``entities.py`` (its ``@register`` declarations), before any other app's ``ready()``
        # reads the registry: all models are loaded by now (Django admin's ``autodiscover``).
        autodiscover_modules("entities")
