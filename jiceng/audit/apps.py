from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jiceng.audit"
    label = "audit"
    verbose_name = "审计"
