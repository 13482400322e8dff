import django_filters as filters
from django.forms import Select

from jiceng.core.forms import DateInput

from .models import AuditLog, SensitiveAccessLog
from .registry import event_choices


def _style(filterset):
    for field in filterset.form.fields.values():
        css = "form-select form-select-sm" if isinstance(field.widget, Select) else "form-control form-control-sm"
        field.widget.attrs["class"] = css


class _DateRange(filters.FilterSet):
    date_from = filters.DateFilter(label="起始日期", field_name="ts", lookup_expr="date__gte", widget=DateInput)
    date_to = filters.DateFilter(label="截止日期", field_name="ts", lookup_expr="date__lte", widget=DateInput)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        _style(self)


class AuditLogFilterSet(_DateRange):
    # Every event type an app registered (the ticket events included), grouped as the apps name them.
    action = filters.ChoiceFilter(label="事件类型", choices=event_choices, empty_label="全部")
    username = filters.CharFilter(label="用户名", lookup_expr="icontains")
    success = filters.BooleanFilter(label="是否成功")

    class Meta:
        model = AuditLog
        fields = ["action", "username", "success", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["success"].widget.choices = [("", "全部"), ("true", "成功"), ("false", "失败")]


class SensitiveAccessLogFilterSet(_DateRange):
    username = filters.CharFilter(label="查看人", field_name="user__username", lookup_expr="icontains")
    field = filters.CharFilter(label="字段")

    class Meta:
        model = SensitiveAccessLog
        fields = ["username", "field", "date_from", "date_to"]
