"""The streaming .xlsx writer: read back by openpyxl (normal and read-only) and, when installed, LibreOffice."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import tracemalloc
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jiceng.exports.services import _cell_value
from jiceng.exports.xlsx import CELL_MAX_CHARS, XlsxWriter, column_letter, sanitize_sheet_name

HEADER = ["姓名", "证件号码", "数量", "日期"]
ID = "341103199001010018"
SPECIAL = "A & B <c> \"d\" 'e' ]]>"

# (written, read back by openpyxl)
CASES = [
    (SPECIAL, SPECIAL),
    ("a\x00b\x01c\x08d\x0be\x0cf\x0eg\x1fh\ufffei", "abcdefghi"),  # forbidden in XML 1.0: removed
    ("tab\tand\nnewline", "tab\tand\nnewline"),  # allowed control characters are kept
    ("lone \ud800 surrogate", "lone  surrogate"),
    ("crlf\r\nkept", "crlf\r\nkept"),
    ("南谯区龙蟠街道文昌花园社区", "南谯区龙蟠街道文昌花园社区"),
    ("𠀀 emoji 😀", "𠀀 emoji 😀"),
    ("  leading and trailing  ", "  leading and trailing  "),
    ("\tindented", "\tindented"),
    (ID, ID),  # an 18-digit ID stays text
    ("00123", "00123"),
    ("13800138000", "13800138000"),
    (42, 42),
    (-7, -7),
    (0, 0),
    (2.5, 2.5),
    (1e-7, 1e-7),
    (Decimal("12.34"), 12.34),
    (Decimal("-1E+3"), -1000.0),
    (True, True),
    (False, False),
    (None, None),
    ("", None),
    ("=SUM(A1:A2)", "=SUM(A1:A2)"),  # inline text, never a formula
    (12345678901234567, "12345678901234567"),  # beyond Excel's 15 digits: text, not rounded
    (float("nan"), "nan"),
]


def _write(rows, header=HEADER, **kwargs) -> io.BytesIO:
    buf = io.BytesIO()
    with XlsxWriter(buf, header=header, **kwargs) as writer:
        for row in rows:
            writer.append(row)
    buf.seek(0)
    return buf


@pytest.mark.parametrize("read_only", [False, True])
def test_values_and_types_round_trip(read_only):
    buf = _write([[written] for written, _ in CASES])
    ws = load_workbook(buf, read_only=read_only).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    got = [row[0] if row else None for row in rows[1:]]
    assert len(got) == len(CASES)
    for (written, expected), value in zip(CASES, got, strict=True):
        assert value == expected, written
        assert type(value) is type(expected), written
    cells = list(ws.iter_rows(min_row=2, max_col=1))
    formula_cell = cells[[w for w, _ in CASES].index("=SUM(A1:A2)")][0]
    assert formula_cell.data_type == "s"


@pytest.mark.parametrize("read_only", [False, True])
def test_dates_and_datetimes(read_only):
    values = [
        dt.date(2026, 11, 28),
        dt.datetime(2026, 11, 28, 9, 30, 15),
        dt.datetime(2000, 2, 29, 23, 59, 59),
        dt.date(1900, 1, 1),
        dt.date(1900, 3, 1),
        dt.date(1899, 12, 31),  # Excel cannot show it: ISO text
    ]
    ws = load_workbook(_write([values]), read_only=read_only).worksheets[0]
    row = next(ws.iter_rows(min_row=2, values_only=True))
    assert row[:5] == (
        dt.datetime(2026, 11, 28),
        dt.datetime(2026, 11, 28, 9, 30, 15),
        dt.datetime(2000, 2, 29, 23, 59, 59),
        dt.datetime(1900, 1, 1),
        dt.datetime(1900, 3, 1),
    )
    assert row[5] == "1899-12-31"
    cells = next(ws.iter_rows(min_row=2))
    assert cells[0].number_format == "yyyy-mm-dd"
    assert cells[1].number_format == "yyyy-mm-dd h:mm:ss"


def test_aware_datetime_is_refused():
    with pytest.raises(TypeError):
        _write([[dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]])


def test_header_bold_frozen_and_columns_sized():
    ws = load_workbook(_write([["张三", ID, 3, dt.date(2026, 1, 1)]])).active
    assert all(c.font.b for c in ws[1])
    assert not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width >= 18  # sized from the sample rows, so the ID fits
    assert ws.column_dimensions["A"].width >= 6


def test_without_header_nothing_is_frozen():
    ws = load_workbook(_write([["x", 1]], header=None)).active
    assert ws.freeze_panes is None
    assert [c.value for c in ws[1]] == ["x", 1]


def test_long_text_is_cut_at_excels_limit():
    long = "长" * (CELL_MAX_CHARS + 10)
    astral = "😀" * CELL_MAX_CHARS  # two UTF-16 units each
    ws = load_workbook(_write([[long, astral, "x" * CELL_MAX_CHARS]]), read_only=True).worksheets[0]
    row = next(ws.iter_rows(min_row=2, values_only=True))
    assert row[0] == "长" * CELL_MAX_CHARS
    assert len(row[1].encode("utf-16-le")) // 2 <= CELL_MAX_CHARS and set(row[1]) == {"😀"}
    assert len(row[2]) == CELL_MAX_CHARS


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("居民（实有人口）", "居民（实有人口）"),
        ("a[b]c:d*e?f/g\\h", "a_b_c_d_e_f_g_h"),
        ("x" * 40, "x" * 31),
        ("'quoted'", "quoted"),
        ("", "Sheet1"),
        ("History", "Sheet1"),
        ("A & B <c>", "A & B <c>"),
    ],
)
def test_sheet_name_sanitised(title, expected):
    assert sanitize_sheet_name(title) == expected
    wb = load_workbook(_write([["x"]], sheet_name=title))
    assert wb.sheetnames == [expected]


def test_many_columns_and_ragged_rows():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702, 16383)] == ["A", "Z", "AA", "ZZ", "AAA", "XFD"]
    rows = [list(range(30)), [1], [], ["a", None, "c"]]
    ws = load_workbook(_write(rows, header=None), read_only=True).worksheets[0]
    got = [tuple(v for v in row) for row in ws.iter_rows(values_only=True)]
    assert got[0] == tuple(range(30))
    assert got[1][0] == 1
    assert got[3][:3] == ("a", None, "c")


def test_package_parts_and_streamed_sheet():
    buf = _write([["x"]])
    with zipfile.ZipFile(buf) as zf:
        names = set(zf.namelist())
        assert {
            "[Content_Types].xml",
            "_rels/.rels",
            "docProps/app.xml",
            "docProps/core.xml",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
        } <= names
        assert "xl/sharedStrings.xml" not in names
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
        assert zf.testzip() is None
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"' in sheet and 'state="frozen"' in sheet


def test_close_twice_and_append_after_close():
    buf = io.BytesIO()
    writer = XlsxWriter(buf, header=["a"])
    writer.append([1])
    writer.close()
    writer.close()
    with pytest.raises(ValueError):
        writer.append([2])
    buf.seek(0)
    assert load_workbook(buf).active["A2"].value == 1


def _rows(n):
    for i in range(n):
        yield [f"居民{i}", f"{341103199001010000 + i}", i, 170.5, dt.date(1990, 1, 1 + i % 28), "文昌花园第 1 网格"]


def _peak(tmp_path: Path, n: int) -> int:
    tracemalloc.start()
    try:
        with XlsxWriter(tmp_path / f"big-{n}.xlsx", header=HEADER) as writer:
            for row in _rows(n):
                writer.append(row)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat(tmp_path):
    small, large = _peak(tmp_path, 2_000), _peak(tmp_path, 20_000)
    assert large < 4 * 1024 * 1024, large
    assert large < small * 1.5 + 256 * 1024, (small, large)
    ws = load_workbook(tmp_path / "big-20000.xlsx", read_only=True).worksheets[0]
    last = None
    count = 0
    for count, last in enumerate(ws.iter_rows(values_only=True), start=1):  # noqa: B007
        pass
    assert count == 20_001
    assert last[:3] == ("居民19999", str(341103199001010000 + 19999), 19999)


@pytest.mark.parametrize(
    "value",
    [
        "=1+1", "+86 138", "@SUM(A1)", "-foo", "-1", "-", "- 1", "-١", "", "plain", "'quoted", None, 0, -3, 2.5,
        True, Decimal("-2"), dt.date(2026, 1, 1), dt.datetime(2026, 1, 1, 8), dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    ],
)  # fmt: skip
def test_cell_value_keeps_the_formula_guard(value):
    """``_cell_value``'s fast path for plain str / int / float gives what the general rule gives."""

    def reference(value):  # the rule as it was written before the fast path
        from django.utils import timezone

        if value is None:
            return ""
        if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
            return timezone.localtime(value).replace(tzinfo=None)
        if (
            isinstance(value, str)
            and value[:1] in ("=", "+", "@")
            or (isinstance(value, str) and value[:1] == "-" and not value[1:2].isdigit())
        ):
            return "'" + value
        return value

    assert _cell_value(value) == reference(value)
    assert type(_cell_value(value)) is type(reference(value))


