import django_tables2 as tables

from .models import AuditLog, SensitiveAccessLog

#: Chinese names of the audit event types (the codes are written by the services).
ACTION_LABELS = {
    "login": "登录",
    "logout": "退出",
    "login_failed": "登录失败",
    "password_change": "修改密码",
    "otp_enroll": "绑定动态口令",
    "otp_verify": "动态口令验证",
    "otp_reset": "重置动态口令",
    "otp_code_issue": "签发动态口令绑定码",
    "otp_code_check": "核验动态口令绑定码",
    "user_create": "创建账号",
    "user_activate": "启用账号",
    "user_deactivate": "停用账号",
    "role_grant": "授予角色",
    "role_revoke": "撤销角色",
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "view": "查看",
    "reveal": "查看完整信息",
    "reveal_denied": "查看完整信息（被拒绝）",
    "export": "导出",
    "api_token": "获取接口令牌",
    "seed_demo": "生成演示数据",
}


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
        return ACTION_LABELS.get(value, value)

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
