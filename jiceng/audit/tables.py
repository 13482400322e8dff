import django_tables2 as tables

from . import display, registry
from .models import AuditLog, SensitiveAccessLog


class AuditLogTable(tables.Table):
    ts = tables.DateTimeColumn(
        verbose_name="时间", format="Y-m-d H:i:s", linkify=("audit:log_detail", [tables.A("pk")])
    )
    username = tables.Column(verbose_name="用户", default="—")
    action = tables.Column(verbose_name="事件类型")
    object_repr = tables.Column(verbose_name="对象", default="—")
    success = tables.BooleanColumn(verbose_name="是否成功", yesno="成功,失败")
    ip = tables.Column(verbose_name="IP 地址", default="—")

    class Meta:
        model = AuditLog
        fields = ("ts", "username", "action", "object_repr", "success", "ip")
        order_by = ("-ts",)
        empty_text = "暂无记录"

    def render_action(self, value):
        return registry.event_label(value)

    def render_object_repr(self, value, record):
        from .services import display_repr

        return display_repr(record) or "—"


class SensitiveAccessLogTable(tables.Table):
    ts = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s")
    user = tables.Column(verbose_name="查看人", accessor="user__username")
    subject_type = tables.Column(verbose_name="对象类型")
    subject_repr = tables.Column(verbose_name="对象", default="—")
    field = tables.Column(verbose_name="字段")
    reason = tables.Column(verbose_name="查看理由")
    ip = tables.Column(verbose_name="IP 地址", default="—")

    class Meta:
        model = SensitiveAccessLog
        fields = ("ts", "user", "subject_type", "subject_repr", "field", "reason", "ip")
        order_by = ("-ts",)
        empty_text = "暂无记录"

    def render_subject_type(self, value):
        return display.object_type_label(value)

    def render_field(self, value, record):
        return display.field_label(record.subject_type, value)
