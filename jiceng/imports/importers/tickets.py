"""Importer for 12345 hotline tickets handed down to the district (12345转办): one row, one ticket.

Each row enters the same closed loop as any other request: ``ticket_create`` routes it to its grid
(by building, or by the grid named in the row) and submits it; the hotline's own ticket number is kept
as ``external_id`` and a number already registered is rejected, so a file imported twice adds nothing.
"""

from __future__ import annotations

from django.db.models import Q

from jiceng.tickets.choices import Channel, Urgency
from jiceng.tickets.models import Category, Ticket
from jiceng.tickets.services import ticket_create

from .base import Col, Importer, Outcome, RowRejected
from .territory import BUILDING_COL, GRID_COL


class HotlineTicketImporter(Importer):
    kind = "tickets_12345"
    permission = "tickets.import_ticket"
    label = "12345 热线转办工单"
    model = Ticket
    columns = [
        Col("external_id", "12345工单号", type="compact", required=True, synonyms=("工单号", "热线工单号", "工单编号"),
            example="AH202611260001", field="external_id", width=20),
        Col("category", "诉求类别", required=True, synonyms=("类别", "诉求类型", "事项类别", "服务代码"),
            example="物业管理", help="类别名称或服务代码", field="category", width=16),
        Col("urgency", "紧急程度", type="choice", choices=Urgency.choices, example="一般", field="urgency", width=10),
        Col("title", "标题", synonyms=("诉求标题", "事项标题"), example="楼道灯不亮", field="title", width=20),
        Col("description", "诉求内容", required=True, synonyms=("来电内容", "内容", "问题描述", "诉求描述"),
            example="3栋2单元楼道灯坏了一周无人修。", field="description", width=40),
        Col("reporter_name", "诉求人", type="name", synonyms=("来电人", "联系人", "姓名"), example="王先生", field="reporter_name", width=10),
        Col("reporter_phone", "联系电话", type="phone", synonyms=("来电号码", "手机号", "电话"), example="13800000000",
            field="reporter_phone", width=16),
        GRID_COL,
        BUILDING_COL,
        Col("address", "地址", synonyms=("事发地址", "诉求地址"), example="文昌花园3栋", field="address", width=24),
    ]  # fmt: skip
    key_columns = ("external_id",)
    scope_column = "grid"
    notes = [
        "每行生成一件“12345转办”诉求，按楼栋或网格分派到网格，进入受理—派单—办理—核查—回访的闭环。",
        "已登记过的 12345 工单号会被拒绝，同一文件重复导入不会产生重复工单。",
    ]

    def _category(self, text: str) -> Category:
        found = list(Category.objects.filter(Q(service_code=text) | Q(name=text), is_active=True)[:2])
        if len(found) != 1:
            raise RowRejected([("category", f"找不到诉求类别“{text}”（或名称不唯一），请填写类别名称或服务代码。")])
        return found[0]

    def apply(self, values):
        if Ticket.objects.filter(channel=Channel.HOTLINE, external_id=values["external_id"]).exists():
            if self.on_existing == "skip":
                return Outcome("skipped", ["该 12345 工单号已登记，已跳过。"])
            raise RowRejected([("external_id", "该 12345 工单号已登记，不能重复导入。")])
        grid = self.find_area(("grid",), values["grid"], column="grid")
        building = None
        if values.get("building"):
            building = self.find_building(grid, values["building"], column="building")
            if building is None:
                raise RowRejected([("building", f"网格“{grid.name}”中没有楼栋“{values['building']}”。")])
        data = {
            k: values[k]
            for k in ("title", "description", "reporter_name", "reporter_phone", "address")
            if values.get(k)
        }
        result = ticket_create(
            actor=self.actor,
            channel=Channel.HOTLINE,
            external_id=values["external_id"],
            category=self._category(values["category"]),
            urgency=values.get("urgency") or Urgency.NORMAL,
            grid=None if building else grid,
            building=building,
            **data,
        )
        return Outcome("created", result.warnings)
