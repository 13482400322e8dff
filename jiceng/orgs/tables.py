"""Tables of the organisations (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables

from .models import Organisation


class OrganisationTable(tables.Table):
    name = tables.Column(verbose_name="名称", linkify=True)
    kind = tables.Column(verbose_name="类型")
    area = tables.Column(verbose_name="服务辖区", accessor="area__name")
    unit_category = tables.Column(verbose_name="单位类别", default="—")
    uscc = tables.Column(verbose_name="统一社会信用代码", default="—")
    contact_name = tables.Column(verbose_name="联系人", default="—")
    contact_phone = tables.Column(verbose_name="联系电话", default="—")
    is_active = tables.BooleanColumn(verbose_name="启用", yesno="是,否")

    class Meta:
        model = Organisation
        fields = ("name", "kind", "area", "unit_category", "uscc", "contact_name", "contact_phone", "is_active")
        order_by = ("kind", "name")
        empty_text = "暂无组织机构"
