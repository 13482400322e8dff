from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "jiceng.attachments"
    label = "attachments"
    verbose_name = "附件"
