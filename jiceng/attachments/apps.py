from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "jiceng.attachments"
    label = "attachments"
    verbose_name = "附件"

    def ready(self):
        from jiceng.audit.registry import register_events
        from jiceng.core.entities import set_attachment_store

        from .selectors import attachments_for
        from .services import attach

        register_events("附件", {"attach": "上传附件", "detach": "删除附件"})
        set_attachment_store(attach=attach, listing=attachments_for)  # declared entities' files
