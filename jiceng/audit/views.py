"""Read-only audit screens for the audit administrator (审计管理员). Nothing here writes: every view
answers GET only, and the models refuse updates and deletes anyway."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views import View

from jiceng.core.views import ObjectListView, ScopedViewMixin

from . import display, registry
from .filters import AuditLogFilterSet, SensitiveAccessLogFilterSet
from .models import AuditLog, SensitiveAccessLog
from .services import display_repr
from .tables import AuditLogTable, SensitiveAccessLogTable


class AuditReadOnlyMixin:
    """GET only; users without the view permission get 403 (auditors read within their scope)."""

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.can("view"):
            raise PermissionDenied("只有审计管理员可以查看审计日志。")
        return super().dispatch(request, *args, **kwargs)


class AuditLogListView(AuditReadOnlyMixin, ObjectListView):
    model = AuditLog
    table_class = AuditLogTable
    filterset_class = AuditLogFilterSet
    title = "审计日志"
    template_name = "audit/log_list.html"


class AuditLogDetailView(AuditReadOnlyMixin, ScopedViewMixin, View):
    model = AuditLog
    template_name = "audit/log_detail.html"

    def get(self, request, pk):
        entry = self.get_object(pk=pk)
        context = {
            "title": "审计记录",
            "object": entry,
            "action_label": registry.event_label(entry.action),
            "object_label": display_repr(entry),
            "object_type_label": display.object_type_label(entry.object_type),
            "change_rows": display.change_rows(entry),
            "detail_rows": display.detail_rows(entry),
        }
        return render(request, self.template_name, context)


class SensitiveAccessLogListView(AuditReadOnlyMixin, ObjectListView):
    model = SensitiveAccessLog
    queryset = SensitiveAccessLog.objects.select_related("user")
    table_class = SensitiveAccessLogTable
    filterset_class = SensitiveAccessLogFilterSet
    title = "个人信息查看记录"
    template_name = "audit/log_list.html"
