"""Resident imports from real files made here: messy cells, every format, scope, modes and crashes."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from jiceng.core.tests.helpers import row_counts
from jiceng.imports import services
from jiceng.imports.importers import ResidentImporter
from jiceng.people.models import Resident
from jiceng.people.services import id_hash_for
from jiceng.territory.models import Area, Household

from .helpers import RESIDENT_HEADER, csv_bytes, grid_and_building, new_id, run, xls_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _resident(number: str) -> Resident | None:
    return Resident.objects.filter(id_hash=id_hash_for(number)).select_related("household", "building").first()


def test_messy_xlsx_title_row_synonyms_and_excel_row_numbers(personas):
    grid, b = grid_and_building()
    exact = new_id(911)
    exact_sci = f"{exact[0]}.{exact[1:]}E+17"  # scientific notation that kept all 18 digits
    full_width = new_id(913).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [
        # columns in another order, synonyms (公民身份号码, 手机号码, 网格代码, 门牌号)
        ["门牌号", "公民身份号码", "姓名", "手机号码", "网格代码", "楼号", "民族", "与户主关系"],
        ["8-801", exact_sci, "赵 六", "138 0000 0011", grid.code, b.number, "汉族", "户主"],
        ["8-801", f" {full_width} ", "钱七", "+86 138-0000-0012", grid.code, f"{b.number}栋", "01", "配偶"],
        ["8-802", int(new_id(912)), "孙八", "", grid.code, b.number, "汉族", "户主"],
        ["8-801", f" {full_width} ", "钱七", "+86 138-0000-0012", grid.code, f"{b.number}栋", "01", "配偶"],
        ["8-803", new_id(913), "李九", "", grid.code, b.number, "汉族", "户主"],
        [None, None, None, None, None, None, None, None],
        ["   ", "", None, None, None, None, None, None],
    ]
    job = run(
        personas.wenchang_worker, "residents", "台账.xlsx", xlsx_bytes(rows, title="文昌花园社区实有人口台账"),
        mode="valid_rows",
    )  # fmt: skip
    r = services.job_report(job)
    assert r["status"] == "done", r
    assert (r["total_rows"], r["accepted_rows"], r["rejected_rows"]) == (5, 3, 2)
    assert (r["created_rows"], r["skipped_rows"]) == (2, 1)
    errors = {(e["row"], e["column"]): e["message"] for e in r["errors"]}
    # The title is row 1 and the header row 2, so the data begins on Excel row 3.
    assert "后几位已丢失" in errors[(5, "公民身份号码")]  # typed as a number: Excel kept 15-17 digits
    assert "与第 4 行的证件号码重复" in errors[(7, "公民身份号码")]
    assert any(w["row"] == 6 and "完全相同" in w["message"] for w in r["warnings"])
    assert any(w["row"] == 3 and "数字格式" in w["message"] for w in r["warnings"])
    zhao = _resident(exact)
    assert zhao.name == "赵六" and zhao.phone == "13800000011"
    qian = _resident(full_width.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    assert qian.phone == "13800000012" and qian.household_id == zhao.household_id
    household = Household.objects.get(pk=zhao.household_id)
    assert (household.building_id, household.room, household.head_id) == (b.pk, "8-801", zhao.pk)


def test_csv_in_gbk_and_utf8_with_bom(personas):
    grid, b = grid_and_building()
    for i, encoding in enumerate(("gbk", "utf-8-sig", "utf-8")):
        number = new_id(920 + i)
        rows = [RESIDENT_HEADER, ["周 十", number, "13800000020", grid.name, b.name, f"7-70{i}", "汉族", "户主"]]
        job = run(personas.wenchang_worker, "residents", f"居民{i}.csv", csv_bytes(rows, encoding))
        assert (job.accepted_rows, job.rejected_rows, job.applied) == (1, 0, True), job.errors
        assert _resident(number).name == "周十"


def test_xls_file(personas):
    grid, b = grid_and_building()
    number = new_id(930)
    rows = [
        ["居民花名册"],
        RESIDENT_HEADER,
        ["吴一", number, 13800000030.0, grid.code, float(b.number), "6-601", "汉族", "户主"],
    ]
    job = run(personas.wenchang_worker, "residents", "居民.xls", xls_bytes(rows))
    assert (job.accepted_rows, job.rejected_rows, job.header_row) == (1, 0, 2), job.errors
    assert _resident(number).phone == "13800000030"


def test_two_row_header_with_merged_group_cells(personas):
    grid, b = grid_and_building()
    number = new_id(931)
    rows = [
        ["姓名", "证件号码", "居住地址", None, None],
        [None, None, "网格", "楼栋", "房号"],
        ["郑二", number, grid.code, b.number, "5-501"],
    ]
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    ws.merge_cells("C1:E1")
    buf = io.BytesIO()
    wb.save(buf)
    job = run(personas.wenchang_worker, "residents", "两行表头.xlsx", buf.getvalue())
    assert (job.accepted_rows, job.header_row) == (1, 2), job.errors
    assert _resident(number).household.room == "5-501"


def test_address_resolves_building_and_room(personas):
    grid, b = grid_and_building()
    number = new_id(932)
    rows = [["姓名", "证件号码", "网格", "现住地详址"], ["王三", number, grid.code, f"滁州市南谯区{b.name}3-302室"]]
    job = run(personas.wenchang_worker, "residents", "地址.xlsx", xlsx_bytes(rows))
    assert job.accepted_rows == 1, job.errors
    r = _resident(number)
    assert (r.building_id, r.household.room) == (b.pk, "3-302")


def test_row_outside_subtree_is_rejected_and_nothing_written(personas):
    dougang_grid = Area.objects.filter(kind="grid", name__startswith="陡岗").order_by("code").first()
    b = dougang_grid.buildings.order_by("id").first()
    rows = [RESIDENT_HEADER, ["越界", new_id(940), "", dougang_grid.code, b.number, "1-101", "汉族", "户主"]]
    before = row_counts()
    job = run(personas.wenchang_worker, "residents", "越界.xlsx", xlsx_bytes(rows), mode="valid_rows")
    assert (job.accepted_rows, job.rejected_rows) == (0, 1)
    assert job.errors == [
        {"row": 2, "column": "所属网格", "value": dougang_grid.code, "message": "目标不在您的管辖范围内，操作被拒绝。"}
    ]
    after = row_counts()
    assert after["people.Resident"] == before["people.Resident"]
    assert after["territory.Household"] == before["territory.Household"]


def test_existing_rows_update_or_skip(personas):
    grid, b = grid_and_building()
    existing = Resident.objects.filter(grid=grid).order_by("id").first()
    rows = [RESIDENT_HEADER + ["职业"], [existing.name, existing.id_number, "", grid.code, existing.building.number,
                                        existing.household.room, "", "", "社区志愿者"]]  # fmt: skip
    job = run(personas.wenchang_worker, "residents", "更新.xlsx", xlsx_bytes(rows), on_existing="skip")
    assert (job.skipped_rows, job.updated_rows) == (1, 0)
    assert Resident.objects.get(pk=existing.pk).occupation != "社区志愿者"
    job = run(personas.wenchang_worker, "residents", "更新.xlsx", xlsx_bytes(rows), on_existing="update")
    assert (job.updated_rows, job.rejected_rows) == (1, 0), job.errors
    updated = Resident.objects.get(pk=existing.pk)
    assert updated.occupation == "社区志愿者"
    assert updated.phone == existing.phone  # an empty cell never erases


def test_all_or_nothing_writes_nothing_when_one_row_fails(personas):
    grid, b = grid_and_building()
    good = new_id(950)
    rows = [RESIDENT_HEADER, ["好人", good, "", grid.code, b.number, "4-401", "汉族", "户主"],
            ["坏人", "341103199501019011", "", grid.code, b.number, "4-402", "汉族", "户主"]]  # fmt: skip
    before = row_counts()
    job = run(personas.wenchang_worker, "residents", "整批.xlsx", xlsx_bytes(rows), mode="all_or_nothing")
    assert (job.status, job.applied, job.accepted_rows, job.rejected_rows) == ("done", False, 1, 1)
    assert job.errors[0]["row"] == 3 and "校验位" in job.errors[0]["message"]
    assert _resident(good) is None
    after = row_counts()
    for label in ("people.Resident", "territory.Household"):
        assert after[label] == before[label]


def test_dry_run_validates_but_writes_nothing(personas):
    grid, b = grid_and_building()
    number = new_id(951)
    rows = [RESIDENT_HEADER, ["试一", number, "", grid.code, b.number, "4-403", "汉族", "户主"]]
    job = run(personas.wenchang_worker, "residents", "试.xlsx", xlsx_bytes(rows), dry_run=True, mode="valid_rows")
    assert (job.accepted_rows, job.created_rows, job.applied) == (1, 1, False)
    assert _resident(number) is None


def test_crash_mid_import_all_or_nothing_rolls_everything_back(personas, monkeypatch):
    grid, b = grid_and_building()
    numbers = [new_id(960 + i) for i in range(5)]
    rows = [RESIDENT_HEADER] + [
        ["甲乙", n, "", grid.code, b.number, f"2-20{i}", "汉族", "户主"] for i, n in enumerate(numbers)
    ]
    original = ResidentImporter.apply
    calls = {"n": 0}

    def flaky(self, values):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("进程在第 4 行被中断")
        return original(self, values)

    monkeypatch.setattr(ResidentImporter, "apply", flaky)
    before = row_counts()
    job = run(personas.wenchang_worker, "residents", "中断.xlsx", xlsx_bytes(rows), mode="all_or_nothing")
    assert job.status == "failed" and not job.applied
    assert "已全部回滚" in job.message
    assert all(_resident(n) is None for n in numbers)
    after = row_counts()
    assert {k: after[k] for k in ("people.Resident", "territory.Household")} == {
        k: before[k] for k in ("people.Resident", "territory.Household")
    }


def test_crash_mid_import_valid_rows_keeps_exactly_the_committed_batches(personas, monkeypatch):
    grid, b = grid_and_building()
    numbers = [new_id(970 + i) for i in range(7)]
    rows = [RESIDENT_HEADER] + [
        ["丙丁", n, "", grid.code, b.number, f"3-30{i}", "汉族", "户主"] for i, n in enumerate(numbers)
    ]
    original = ResidentImporter.apply
    calls = {"n": 0}

    def flaky(self, values):
        calls["n"] += 1
        if calls["n"] == 6:  # rows 2-3 and 4-5 are committed batches; row 7 dies inside the third
            raise RuntimeError("killed")
        return original(self, values)

    monkeypatch.setattr(ResidentImporter, "apply", flaky)
    job = run(personas.wenchang_worker, "residents", "分批.xlsx", xlsx_bytes(rows), mode="valid_rows", batch_size=2)
    assert job.status == "failed"
    assert job.committed_through_row == 5 and job.accepted_rows == 4
    assert "第 5 行及之前" in job.message
    assert [bool(_resident(n)) for n in numbers] == [True, True, True, True, False, False, False]


def test_template_has_text_id_columns_and_dropdowns_and_round_trips(personas, client, tmp_path):
    client.force_login(personas.wenchang_worker)
    response = client.get("/imports/templates/residents.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    path = tmp_path / "t.xlsx"
    path.write_bytes(content)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["姓名*", "证件类型", "证件号码*"]
    assert ws["C2"].number_format == "@" and ws["C50"].number_format == "@"
    validations = {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation}
    assert {"B2", "D2", "F2"} <= validations  # 证件类型, 性别, 民族 drop-downs
    # Fill the template's example row with a real place and import it as is.
    grid, b = grid_and_building()
    number = new_id(983)  # odd sequence: male, as the template example says
    col = {h.rstrip("*"): i + 1 for i, h in enumerate(headers)}
    ws.cell(2, col["证件号码"], number)
    ws.cell(2, col["所属网格"], grid.code)
    ws.cell(2, col["楼栋"], b.number)
    ws.cell(2, col["房号"], "9-909")
    ws.cell(2, col["出生日期"], None)
    wb.save(path)
    job = run(personas.wenchang_worker, "residents", "模板.xlsx", path.read_bytes())
    assert (job.accepted_rows, job.rejected_rows) == (1, 0), job.errors


def test_report_download_marks_bad_rows(personas, client):
    grid, b = grid_and_building()
    rows = [RESIDENT_HEADER, ["好", new_id(981), "", grid.code, b.number, "1-111", "汉族", "户主"],
            ["坏", "12345", "", grid.code, b.number, "1-112", "汉族", "户主"]]  # fmt: skip
    job = run(personas.wenchang_worker, "residents", "报告.xlsx", xlsx_bytes(rows), mode="valid_rows")
    client.force_login(personas.wenchang_worker)
    response = client.get(f"/imports/{job.pk}/report.xlsx")
    assert response.status_code == 200
    import io

    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][-2:] == ["行号", "校验结果"]
    assert values[1][-1] == "通过" and values[2][-2] == 3 and values[2][-1].startswith("未通过")
    assert ws.cell(3, 1).fill.fgColor.rgb.endswith("FFC7CE")
    client.force_login(personas.dougang_worker)
    assert client.get(f"/imports/{job.pk}/report.xlsx").status_code == 404
    assert client.get(f"/imports/{job.pk}/").status_code == 404


def test_a_second_spouse_of_the_head_in_one_file_is_refused(personas):
    grid, b = grid_and_building()
    ids = [new_id(seq) for seq in (931, 932, 933, 934)]
    rows = [
        RESIDENT_HEADER,
        ["周一", ids[0], "", grid.code, b.number, "9-901", "汉族", "户主"],
        ["吴二", ids[1], "", grid.code, b.number, "9-901", "汉族", "配偶"],
        ["郑三", ids[2], "", grid.code, b.number, "9-901", "汉族", "配偶"],
        ["王四", ids[3], "", grid.code, b.number, "9-902", "汉族", "配偶"],
    ]
    job = run(personas.wenchang_worker, "residents", "户.xlsx", xlsx_bytes(rows), mode="valid_rows")
    r = services.job_report(job)
    assert (r["status"], r["created_rows"], r["rejected_rows"]) == ("done", 3, 1)
    assert [(e["row"], e["message"]) for e in r["errors"]] == [
        (4, "该户已登记户主的配偶，一户只能有一名配偶，请核对与户主关系。")
    ]
    assert _resident(ids[2]) is None
    assert _resident(ids[1]).relation_to_head == _resident(ids[3]).relation_to_head == "10"