def test_guarded_formula_reads_back_as_text():
    buf = _write([[_cell_value('=HYPERLINK("http://x")'), _cell_value("-1"), _cell_value("-x")]])
    row = next(load_workbook(buf).active.iter_rows(min_row=2, values_only=True))
    assert row[:3] == ('\'=HYPERLINK("http://x")', "-1", "'-x")


SOFFICE = shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None)


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_file(tmp_path):
    path = tmp_path / "export.xlsx"
    rows = [
        ["张三", ID, 42, dt.date(2026, 11, 28)],
        [SPECIAL, "  spaced  ", 2.5, dt.datetime(2026, 11, 28, 9, 30, 15)],
        ["'=1+1", "13800138000", True, None],
        ["ctl\x01removed", "", Decimal("1.25"), ""],
    ]
    with XlsxWriter(path, sheet_name="居民（实有人口）", header=HEADER) as writer:
        for row in rows:
            writer.append(row)
    out = tmp_path / "out"
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    with open(out / "export.csv", encoding="utf-8", newline="") as fh:
        got = list(csv.reader(fh))
    assert got == [
        HEADER,
        ["张三", ID, "42", "2026-11-28"],
        [SPECIAL, "  spaced  ", "2.5", "2026-11-28 9:30:15"],
        ["'=1+1", "13800138000", "TRUE", ""],
        ["ctlremoved", "", "1.25", ""],
    ]


