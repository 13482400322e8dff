"""An export can carry the full register's columns, masked as usual."""

from __future__ import annotations

import pytest

from jiceng.audit.models import AuditLog
from jiceng.exports.models import ExportJob
from jiceng.people.models import Resident
from jiceng.territory.models import Area

from .test_exports import _export, _rows

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "曾用名", "证件类型", "证件号码", "性别", "出生年月", "民族", "政治面貌", "学历", "婚姻状况", "职业",
          "服务处所", "联系电话", "户籍地详址", "现住地详址", "人口类型", "网格", "楼栋房号", "与户主关系", "流入原因",
          "登记日期", "证件到期日期", "已死亡", "迁出日期"]  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.JICENG_EXPORT_SYNC_ROWS = 100000


def test_the_full_register_export_has_every_column_masked(personas, client):
    client.force_login(personas.wenchang_worker)
    grid = Area.objects.get(code="34110300301201")
    page = client.get("/people/residents/").content.decode()
    assert '<input class="form-check-input" type="checkbox" name="full_register" value="1" id="jc-export-full">' in page
    rows = _rows(_export(client, "/people/residents/", f"grid={grid.pk}", full_register="1"))
    assert rows[0] == HEADER
    residents = {r.name: r for r in Resident.objects.filter(grid=grid, deleted_at__isnull=True)}
    assert len(rows) - 1 == len(residents) > 0
    for row in rows[1:]:
        r = residents[row[0]]
        cells = dict(zip(HEADER, row + [None] * (len(HEADER) - len(row)), strict=True))  # empty cells trail
        assert cells["证件号码"] == r.id_number_masked and r.id_number not in {str(v) for v in row}
        assert (cells["联系电话"] or "") == r.phone_masked
        assert cells["出生年月"] == f"{r.birth_date:%Y-%m}"
        assert (cells["民族"], cells["与户主关系"]) == (r.get_ethnicity_display(), r.get_relation_to_head_display())
        assert cells["楼栋房号"] == f"{r.building.name} {r.household.room}"
        assert cells["已死亡"] == ("是" if r.is_deceased else "否")
    assert "宗教信仰" not in rows[0] and "居住证号码" not in rows[0]
    job = ExportJob.objects.get(owner=personas.wenchang_worker)
    assert job.full_register is True
    assert AuditLog.objects.get(action="export", object_id=str(job.pk)).detail["full_register"] is True


def test_a_list_without_a_register_format_refuses_it(personas, client):
    client.force_login(personas.wenchang_worker)
    before = ExportJob.objects.count()
    response = _export(client, "/people/workers/", "", full_register="1")
    assert response.status_code == 302 and ExportJob.objects.count() == before
    assert 'name="full_register"' not in client.get("/people/workers/").content.decode()
