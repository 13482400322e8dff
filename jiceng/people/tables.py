"""Tables for people. Personal data appears only masked; columns read from the list's select_related."""

from __future__ import annotations

import datetime as dt

import django_tables2 as tables

from .models import Resident, Worker

#: Hidden on phones (grid workers use the resident list on a 390px screen).
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


def age_of(birth: dt.date | None, today: dt.date | None = None) -> int | None:
    if birth is None:
        return None
    today = today or dt.date.today()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class ResidentTable(tables.Table):
    name = tables.Column(verbose_name="姓名", linkify=True)
    id_number = tables.Column(verbose_name="证件号码", accessor="id_number_masked", orderable=False)
    phone = tables.Column(verbose_name="联系电话", accessor="phone_masked", orderable=False, default="—")
    gender = tables.Column(verbose_name="性别", attrs=WIDE_ONLY)
    age = tables.Column(verbose_name="年龄", accessor="birth_date", order_by=("-birth_date",), attrs=WIDE_ONLY)
    grid = tables.Column(verbose_name="网格", accessor="grid__name", attrs=WIDE_ONLY)
    room = tables.Column(
        verbose_name="楼栋房号", accessor="building__name", order_by=("building__code", "household__room")
    )

    class Meta:
        model = Resident
        fields = ("name", "id_number", "phone", "gender", "age", "grid", "room")
        order_by = ("name",)
        empty_text = "未找到居民"
        attrs = {"class": "table table-sm table-hover align-middle", "id": "jc-resident-table"}

    def render_age(self, value):
        return age_of(value)

    def render_room(self, record):
        return f"{record.building.name} {record.household.room}"


class WorkerTable(tables.Table):
    name = tables.Column(verbose_name="姓名", linkify=True)
    community = tables.Column(verbose_name="社区", accessor="community__name", attrs=WIDE_ONLY)
    post = tables.Column(verbose_name="岗位")
    grids = tables.Column(verbose_name="服务网格", accessor="pk", orderable=False)
    phone = tables.Column(verbose_name="联系电话", accessor="phone_masked", orderable=False, default="—")
    grade = tables.Column(verbose_name="岗级", attrs=WIDE_ONLY)
    is_active = tables.BooleanColumn(verbose_name="在岗", yesno="在岗,离岗", attrs=WIDE_ONLY)

    class Meta:
        model = Worker
        fields = ("name", "community", "post", "grids", "phone", "grade", "is_active")
        order_by = ("name",)
        empty_text = "暂无社区工作者"

    def render_grids(self, record):
        return "、".join(g.name for g in record.grids.all()) or "—"

    def render_grade(self, record):
        grade = record.get_grade_display()
        return f"{grade}{record.level}档" if grade and record.level else grade or "—"
