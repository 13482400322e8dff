"""CSV files that are not what they claim (UTF-16, Latin-1, binary, one 20 MB field) are refused with what is
wrong, and a NUL byte in a cell is that row's error, not the end of the import (on PostgreSQL too)."""

from __future__ import annotations

import codecs

import pytest

from jiceng.core import excel
from jiceng.imports import services, sheets
from jiceng.people.models import Resident
from jiceng.people.services import id_hash_for

from .helpers import RESIDENT_HEADER, csv_bytes, grid_and_building, new_id, run, write

pytestmark = pytest.mark.django_db

ACCEPTED = "请在 Excel 或 WPS 中“另存为”CSV（UTF-8，带或不带 BOM 均可），或 GBK/GB18030 编码的 CSV。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _rows(grid, b, n=2, start=960):
    return [RESIDENT_HEADER] + [
        [f"周{i}", new_id(start + i), "", grid.name, b.name, f"7-7{i:02d}", "汉族", "户主"] for i in range(n)
    ]


def _text(rows) -> str:
    return "\r\n".join(",".join(map(str, row)) for row in rows) + "\r\n"


def test_utf16_is_refused_with_the_encodings_accepted(personas, tmp_path):
    grid, b = grid_and_building()
    text = _text(_rows(grid, b))
    for name, data in (
        ("bom.csv", codecs.BOM_UTF16_LE + text.encode("utf-16-le")),  # Excel's “Unicode 文本”
        ("le.csv", text.encode("utf-16-le")),
        ("be.csv", text.encode("utf-16-be")),
    ):
        with pytest.raises(excel.FileFormatError) as caught:
            list(sheets.read_rows(write(tmp_path, name, data), name))
        assert str(caught.value) == f"该 CSV 文件是 UTF-16 编码（Excel 的“Unicode 文本”），无法导入。{ACCEPTED}"
    job = run(personas.wenchang_worker, "residents", "u16.csv", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert (job.status, job.message) == (
        "failed",
        f"该 CSV 文件是 UTF-16 编码（Excel 的“Unicode 文本”），无法导入。{ACCEPTED}",
    )


def test_latin1_that_is_neither_utf8_nor_gbk_is_refused(personas, tmp_path):
    data = b"Jos\xe9,caf\xe9\r\n" * 3
    with pytest.raises(excel.FileFormatError) as caught:
        list(sheets.read_rows(write(tmp_path, "l1.csv", data), "l1.csv"))
    assert str(caught.value) == (
        f"CSV 文件第 1 行附近的内容不是 UTF-8 或 GBK/GB18030 编码（可能是 Latin-1 等其他编码），无法识别。{ACCEPTED}"
    )
    # UTF-8 for the first 64 KiB, Latin-1 further down: the row is named
    late = ("姓名,备注\r\n" + "张三,好\r\n" * 9000).encode() + b"Jos\xe9,caf\xe9\r\n"
    with pytest.raises(excel.FileFormatError, match=r"^CSV 文件第 \d+ 行附近的内容不是 UTF-8 编码"):
        list(sheets.read_rows(write(tmp_path, "late.csv", late), "late.csv"))
    job = run(personas.wenchang_worker, "residents", "l1.csv", data)
    assert job.status == "failed" and "不是 UTF-8 或 GBK/GB18030 编码" in job.message


def test_binary_files_are_refused(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    with pytest.raises(excel.FileFormatError) as caught:
        list(sheets.read_rows(write(tmp_path, "p.csv", png), "p.csv"))
    assert str(caught.value) == f"该文件不是文本格式的 CSV（含有二进制内容），无法导入。{ACCEPTED}"
    with pytest.raises(excel.FileFormatError, match=r"^该文件是 Excel 工作簿，不是 CSV 文本"):
        list(sheets.read_rows(write(tmp_path, "x.csv", b"PK\x03\x04" + b"\x00" * 100), "x.csv"))


def test_a_20_mb_field_is_refused_with_its_row(personas, tmp_path):
    grid, b = grid_and_building()
    head = _text(_rows(grid, b, 1)).encode()
    for name, data in (
        ("quoted.csv", head + b'"' + b"a" * (20 << 20) + b'",x\r\n'),
        ("bare.csv", head + b"a" * (20 << 20)),
    ):
        with pytest.raises(excel.FileFormatError) as caught:
            list(sheets.read_rows(write(tmp_path, name, data), name))
        assert str(caught.value).startswith("CSV 文件第 3 行附近有一个超过 32,767 个字符的单元格（Excel 单元格的上限）")
    job = run(personas.wenchang_worker, "residents", "quoted.csv", head + b'"' + b"a" * (20 << 20) + b'"\r\n')
    assert job.status == "failed" and "超过 32,767 个字符的单元格" in job.message


@pytest.mark.parametrize("mode", ["valid_rows", "all_or_nothing"])
def test_a_nul_in_a_cell_is_that_rows_error(personas, mode):
    """Issue 10: on PostgreSQL a NUL in one cell failed the whole import (and the report claimed rows
    created after the rollback)."""
    grid, b = grid_and_building()
    rows = _rows(grid, b, 3, start=970)
    rows[2][0] = "周\x00一"
    rows[2][5] = "7-7\x0001"
    job = run(personas.wenchang_worker, "residents", "nul.csv", csv_bytes(rows, "utf-8"), mode=mode)
    r = services.job_report(job)
    assert r["status"] == "done", r
    errors = {(e["row"], e["column"]): e for e in r["errors"]}
    assert errors[(3, "姓名")]["message"] == (
        "第 3 行“姓名”列含有不可见的空字符（NUL），无法保存。请删除该单元格中的特殊字符后重新导入。"
    )
    assert errors[(3, "姓名")]["value"] == "周␀一"
    assert "第 3 行“房号”列含有不可见的空字符" in errors[(3, "房号")]["message"]
    assert r["rejected_rows"] == 1
    created = Resident.objects.filter(id_hash__in=[id_hash_for(row[1]) for row in rows[1:]]).count()
    if mode == "valid_rows":
        assert (r["accepted_rows"], r["created_rows"], created) == (2, 2, 2)
    else:  # nothing written, and the counts and the summary say so
        assert (created, job.applied, r["created_rows"], r["updated_rows"]) == (0, False, 0, 0)
        assert job.message.startswith("有 1 行未通过校验，按“全部通过才导入”方式已全部回滚，未新增、未更新任何数据")
