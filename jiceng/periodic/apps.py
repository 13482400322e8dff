from django.apps import AppConfig


class PeriodicConfig(AppConfig):
    name = "jiceng.periodic"
    label = "periodic"
    verbose_name = "定时任务"