def test_the_writer_refuses_a_row_past_the_sheet_limit(tmp_path, monkeypatch):
    from jiceng.exports import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    with xlsx.XlsxWriter(tmp_path / "f.xlsx", header=["a"]) as xw:
        xw.append([1])
        xw.append([2])
        with pytest.raises(xlsx.TooManyRows, match="上限"):
            xw.append([3])
    rows = load_workbook(tmp_path / "f.xlsx", read_only=True).worksheets[0].iter_rows(values_only=True)
    assert [r[0] for r in rows] == ["a", 1, 2]  # what was written is still a valid file


def test_the_writer_refuses_a_sheet_past_what_a_zip_entry_holds_without_zip64(tmp_path, monkeypatch):
    """Past 2 GiB of sheet XML (made small here) the writer stops with a Chinese reason, before the row
    that would cross the line, and the file closes valid with the rows written before it."""
    from jiceng.exports import xlsx

    monkeypatch.setattr(xlsx, "MAX_SHEET_BYTES", 4000)
    written = 0
    with pytest.raises(xlsx.SheetTooLarge, match="单个工作表.*分批导出") as caught:
        with xlsx.XlsxWriter(tmp_path / "f.xlsx", header=["编号", "备注"], sample_rows=2, flush_rows=1) as xw:
            for i in range(1000):
                xw.append([i, "长" * 50])
                written += 1
    assert isinstance(caught.value, xlsx.TooManyRows)  # the exports catch both as one
    with zipfile.ZipFile(tmp_path / "f.xlsx") as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size <= 4000
    rows = list(load_workbook(tmp_path / "f.xlsx", read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("编号", "备注") and len(rows) - 1 == written > 5  # flush_rows=1: each row its own chunk
    assert [r[0] for r in rows[1:]] == list(range(len(rows) - 1))


def test_rows_held_back_for_the_column_widths_past_the_size_limit_are_refused_at_close(tmp_path, monkeypatch):
    """The first rows are held back to size the columns; if they alone pass the limit, close() says so
    with the Chinese reason (not zipfile's English error) and still leaves a valid, empty sheet."""
    from jiceng.exports import xlsx

    monkeypatch.setattr(xlsx, "MAX_SHEET_BYTES", 2000)
    with pytest.raises(xlsx.SheetTooLarge, match="单个工作表"):
        with xlsx.XlsxWriter(tmp_path / "f.xlsx", header=["备注"]) as xw:
            for _ in range(20):  # fewer than the 100 held back
                xw.append(["长" * 100])
    rows = list(load_workbook(tmp_path / "f.xlsx", read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows == []
