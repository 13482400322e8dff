import django_tables2 as tables
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from .models import User
from .roles import ROLES


class UserTable(tables.Table):
    username = tables.Column(verbose_name="用户名", linkify=("accounts:user_detail", [tables.A("pk")]))
    display_name = tables.Column(verbose_name="姓名")
    grants = tables.Column(verbose_name="角色", empty_values=(), orderable=False)
    is_active = tables.BooleanColumn(verbose_name="状态", yesno="启用,停用")
    must_change_password = tables.BooleanColumn(verbose_name="待改初始密码", yesno="是,—")
    last_login = tables.DateTimeColumn(verbose_name="最近登录", format="Y-m-d H:i", default="—")

    class Meta:
        model = User
        fields = ("username", "display_name", "grants", "is_active", "must_change_password", "last_login")
        order_by = ("username",)
        empty_text = "暂无账号"

    def render_grants(self, record):
        grants = list(record.grants.all())  # prefetched by selectors.user_list
        if not grants:
            return "未授予角色"
        return format_html_join(mark_safe("<br>"), "{} · {}", ((ROLES[g.role].label, g.area.name) for g in grants))
