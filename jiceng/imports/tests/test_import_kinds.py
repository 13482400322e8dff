"""Every roster kind imports through its service; the API, the command and the page run the same code."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jiceng.core import excel
from jiceng.imports.importers import IMPORTERS
from jiceng.party.models import PartyMember, PartyOrg
from jiceng.people.models import Worker
from jiceng.territory.models import Area, Building, Household

from .helpers import RESIDENT_HEADER, grid_and_building, new_id, run, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_grids_and_quarters(personas):
    rows = [["社区", "网格名称", "网格类型", "网格品牌"], ["文昌花园社区", "文昌花园第99网格", "专属网格", "香樟树下"]]
    job = run(personas.longpan_admin, "grids", "网格.xlsx", xlsx_bytes(rows))
    assert (job.created_rows, job.rejected_rows) == (1, 0), job.errors
    grid = Area.objects.get(name="文昌花园第99网格")
    assert grid.code == "34110300301232" and grid.grid_type == "dedicated"
    rows = [["所属社区", "小区名称", "有党群服务站"], ["341103003012", "新苑小区", "是"]]
    job = run(personas.longpan_admin, "quarters", "小区.csv", "\n".join(",".join(r) for r in rows).encode("gbk"))
    assert job.created_rows == 1, job.errors
    assert Area.objects.get(name="新苑小区").code == "341103003012Q08"
    # another street's admin (grids are the street's to add): the service refuses the row (scope), the report says so
    rows = [["社区", "网格名称"], ["文昌花园社区", "文昌花园第98网格"]]
    job = run(personas.yinhua_admin, "grids", "网格.xlsx", xlsx_bytes(rows))
    assert job.errors == [
        {"row": 2, "column": "社区", "value": "文昌花园社区", "message": "目标不在您的管辖范围内，操作被拒绝。"}
    ]
    assert not Area.objects.filter(name="文昌花园第98网格").exists()


def test_buildings_and_households(personas):
    grid, b = grid_and_building()
    rows = [
        ["网格", "楼号", "层数", "用途", "所属小区"],
        [grid.code, "88", "18层", "住宅", ""],
        [grid.code, b.number, 9, "", ""],
    ]
    job = run(personas.wenchang_worker, "buildings", "楼栋.xlsx", xlsx_bytes(rows), on_existing="update")
    assert (job.created_rows, job.updated_rows, job.rejected_rows) == (1, 1, 0), job.errors
    new = Building.objects.get(grid=grid, number="88")
    assert new.floors == 18 and Building.objects.get(pk=b.pk).floors == 9
    rows = [
        ["网格", "楼栋", "房号", "房屋用途", "建筑面积"],
        [grid.name, "88", "1-101", "出租", "89.5㎡"],
        [grid.name, "404", "1-101", "", ""],
    ]
    job = run(personas.wenchang_worker, "households", "户.xlsx", xlsx_bytes(rows), mode="valid_rows")
    assert (job.created_rows, job.rejected_rows) == (1, 1), job.errors
    assert job.errors[0]["row"] == 3 and "没有楼栋" in job.errors[0]["message"]
    h = Household.objects.get(building=new, room="1-101")
    assert (h.usage, str(h.area_sqm)) == ("rented", "89.50")


def test_party_orgs_and_members(personas):
    quarter = Area.objects.filter(kind="quarter", name__startswith="文昌花园").first()
    rows = [
        ["党组织名称", "组织类型", "上级党组织", "所在辖区", "本届起始日期"],
        ["中共测试联合支部委员会", "联合党支部", "中共文昌花园社区委员会", quarter.code, "2024-01-05"],
    ]
    job = run(personas.wenchang_worker, "party_orgs", "党组织.xlsx", xlsx_bytes(rows))
    assert job.created_rows == 1, job.errors
    org = PartyOrg.objects.get(name="中共测试联合支部委员会")
    assert org.parent.name == "中共文昌花园社区委员会" and org.term_years == 5
    grid, b = grid_and_building()
    number = new_id(991)
    run(personas.wenchang_worker, "residents", "r.xlsx",
        xlsx_bytes([RESIDENT_HEADER, ["党员甲", number, "", grid.code, b.number, "1-199", "汉族", "户主"]]))  # fmt: skip
    rows = [
        ["姓名", "身份证号", "所在党组织", "入党日期", "转正日期"],
        ["党员甲", number, org.name, "2015-07-01", "2016-07-01"],
    ]
    job = run(personas.wenchang_worker, "party_members", "党员.xlsx", xlsx_bytes(rows))
    assert job.created_rows == 1, job.errors
    member = PartyMember.objects.get(resident__id_hash__isnull=False, name="党员甲")
    assert (member.org_id, member.status) == (org.pk, "full")
    assert PartyOrg.objects.get(pk=org.pk).member_count == 1


def test_workers(personas):
    rows = [
        ["姓名", "所属社区", "联系电话", "岗位", "服务网格"],
        ["网格员乙", "文昌花园社区", "13900000001", "专职网格员", "文昌花园第1网格、文昌花园第2网格"],
    ]
    job = run(personas.wenchang_worker, "workers", "工作者.xlsx", xlsx_bytes(rows))
    assert job.created_rows == 1, job.errors
    worker = Worker.objects.get(name="网格员乙")
    assert worker.is_grid_worker and worker.grids.count() == 2 and worker.phone == "13900000001"


@pytest.mark.parametrize("kind", list(IMPORTERS))
def test_every_template_downloads(kind, personas, client):
    client.force_login(personas.qu_admin)
    response = client.get(f"/imports/templates/{kind}.xlsx")
    assert response.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [c.value.rstrip("*") for c in ws[1]] == [c.header for c in IMPORTERS[kind].columns]


def test_api_submit_and_poll_owner_only(personas, client, django_capture_on_commit_callbacks):
    grid, b = grid_and_building()
    content = xlsx_bytes([RESIDENT_HEADER, ["接口", new_id(993), "", grid.code, b.number, "1-188", "汉族", "户主"],
                          ["接口二", "123", "", grid.code, b.number, "1-189", "汉族", "户主"]])  # fmt: skip
    client.force_login(personas.wenchang_worker)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports/",
            {
                "kind": "residents",
                "file": SimpleUploadedFile("a.xlsx", content),
                "dry_run": "false",
                "mode": "valid_rows",
            },
        )
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    report = client.get(f"/api/v1/imports/{job_id}/").json()
    assert {k: report[k] for k in ("status", "progress", "total_rows", "accepted_rows", "rejected_rows")} == {
        "status": "done", "progress": 100, "total_rows": 2, "accepted_rows": 1, "rejected_rows": 1,
    }  # fmt: skip
    assert report["errors"] == [
        {"row": 3, "column": "身份证号", "value": "123", "message": "身份证号应为 18 位，当前为 3 位。"}
    ]
    assert set(report) >= {"warnings", "errors"}
    client.force_login(personas.dougang_worker)
    assert client.get(f"/api/v1/imports/{job_id}/").status_code == 404
    bad = client.post("/api/v1/imports/", {"kind": "nope", "file": SimpleUploadedFile("a.xlsx", content)})
    assert bad.status_code == 400


def test_command_prints_report_and_exits_non_zero(personas, tmp_path, capsys):
    grid, b = grid_and_building()
    path = tmp_path / "居民.xlsx"
    path.write_bytes(xlsx_bytes([RESIDENT_HEADER, ["命令", new_id(995), "", grid.code, b.number, "1-177", "汉族", "户主"],
                                 ["命令二", "34110319950101901", "", grid.code, b.number, "1-178", "汉族", "户主"]]))  # fmt: skip
    with pytest.raises(SystemExit) as exc:
        call_command("import_roster", "residents", str(path), "--dry-run", "--user", "wenchang_worker", "--json")
    assert exc.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["accepted_rows"], report["rejected_rows"], report["applied"]) == (1, 1, False)
    assert report["errors"][0]["row"] == 3
    path.write_bytes(
        xlsx_bytes([RESIDENT_HEADER, ["命令", new_id(995), "", grid.code, b.number, "1-177", "汉族", "户主"]])
    )
    call_command("import_roster", "residents", str(path), "--user", "wenchang_worker")
    assert "通过 1" in capsys.readouterr().out


def test_upload_page(personas, client, django_capture_on_commit_callbacks):
    grid, b = grid_and_building()
    client.force_login(personas.wenchang_worker)
    assert client.get("/imports/").status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = xlsx_bytes([RESIDENT_HEADER, ["页面", new_id(997), "", grid.code, b.number, "1-166", "汉族", "户主"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/imports/", {"kind": "residents", "file": SimpleUploadedFile("p.xlsx", content), "mode": "all_or_nothing",
                          "on_existing": "update"},
        )  # fmt: skip
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "导入完成" in page.content.decode()
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert 'id="jc-import-status"' in partial.content.decode() and "hx-trigger" not in partial.content.decode()
    client.force_login(personas.grid_wc01)
    assert client.get("/imports/").status_code == 200  # grid workers import residents of their grid


ID_DIGITS = st.sampled_from([new for new in ["340104199001019113", "34010419900101911X".replace("X", "3")]])


@hsettings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    pad_left=st.text(" \u3000\t", max_size=3),
    pad_right=st.text(" \u3000\t", max_size=3),
    inner=st.sampled_from(["", " ", "\u3000"]),
    full_width=st.booleans(),
    lower_x=st.booleans(),
)
def test_messy_id_cells_normalise(pad_left, pad_right, inner, full_width, lower_x):
    from jiceng.core.validators import id_check_digit

    first17 = "34110319850612001"
    number = first17 + id_check_digit(first17)
    text = number[:6] + inner + number[6:14] + inner + number[14:]
    if full_width:
        text = text.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    if lower_x:
        text = text.replace("X", "x").replace("Ｘ", "ｘ")
    assert excel.clean_id_number(pad_left + text + pad_right)[0] == number


@hsettings(max_examples=60, deadline=None)
@given(
    style=st.sampled_from(
        ["{p}", "+86{p}", "+86 {p}", "86{p}", "{a} {b} {c}", "{a}-{b}-{c}", "（{a}）{b}{c}", "{p}.0"]
    ),
    pad=st.text(" \u3000", max_size=2),
    full_width=st.booleans(),
    mobile=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
)
def test_messy_phone_cells_normalise(style, pad, full_width, mobile):
    from jiceng.core.validators import validate_phone

    text = style.format(p=mobile, a=mobile[:3], b=mobile[3:7], c=mobile[7:])
    if full_width:
        text = text.translate(str.maketrans("0123456789+", "０１２３４５６７８９＋"))
    assert validate_phone(excel.clean_phone_text(pad + text + pad)) == mobile


@hsettings(max_examples=40, deadline=None)
@given(st.integers(min_value=10**17, max_value=10**18 - 1))
def test_ids_stored_as_doubles_are_never_silently_accepted(n):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        excel.clean_id_number(float(n))
