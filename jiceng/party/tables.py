"""Tables of the Party organisation (django-tables2). Every column reads from the list's own
select_related / prefetch_related, so a page costs the same number of queries whatever its size."""

from __future__ import annotations

import datetime as dt

import django_tables2 as tables
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .models import CentralHousehold, PartyGroup, PartyMember, PartyOrg


def term_badge(org: PartyOrg) -> str:
    """The term end date, flagged 已超期 / 即将届满 (within the alert window)."""
    end = org.effective_term_end
    if end is None:
        return mark_safe('<span class="text-muted">未登记</span>')
    today = dt.date.today()
    if end < today:
        badge = '<span class="badge text-bg-danger">已超期</span>'
    elif (end - today).days <= settings.JICENG_TERM_ALERT_DAYS:
        badge = '<span class="badge text-bg-warning">即将届满</span>'
    else:
        badge = ""
    extended = '<span class="badge text-bg-light border">已批准延期</span>' if org.term_extended_until else ""
    return format_html("{} " + badge + extended, end.strftime("%Y-%m-%d"))


class PartyOrgTable(tables.Table):
    name = tables.Column(verbose_name="名称", linkify=True)
    org_type = tables.Column(verbose_name="组织类型")
    area = tables.Column(verbose_name="所在辖区", accessor="area__name")
    secretary = tables.Column(verbose_name="书记", accessor="pk", orderable=False)
    members = tables.Column(verbose_name="党员（正式/总数）", accessor="member_count", order_by=("member_count",))
    term_end = tables.Column(verbose_name="本届届满", accessor="term_end", empty_values=())

    class Meta:
        model = PartyOrg
        fields = ("name", "org_type", "area", "secretary", "members", "term_end")
        order_by = ("name",)
        empty_text = "暂无党组织"

    def render_secretary(self, record):
        seats = getattr(record, "current_secretary_seats", None)
        return seats[0].member.name if seats else "—"

    def render_members(self, record):
        return f"{record.full_member_count}/{record.member_count}"

    def render_term_end(self, record):
        return term_badge(record)


class PartyMemberTable(tables.Table):
    name = tables.Column(verbose_name="姓名", linkify=True)
    gender = tables.Column(
        verbose_name="性别",
        attrs={"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}},
    )
    status = tables.Column(verbose_name="状态")
    org = tables.Column(verbose_name="所在党组织", accessor="org__name", default="—")
    join_date = tables.DateColumn(verbose_name="入党日期", format="Y-m-d")
    is_in_service = tables.BooleanColumn(verbose_name="在职", yesno="是,—")
    report_community = tables.Column(verbose_name="报到社区", accessor="report_community__name", default="—")
    is_floating = tables.BooleanColumn(verbose_name="流动", yesno="是,—")

    class Meta:
        model = PartyMember
        fields = ("name", "gender", "status", "org", "join_date", "is_in_service", "report_community", "is_floating")
        order_by = ("name",)
        empty_text = "暂无党员"


class PartyGroupTable(tables.Table):
    name = tables.Column(verbose_name="名称", linkify=True)
    branch = tables.Column(verbose_name="所属党支部", accessor="branch__name")
    leader = tables.Column(verbose_name="党小组长", accessor="leader__name", default="—")
    buildings = tables.Column(verbose_name="覆盖楼栋", accessor="pk", orderable=False)

    class Meta:
        model = PartyGroup
        fields = ("name", "branch", "leader", "buildings")
        order_by = ("name",)
        empty_text = "暂无党小组"

    def render_buildings(self, record):
        return "、".join(b.name for b in record.buildings.all()) or "—"


class CentralHouseholdTable(tables.Table):
    member = tables.Column(
        verbose_name="中心户党员", accessor="member__name", linkify=lambda record: record.get_absolute_url()
    )
    household = tables.Column(verbose_name="所在户", accessor="pk", orderable=False)
    # ``group_name``: annotated by the list view, only for a group the reader may open.
    group = tables.Column(verbose_name="所属党小组", accessor="group_name", default="—")
    linked = tables.Column(verbose_name="联系户数", accessor="linked_count", orderable=False)
    designated_at = tables.DateColumn(verbose_name="设立日期", format="Y-m-d")

    class Meta:
        model = CentralHousehold
        fields = ("member", "household", "group", "linked", "designated_at")
        order_by = ("member",)
        empty_text = "暂无党员中心户"

    def render_household(self, record):
        return f"{record.household.building.name} {record.household.room}"
