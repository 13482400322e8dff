import django_filters as filters
from django.db.models import Q
from django.forms import Select

from .models import RoleGrant, User
from .roles import ROLE_CHOICES


class UserFilterSet(filters.FilterSet):
    q = filters.CharFilter(label="用户名或姓名", method="search")
    role = filters.ChoiceFilter(label="角色", choices=ROLE_CHOICES, method="with_role", empty_label="全部")
    is_active = filters.BooleanFilter(label="启用")

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["is_active"].field.widget.choices = [("", "全部"), ("true", "启用"), ("false", "停用")]
        for field in self.form.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, Select) else "form-control form-control-sm"
            field.widget.attrs["class"] = css

    def search(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(username__icontains=value) | Q(display_name__icontains=value))

    def with_role(self, qs, name, value):
        return qs.filter(pk__in=RoleGrant.objects.filter(role=value).values("user_id"))
