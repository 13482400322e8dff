from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jiceng.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self):
        from jiceng.core import entities

        from .registry import register_detail, register_events
        from .services import audit_record, snapshot

        entities.set_auditor(snapshot=snapshot, record=audit_record)  # declared entities' services audit here

        register_events(
            "通用",
            {"create": "新建", "update": "修改", "delete": "删除", "view": "查看", "bulk_create": "批量新建",
             "bulk_update": "批量修改"},
        )  # fmt: skip
        register_events("个人信息", {"reveal": "查看完整信息", "reveal_denied": "查看完整信息（被拒绝）"})
        register_detail(
            {"changes": "修改前后", "reason": "理由", "field": "字段", "model": "数据类别", "count": "条数",
             "ids": "记录编号", "user": "账号", "role": "角色", "area": "管辖范围"}
        )  # fmt: skip
        _name_declared_workflows(register_events)


def _name_declared_workflows(register_events) -> None:
    """Each declared entity's life-cycle steps (``<audit_prefix><action>``) named on the audit screens —
    "需求认领" — unless its app names them itself later in its own ``ready()``."""
    from jiceng.core import entities

    for entity in entities.entities():
        wf = entity.workflow
        if wf is not None:
            labels = {f"{wf.audit_prefix}{t.action}": f"{entity.verbose_name}{t.label}" for t in wf.transitions}
            register_events(str(entity.verbose_name), labels)
