"""12345 hotline tickets from Excel enter the same closed loop, in scope, without duplicates."""

from __future__ import annotations

import pytest

from jiceng.tickets.choices import Channel, Status
from jiceng.tickets.models import Category, Ticket

from .helpers import grid_and_building, run, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["12345工单号", "诉求类别", "紧急程度", "诉求内容", "来电人", "来电号码", "所属网格", "楼栋"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_hotline_rows_become_routed_tickets(personas):
    grid, building = grid_and_building()
    category = Category.objects.filter(is_active=True, kind="complaint").first()
    rows = [
        HEADER,
        [
            "AH2026112600001",
            category.name,
            "紧急",
            "楼道灯坏了一周。",
            "王先生",
            "13800001111",
            grid.code,
            building.number,
        ],
        [
            "AH2026112600002",
            category.service_code,
            "",
            "垃圾未及时清运。",
            "",
            "１３８ ００００ ２２２２",
            grid.name,
            "",
        ],
        ["AH2026112600003", "没有这个类别", "", "内容", "", "", grid.code, ""],
        ["", category.name, "", "缺少工单号", "", "", grid.code, ""],
    ]
    job = run(personas.wenchang_worker, "tickets_12345", "12345.xlsx", xlsx_bytes(rows), mode="valid_rows")
    assert (job.created_rows, job.rejected_rows) == (2, 2), job.errors
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "诉求类别"), (5, "12345工单号")]
    first = Ticket.objects.get(external_id="AH2026112600001")
    assert first.channel == Channel.HOTLINE and first.status == Status.PENDING_ACCEPT
    assert first.grid_id == grid.pk and first.building_id == building.pk and first.urgency == "urgent"
    assert first.reporter_phone == "13800001111" and first.recorded_by.username == "wenchang_worker"
    assert Ticket.objects.get(external_id="AH2026112600002").reporter_phone == "13800002222"
    # The same file again adds nothing: the hotline numbers are already registered.
    again = run(personas.wenchang_worker, "tickets_12345", "12345.xlsx", xlsx_bytes(rows[:3]))
    assert again.created_rows == 0 and again.rejected_rows == 2
    assert Ticket.objects.filter(external_id__startswith="AH20261126000").count() == 2


def test_hotline_row_outside_scope_is_rejected(personas):
    grid, _ = grid_and_building()
    category = Category.objects.filter(is_active=True).first()
    rows = [HEADER, ["AH2026112600009", category.name, "", "内容", "", "13800003333", grid.code, ""]]
    job = run(personas.dougang_worker, "tickets_12345", "12345.xlsx", xlsx_bytes(rows))
    assert job.rejected_rows == 1 and job.errors[0]["message"] == "目标不在您的管辖范围内，操作被拒绝。"
    assert not Ticket.objects.filter(external_id="AH2026112600009").exists()
