"""read_rows_in_background gives exactly read_rows' rows and errors (parsed by a forked helper)."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from jiceng.core import excel


def _xlsx(tmp_path, rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    path = tmp_path / "f.xlsx"
    wb.save(path)
    return path


def test_same_rows_as_in_process(tmp_path):
    rows = [
        ["姓名", "身份证号"],
        *[[f"人{i}", f"34010419900101{i:04d}"] for i in range(1234)],
        [None, None],
        ["尾", 1.5],
    ]
    path = _xlsx(tmp_path, rows)
    assert list(excel.read_rows_in_background(path, "f.xlsx", chunk=100)) == list(excel.read_rows(path, "f.xlsx"))


def test_errors_and_early_stop(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(excel.FileFormatError):
        list(excel.read_rows_in_background(bad, "bad.xlsx"))
    path = _xlsx(tmp_path, [[i] for i in range(5000)])
    reader = excel.read_rows_in_background(path, "f.xlsx", chunk=10)
    assert next(reader) == (1, [0])
    reader.close()  # the helper is stopped, nothing hangs
