"""共建单位 from an Excel roster: created and updated through the organisation services (credit code checked
per GB 32100, the node in the importer's scope), each bad row refused with its reason."""

from __future__ import annotations

import pytest
from stdnum.cn import uscc

from jiceng.imports.tests.helpers import run, xlsx_bytes
from jiceng.orgs.models import Organisation
from jiceng.testing.personas import persona

pytestmark = pytest.mark.django_db

HEADER = ["单位名称", "统一社会信用代码", "单位类别", "服务辖区", "联系电话", "单位党组织名称", "党员人数"]


def _code(serial: int) -> str:
    body = f"11341103MB{serial:07d}"
    return body + uscc.calc_check_digit(body)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_units_are_created_updated_and_bad_rows_refused():
    good, other = _code(4400001), _code(4400002)
    rows = [
        HEADER,
        ["南谯区测试局（包保龙蟠街道）", good, "党政机关", "龙蟠街道", "13900000001", "中共南谯区测试局支部", "12"],
        ["越权单位", other, "国有企业", "银花街道", "", "", ""],  # the sibling street
        ["校验位错误", good[:-1] + ("0" if good[-1] != "0" else "1"), "事业单位", "龙蟠街道", "", "", ""],
        ["电话有误", "", "社会组织", "龙蟠街道", "123", "", ""],
    ]
    job = run(persona("longpan_admin"), "units", "units.xlsx", xlsx_bytes(rows), mode="valid_rows")
    assert (job.created_rows, job.rejected_rows) == (1, 3), job.errors
    unit = Organisation.objects.get(uscc=good)
    assert (unit.kind, unit.name, unit.area.name, unit.unit_category, unit.party_member_count) == (
        "unit", "南谯区测试局(包保龙蟠街道)", "龙蟠街道", "party_government", 12,  # the service's normal form
    )  # fmt: skip
    assert not Organisation.objects.filter(name__in=["越权单位", "校验位错误", "电话有误"]).exists()
    messages = " ".join(str(e) for e in job.errors)
    assert "统一社会信用代码" in messages

    again = run(persona("longpan_admin"), "units", "units.xlsx",
                xlsx_bytes([HEADER, ["南谯区测试局", good, "党政机关", "龙蟠街道", "", "", "15"]]))  # fmt: skip
    unit.refresh_from_db()
    assert again.updated_rows == 1 and (unit.name, unit.party_member_count) == ("南谯区测试局", 15)


def test_only_the_district_and_the_streets_import_units():
    from jiceng.imports.services import can_import

    assert can_import(persona("qu_admin"), "units") and can_import(persona("longpan_admin"), "units")
    assert not can_import(persona("wenchang_worker"), "units") and not can_import(persona("unit_demo"), "units")
