"""``iter_sheet_rows`` yields exactly what openpyxl ``read_only`` gave ``excel._read_xlsx``.

openpyxl stays here as the reference: every file (written by openpyxl, by our exporter, by LibreOffice,
or zipped by hand from raw XML) is read by both and compared row by row, blank rows, row numbers and
the type of every value included (``1 == 1.0 == True`` would hide a difference).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from jiceng.core import excel
from jiceng.exports.xlsx import XlsxWriter
from jiceng.imports import sheets
from jiceng.imports.tests.files.make_libreoffice_xls import soffice

from .helpers import new_id

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

#: cellXfs of the hand-made packages: 0 General, 1 builtin date, 2 custom date, 3 custom duration,
#: 4 a literal "d" (not a date), 5 builtin duration, 6 id 14 redefined as a number, 7 builtin time,
#: 8 a locale-prefixed long date, 9 a colour and a number.
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="6">'
    '<numFmt numFmtId="164" formatCode="yyyy/m/d"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/>'
    '<numFmt numFmtId="166" formatCode="0.00&quot;d&quot;"/><numFmt numFmtId="14" formatCode="0.00"/>'
    '<numFmt numFmtId="167" formatCode="[$-F800]dddd, mmmm dd, yyyy"/><numFmt numFmtId="168" formatCode="[Red]0"/>'
    '</numFmts><cellXfs count="10"><xf numFmtId="0"/><xf numFmtId="22"/><xf numFmtId="164"/><xf numFmtId="165"/>'
    '<xf numFmtId="166"/><xf numFmtId="46"/><xf numFmtId="14"/><xf numFmtId="20"/><xf numFmtId="167"/>'
    '<xf numFmtId="168"/></cellXfs></styleSheet>'
)
N_STYLES = 10

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl's, on odd files


def openpyxl_rows(path):
    """``excel._read_xlsx`` as it was, on openpyxl."""
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        expected = 1
        for row in wb.worksheets[0].iter_rows():
            number = expected
            for cell in row:
                if getattr(cell, "row", None):
                    number = cell.row
                    break
            expected = number + 1
            yield number, [cell.value for cell in row]
    finally:
        wb.close()


def iter_sheet_rows(path):
    return sheets.read_rows(path, "f.xlsx")


def typed(rows) -> list:
    return [(number, [(type(v).__name__, v) for v in values]) for number, values in rows]


def canon(rows) -> list:
    """Rows as the importer sees them: numbers by value (int when integral), a date-only datetime as a
    date, trailing empty cells and rows dropped (openpyxl pads to the declared dimension)."""
    out = []
    for number, values in rows:
        values = [_canon(v) for v in values]
        while values and values[-1] is None:
            values.pop()
        out.append((number, values))
    while out and not out[-1][1]:
        out.pop()
    return out


def _canon(v):
    if isinstance(v, str):
        v = v.strip(" \t\r\n")  # the importer trims cells; calamine drops the ends of unpreserved text
    if v == "" or v is None:
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) >= 2**53:
        return ("number", float(v))  # beyond a double's integers (a formula's cached value; IDs: their own test)
    if isinstance(v, float) and v.is_integer():
        return ("int", int(v))
    if type(v) is dt.datetime and v.time() == dt.time(0):
        return ("date", v.date())
    return (type(v).__name__, v)


def assert_same(path) -> list:
    expected = canon(openpyxl_rows(path))
    assert canon(iter_sheet_rows(path)) == expected
    return expected


def package(
    path: Path,
    sheet: str,
    *,
    strings: str | None = None,
    styles: str | None = STYLES,
    workbook_pr: str = "",
    ns: str = MAIN,
    rel_ns: str = REL,
) -> Path:
    """A minimal .xlsx around one worksheet given as raw XML."""
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
            + (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>' if strings else "")
            + (f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>' if styles else "")
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{rel_ns}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}" xmlns:r="{rel_ns}">{workbook_pr}'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{rel_ns}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if strings:
        parts["xl/sharedStrings.xml"] = strings
    if styles:
        parts["xl/styles.xml"] = styles
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return path


def worksheet(rows: str, *, dimension: str | None = None, ns: str = MAIN, prefix: str = "") -> str:
    """``rows`` written with ``{p}`` for the element prefix (``x:`` or nothing)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{ns}"' if prefix else f'xmlns="{ns}"'
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    return f"<{p}worksheet {xmlns}>{dim}<{p}sheetData>{rows.format(p=p)}</{p}sheetData></{p}worksheet>"


# --- hand-made XML -----------------------------------------------------------------------------

SST = (
    f'<sst xmlns="{MAIN}" count="6" uniqueCount="6">'
    "<si><t>张三</t></si>"
    '<si><r><rPr><b/><sz val="11"/></rPr><t>富</t></r><r><t xml:space="preserve"> 文本 </t></r>'
    '<rPh sb="0" eb="1"><t>フ</t></rPh><phoneticPr fontId="1"/></si>'
    "<si><t>a_x000D_b _x005F_x000D_ x005F_</t></si>"
    "<si><t/></si>"
    "<si><t>plain</t><r><t>+run</t></r></si>"
    "<si><t>&lt;&amp;&gt;&quot;</t></si>"
    "</sst>"
)


def test_cell_types(tmp_path):
    """What each kind of cell becomes. Where openpyxl differed: ``_xHHHH_`` escapes are decoded as the
    standard says (openpyxl left them), error cells (#N/A) are empty, ``t="d"`` durations stay text."""
    rows = (
        '<{p}row r="1">'
        '<{p}c r="A1" t="s"><{p}v>0</{p}v></{p}c><{p}c r="B1" t="s"><{p}v>1</{p}v></{p}c>'
        '<{p}c r="C1" t="s"><{p}v>2</{p}v></{p}c><{p}c r="D1" t="s"><{p}v>3</{p}v></{p}c>'
        '<{p}c r="E1" t="s"><{p}v>4</{p}v></{p}c><{p}c r="F1" t="s"><{p}v>5</{p}v></{p}c></{p}row>'
        '<{p}row r="2">'
        '<{p}c r="A2"><{p}v>1</{p}v></{p}c><{p}c r="B2"><{p}v>1.0</{p}v></{p}c>'
        '<{p}c r="C2"><{p}v>1E+17</{p}v></{p}c><{p}c r="D2" t="n"><{p}v>3.4111031995e+17</{p}v></{p}c>'
        '<{p}c r="E2"><{p}v>340104199001011234</{p}v></{p}c><{p}c r="F2"><{p}v>-0</{p}v></{p}c>'
        '<{p}c r="G2"><{p}v>007</{p}v></{p}c><{p}c r="H2"><{p}v></{p}v></{p}c></{p}row>'
        '<{p}row r="3">'
        '<{p}c r="A3" t="b"><{p}v>1</{p}v></{p}c><{p}c r="B3" t="b"><{p}v>0</{p}v></{p}c>'
        '<{p}c r="C3" t="e"><{p}v>#N/A</{p}v></{p}c><{p}c r="D3" t="str"><{p}f>A1&amp;""</{p}f><{p}v>张三</{p}v></{p}c>'
        '<{p}c r="E3"><{p}f>1+1</{p}f></{p}c><{p}c r="F3" t="str"><{p}f>B1</{p}f><{p}v></{p}v></{p}c>'
        '<{p}c r="G3" s="1"/><{p}c r="H3" t="e"><{p}f>1/0</{p}f><{p}v>#DIV/0!</{p}v></{p}c></{p}row>'
        '<{p}row r="4">'
        '<{p}c r="A4" t="d"><{p}v>2024-03-01</{p}v></{p}c><{p}c r="B4" t="d"><{p}v>2024-03-01T08:30:00</{p}v></{p}c>'
        '<{p}c r="C4" t="d"><{p}v>08:30:15.250</{p}v></{p}c><{p}c r="D4" t="d"><{p}v>PT1H2M3S</{p}v></{p}c></{p}row>'
        '<{p}row r="5">'
        '<{p}c r="A5" t="inlineStr"><{p}is><{p}t>行内</{p}t></{p}is></{p}c>'
        '<{p}c r="B5" t="inlineStr"><{p}is><{p}r><{p}rPr><{p}b/></{p}rPr><{p}t>粗</{p}t></{p}r><{p}r><{p}t xml:space="preserve"> 细 </{p}t></{p}r>'
        '<{p}rPh sb="0" eb="1"><{p}t>ソ</{p}t></{p}rPh></{p}is></{p}c>'
        '<{p}c r="C5" t="inlineStr"><{p}is/></{p}c><{p}c r="D5" t="inlineStr"/>'
        '<{p}c r="E5" t="inlineStr"><{p}is><{p}t>a_x000D_b&#13;c</{p}t></{p}is></{p}c>'
        '<{p}c r="F5" t="inlineStr"><{p}v>ignored</{p}v><{p}is><{p}t>kept</{p}t></{p}is></{p}c>'
        '<{p}c r="G5" t="inlineStr"><{p}is><{p}t><![CDATA[<cdata> &]]></{p}t></{p}is></{p}c></{p}row>'
    )
    expected = [
        (1, ["张三", "富 文本 ", "a\rb _x000D_ x005F_", None, "plain+run", '<&>"', None, None]),
        (2, [1, 1, 1e17, 3.4111031995e17, 340104199001011234, 0, 7, None]),
        (3, [True, False, None, "张三", None, None, None, None]),
        (4, [dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 8, 30), dt.time(8, 30, 15, 250000), "PT1H2M3S", None, None, None, None]),
        (5, ["行内", "粗 细 ", None, None, "a\rb\rc", "kept", "<cdata> &", None]),
    ]  # fmt: skip
    for prefix in ("", "x"):
        path = package(tmp_path / f"types-{prefix}.xlsx", worksheet(rows, prefix=prefix), strings=SST)
        read = list(iter_sheet_rows(path))
        assert typed(read) == typed(expected)
    # the values the importer relies on are what openpyxl gave too
    assert canon(openpyxl_rows(path))[1][1][:4] == [
        ("int", 1),
        ("int", 1),
        ("number", 1e17),
        ("number", 3.4111031995e17),
    ]


@pytest.mark.django_db
def test_an_id_typed_as_an_integer_keeps_all_its_digits(tmp_path):
    """A double holds 15-17 digits; an 18-digit integer in a number cell (WPS, pandas, our exporter) is
    read from the XML as written, so ``clean_id_number`` recovers it. Cells that are not plain numbers
    keep what calamine gives: a formula's cached value, text, scientific notation."""
    number = int(new_id(7))
    cells = (
        f'<{{p}}c r="A{{r}}"><{{p}}v>{number}</{{p}}v></{{p}}c>'
        f'<{{p}}c r="B{{r}}" t="n" s="0"><{{p}}v>-{number}</{{p}}v></{{p}}c>'
        f'<{{p}}c r="C{{r}}"><{{p}}f>A1</{{p}}f><{{p}}v>{number}</{{p}}v></{{p}}c>'
        f'<{{p}}c r="D{{r}}" t="str"><{{p}}v>{number}</{{p}}v></{{p}}c>'
        f'<{{p}}c r="E{{r}}"><{{p}}v>{number / 1e17:.14f}E+17</{{p}}v></{{p}}c>'
        f'<{{p}}c r="F{{r}}"><{{p}}v>1234567890123456</{{p}}v></{{p}}c>'
    )
    # enough rows that some integers straddle the 1 MiB chunks the XML is scanned in
    body = "".join(f'<{{p}}row r="{r}">' + cells.replace("{r}", str(r)) + "</{p}row>" for r in range(1, 6001))
    for prefix in ("", "x"):
        path = package(tmp_path / f"ids{prefix}.xlsx", worksheet(body, prefix=prefix))
        rows = list(iter_sheet_rows(path))
        assert len(rows) == 6000
        for _, values in rows:
            assert typed([(0, values)])[0][1] == [
                ("int", number), ("int", -number), ("float", float(number)), ("str", str(number)),
                ("float", float(f"{number / 1e17:.14f}E+17")), ("int", 1234567890123456),
            ]  # fmt: skip
    assert excel.clean_id_number(rows[0][1][0]) == (
        str(number),
        ["证件号码以数字格式保存，已按原值识别；建议将该列设为文本格式。"],
    )


def test_dates_by_number_format(tmp_path):
    """Serials under date, time and duration formats (built-in and custom, 1900 and 1904): as openpyxl."""
    values = ["45352", "45352.75", "0.5", "1.5", "61", "36.25", "100", "73051.999988426"]
    rows = "".join(
        f'<{{p}}row r="{r}">'
        + "".join(f'<{{p}}c r="{chr(65 + s)}{r}" s="{s}"><{{p}}v>{v}</{{p}}v></{{p}}c>' for s in range(N_STYLES))
        + "</{p}row>"
        for r, v in enumerate(values, 1)
    )
    for workbook_pr in ("", '<workbookPr date1904="1"/>', '<workbookPr date1904="false"/>'):
        rows_read = assert_same(package(tmp_path / "dates.xlsx", worksheet(rows), workbook_pr=workbook_pr))
        assert {type_ for _, values in rows_read for type_, _ in filter(None, values)} >= {
            "datetime", "date", "time", "timedelta", "int", "float",
        }  # fmt: skip


def test_a_date_calamine_cannot_give_is_a_chinese_error_naming_the_row(tmp_path):
    rows = '<{p}row r="1"><{p}c r="A1"><{p}v>1</{p}v></{p}c></{p}row><{p}row r="2"><{p}c r="A2" s="5"><{p}v>1e300</{p}v></{p}c></{p}row>'
    path = package(tmp_path / "far-date.xlsx", worksheet(rows))
    with pytest.raises(excel.FileFormatError, match=r"^无法读取该表格第 2 行：有单元格的值无法识别"):
        list(iter_sheet_rows(path))


def test_rows_are_numbered_by_their_cells_and_gaps_are_blank_rows(tmp_path):
    """Rows and cells without ``r`` follow the previous one; a missing row is a blank row with its number.
    The declared dimension no longer cuts the sheet (openpyxl trusted it and lost the cells beyond)."""
    rows = (
        "<{p}row><{p}c><{p}v>1</{p}v></{p}c><{p}c><{p}v>2</{p}v></{p}c></{p}row>"
        '<{p}row r="4"><{p}c r="C4"><{p}v>3</{p}v></{p}c><{p}c><{p}v>4</{p}v></{p}c></{p}row>'
        "<{p}row><{p}c><{p}v>5</{p}v></{p}c></{p}row>"
        '<{p}row r="9" spans="1:3" ht="20" customHeight="1"/>'
        '<{p}row r="12"><{p}c r="b12"><{p}v>6</{p}v></{p}c><{p}c r="AA12"><{p}v>7</{p}v></{p}c></{p}row>'
    )
    blank = [None] * 27
    expected = [(n, list(blank)) for n in range(1, 13)]
    expected[0][1][:2] = [1, 2]
    expected[3][1][2:4] = [3, 4]
    expected[4][1][0] = 5
    expected[11][1][1], expected[11][1][26] = 6, 7
    for dimension in (None, "A1:AA12", "A1:C20", "B2:C12", "A1"):
        assert list(iter_sheet_rows(package(tmp_path / "gaps.xlsx", worksheet(rows, dimension=dimension)))) == expected
    assert_same(package(tmp_path / "gaps.xlsx", worksheet(rows, dimension="A1:AA12")))  # a true dimension: as openpyxl


def test_a_cell_is_read_in_the_row_its_reference_names(tmp_path):
    """Rows out of order are put in order; a cell claiming another row is read there; a blank leading
    area keeps Excel's numbering and columns (a sheet starting at C3 still has C as its third column)."""
    rows = (
        '<{p}row r="5"><{p}c r="B7"><{p}v>3</{p}v></{p}c><{p}c r="A5"><{p}v>4</{p}v></{p}c></{p}row>'
        '<{p}row r="3"><{p}c r="C3" t="inlineStr"><{p}is><{p}t>姓名</{p}t></{p}is></{p}c></{p}row>'
    )
    assert list(iter_sheet_rows(package(tmp_path / "odd.xlsx", worksheet(rows)))) == [
        (1, [None, None, None]), (2, [None, None, None]), (3, [None, None, "姓名"]), (4, [None, None, None]),
        (5, [4, None, None]), (6, [None, None, None]), (7, [None, 3, None]),
    ]  # fmt: skip


def test_an_unknown_cell_type_is_a_file_format_error(tmp_path):
    """openpyxl read ``t="x"`` as a number and ``r="3.0"`` as row 3; calamine refuses both (Excel writes neither)."""
    for rows in ('<{p}row r="6"><{p}c r="B6" t="x"><{p}v>6</{p}v></{p}c></{p}row>',
                 '<{p}row r="3.0"><{p}c r="A3.0"><{p}v>1</{p}v></{p}c></{p}row>'):  # fmt: skip
        with pytest.raises(excel.FileFormatError, match=r"^无法读取该 Excel 文件（"):
            list(iter_sheet_rows(package(tmp_path / "odd.xlsx", worksheet(rows))))


def test_strict_namespace_is_read_like_transitional(tmp_path):
    """openpyxl finds no worksheet in a strict OOXML file; we read it as its transitional twin."""
    rows = '<{p}row r="1"><{p}c r="A1" t="s"><{p}v>0</{p}v></{p}c><{p}c r="B1" s="2"><{p}v>45352</{p}v></{p}c></{p}row>'
    transitional = package(tmp_path / "t.xlsx", worksheet(rows), strings=SST)
    strict = package(
        tmp_path / "s.xlsx",
        worksheet(rows, ns=STRICT),
        strings=SST.replace(MAIN, STRICT),
        styles=STYLES.replace(MAIN, STRICT),
        ns=STRICT,
        rel_ns=STRICT_REL,
    )
    expected = assert_same(transitional)
    assert typed(iter_sheet_rows(strict)) == expected
    with pytest.raises(IndexError):
        list(openpyxl_rows(strict))


# --- generated sheets --------------------------------------------------------------------------

xml_text = st.lists(st.sampled_from([*"aZ 09_xD张&<>\"'\t\n　", "社区"]), max_size=8).map("".join)
#: numbers a date or duration format can show (openpyxl and calamine differ on the impossible ones)
serials = st.one_of(
    st.integers(61, 80000).map(str),  # not near year 9999 (openpyxl: "#VALUE!" there with the 1904 epoch)
    # whole seconds: a serial halfway between two milliseconds is rounded up by one reader and down by the other
    # (and up to year 2119: as durations of millions of days their seconds are rounded differently too)
    st.integers(61 * 86400, 80000 * 86400).map(lambda seconds: repr(seconds / 86400)),
    st.sampled_from(["0.5", "0.25", "100", "45352.75"]),
)
SST_PLAIN = SST.replace("<si><t>a_x000D_b _x005F_x000D_ x005F_</t></si>", "<si><t>a b</t></si>")
numbers = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["1.0", "1E+17", "3.4111031995e+17", "-0", "007", "0.5", "60", "2958465.99999", "1e308"]),
)


@st.composite
def raw_cell(draw, column: int, row: int, n_strings: int):
    kind = draw(st.sampled_from(["n", "n", "s", "str", "b", "inlineStr", "empty", "formula"]))
    style = draw(st.integers(0, N_STYLES - 1))
    ref = draw(st.sampled_from([f"{_letters(column)}{row}", f"{_letters(column).lower()}{row}"]))
    styled = draw(st.booleans())
    attrs = f' r="{ref}"' + (f' s="{style}"' if styled else "")
    if kind == "n":
        return f"<{{p}}c{attrs}><{{p}}v>{draw(serials if styled else numbers)}</{{p}}v></{{p}}c>"
    if kind == "s":
        return f'<{{p}}c{attrs} t="s"><{{p}}v>{draw(st.integers(0, n_strings - 1))}</{{p}}v></{{p}}c>'
    if kind == "str":
        return f'<{{p}}c{attrs} t="{kind}"><{{p}}v>{escape(draw(xml_text))}</{{p}}v></{{p}}c>'
    if kind == "b":
        return f'<{{p}}c{attrs} t="b"><{{p}}v>{draw(st.sampled_from("01"))}</{{p}}v></{{p}}c>'
    if kind == "d":
        value = draw(st.sampled_from(["2024-02-29", "1900-01-01T00:00:00", "23:59:59.999", "PT36H", "PT0.5S"]))
        return f'<{{p}}c{attrs} t="d"><{{p}}v>{value}</{{p}}v></{{p}}c>'
    if kind == "inlineStr":
        plain = draw(st.one_of(st.none(), xml_text))
        runs = draw(st.lists(xml_text, max_size=3))
        t = '{p}t xml:space="preserve"'  # as Excel writes text with spaces at its ends
        body = (f"<{t}>{escape(plain)}</{{p}}t>" if plain is not None else "") + "".join(
            f"<{{p}}r><{{p}}rPr><{{p}}i/></{{p}}rPr><{t}>{escape(run)}</{{p}}t></{{p}}r>" for run in runs
        )
        return f'<{{p}}c{attrs} t="inlineStr"><{{p}}is>{body}</{{p}}is></{{p}}c>'
    if kind == "formula":
        cached = draw(st.one_of(st.none(), serials if styled else numbers))
        value = f"<{{p}}v>{cached}</{{p}}v>" if cached is not None else ""
        return f"<{{p}}c{attrs}><{{p}}f>SUM(A1:A2)</{{p}}f>{value}</{{p}}c>"
    return f"<{{p}}c{attrs}/>"


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@st.composite
def raw_sheet(draw, n_strings: int):
    rows, row, max_column = [], 0, 1
    for _ in range(draw(st.integers(0, 8))):
        row += draw(st.sampled_from([1, 1, 1, 2, 5]))
        column, cells = 0, []
        for _ in range(draw(st.integers(0, 6))):
            column += draw(st.sampled_from([1, 1, 1, 2, 27]))
            cells.append((column, draw(raw_cell(column, row, n_strings))))
            max_column = max(max_column, column)
        r = f' r="{row}"'
        rows.append((row, f"<{{p}}row{r}>" + "".join(xml for _, xml in cells) + "</{p}row>"))
    last = max((r for r, _ in rows), default=1)
    dimension = draw(st.sampled_from([None, f"A1:{_letters(max_column)}{last}"]))
    return "".join(xml for _, xml in rows), dimension


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(sheet=raw_sheet(6), prefix=st.sampled_from(["", "x"]), date1904=st.booleans())
def test_generated_raw_sheets(tmp_path, sheet, prefix, date1904):
    """Sheets as a spreadsheet program writes them (rows and cells in order, every one with its ``r``, a
    true dimension or none; openpyxl's reading of the odd ones is not the reference any more): as openpyxl."""
    rows, dimension = sheet
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    assert_same(
        package(
            tmp_path / "raw.xlsx",
            worksheet(rows, dimension=dimension, prefix=prefix),
            strings=SST_PLAIN,
            workbook_pr=pr,
        )
    )


# --- workbooks written by openpyxl ---------------------------------------------------------------

cell_values = st.one_of(
    st.none(),
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs",),
            blacklist_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\r\ufffe\uffff",
        ),
        max_size=15,
    ),
    st.sampled_from(["", " 张三 ", "<&>\"'", "=SUM(A1:A3)", "3.41103E+17", "0012"]),
    st.integers(-(2**63), 2**63),
    st.integers(10**17, 10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    # from 1904: before the 1904 epoch a date is a negative serial, which Excel cannot show either
    st.datetimes(dt.datetime(1904, 1, 2), dt.datetime(9999, 12, 31)).map(lambda d: d.replace(microsecond=0)),
    st.dates(dt.date(1904, 1, 2)),
    st.times().map(lambda t: t.replace(microsecond=0)),
    st.timedeltas(dt.timedelta(0), dt.timedelta(days=1000)).map(
        lambda d: dt.timedelta(seconds=d // dt.timedelta(seconds=1))
    ),
)
number_formats = st.sampled_from(
    [
        None,
        "General",
        "0.00",
        "yyyy-mm-dd",
        "yyyy年m月d日",
        "[h]:mm:ss",
        "mm:ss",
        '"第"0"号"',
        "@",
        "#,##0",
        "[Red]0.0",
        "d-mmm",
    ]
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    rows=st.lists(st.lists(st.tuples(cell_values, number_formats), max_size=7), max_size=8),
    write_only=st.booleans(),
    date1904=st.booleans(),
)
def test_generated_openpyxl_workbooks(tmp_path, rows, write_only, date1904):
    """Workbooks as openpyxl writes them: as openpyxl reads them. A date or duration format is given only to
    numbers it can show (calamine refuses the others: see the test above); ``_xHHHH_`` text is decoded
    (the standard's escape; openpyxl kept it), so it is left out here."""
    rows = [[(v, fmt if _showable(v, fmt) else None) for v, fmt in row] for row in rows]
    wb = Workbook(write_only=write_only)
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.create_sheet("数据") if write_only else wb.active
    for row in rows:
        if write_only:
            cells = []
            for value, fmt in row:
                cell = WriteOnlyCell(ws, value=value)
                if fmt:
                    cell.number_format = fmt
                cells.append(cell)
            ws.append(cells)
        else:
            ws.append([value for value, _ in row])
            for cell, (_, fmt) in zip(ws[ws.max_row], row, strict=False):
                if fmt:
                    cell.number_format = fmt
    path = tmp_path / "gen.xlsx"
    wb.save(path)
    assert_same(path)


def _showable(value, fmt) -> bool:
    if fmt in ("[h]:mm:ss", "mm:ss") and not isinstance(value, (dt.timedelta, dt.time)):
        return False  # a date as a duration of 400,000 days: the two round its seconds differently
    if fmt is None or not isinstance(value, (int, float)) or isinstance(value, bool):
        return True
    return not any(code in fmt for code in ("y", "d", "h", "m", "s")) or 61 <= value <= 2958465


def test_first_worksheet_in_workbook_order(tmp_path):
    """A chartsheet first, the active sheet second: openpyxl's worksheets[0] is the first worksheet."""
    wb = Workbook()
    wb.active.title = "第一"
    wb.active.append(["first"])
    second = wb.create_sheet("第二")
    second.append(["second"])
    wb.active = 1
    wb.create_chartsheet("图表", 0).add_chart(BarChart())  # openpyxl 3.1.5 fails on a chartsheet without a chart
    path = tmp_path / "order.xlsx"
    wb.save(path)
    assert assert_same(path) == [(1, [("str", "first")])]

    # the first sheet in workbook.xml is stored as sheet2.xml
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts["xl/worksheets/sheet1.xml"], parts["xl/worksheets/sheet2.xml"] = (
        parts["xl/worksheets/sheet2.xml"],
        parts["xl/worksheets/sheet1.xml"],
    )
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rels = rels.replace("/sheet1.xml", "/SWAP").replace("/sheet2.xml", "/sheet1.xml").replace("/SWAP", "/sheet2.xml")
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    swapped = tmp_path / "swapped.xlsx"
    with zipfile.ZipFile(swapped, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert assert_same(swapped) == [(1, [("str", "first")])]


def test_merged_header_and_1904(tmp_path):
    wb = Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["文昌花园社区 居民花名册"])
    ws.merge_cells("A1:D1")
    ws.append(["姓名", "基本信息", None, "出生日期"])
    ws.merge_cells("B2:C2")
    ws.append([None, "身份证号", "手机号", None])
    ws.append(["张三", "340104199001011234", 13800000000, dt.date(1990, 1, 1)])
    ws["A9"] = "after a gap"
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    rows = assert_same(path)
    assert rows[3] == (
        4,
        [("str", "张三"), ("str", "340104199001011234"), ("int", 13800000000), ("date", dt.date(1990, 1, 1))],
    )
    assert [number for number, _ in rows] == list(range(1, 10))


def test_files_from_our_exporter(tmp_path):
    path = tmp_path / "export.xlsx"
    with XlsxWriter(
        path, sheet_name="居民", header=["姓名", "证件号码", "年龄", "面积", "出生", "登记", "党员", "备注"]
    ) as xw:
        xw.append(
            ["张三", "340104199001011234", 35, 88.5, dt.date(1990, 1, 1), dt.datetime(2024, 3, 1, 8, 30), True, None]
        )
        xw.append(
            [" 李四 ", 340104199001011234, Decimal("1.10"), float("nan"), dt.date(1850, 1, 1), "", False, "a\r\nb"]
        )
        xw.append(["<&>", "_x", -(10**15) + 1, 1e-7, None, None, None, "=1+1"])
        for i in range(300):
            xw.append([f"人{i}", f"3401041990{i:08d}", i, i / 7])
    assert len(assert_same(path)) == 304


def test_blank_rows_to_the_bottom_of_the_sheet(tmp_path):
    """A stray cell in row 100,000: every row up to it, numbered, blank ones included."""
    rows = '<{p}row r="1"><{p}c r="A1"><{p}v>1</{p}v></{p}c></{p}row><{p}row r="100000"><{p}c r="B100000"><{p}v>2</{p}v></{p}c></{p}row>'
    path = package(tmp_path / "far.xlsx", worksheet(rows, dimension="A1:H100000"))
    read = list(iter_sheet_rows(path))
    assert [number for number, _ in read] == list(range(1, 100001))
    assert read[0] == (1, [1, None]) and read[-1] == (100000, [None, 2])
    assert all(values == [None, None] for _, values in read[1:-1])


def test_a_big_file_is_read_within_a_small_memory_limit(tmp_path, settings):
    """20,000 rows read by the bounded child with 96 MB of address space to spare: calamine holds the
    sheet's cells (16 bytes each plus the text), not a tree of the XML."""
    path = tmp_path / "big.xlsx"
    with XlsxWriter(path, header=["姓名", "证件号码", "手机号"]) as xw:
        for i in range(20000):
            xw.append([f"张三{i}", f"3401041990{i:08d}", 13800000000 + i])
    settings.JICENG_IMPORT_READER_MEMORY_MB = 96
    rows = list(sheets.read_rows_bounded(path, "big.xlsx", chunk=1000))
    assert len(rows) == 20001
    assert rows[-1] == (20001, ["张三19999", "340104199000019999", 13800019999])


@pytest.mark.slow
def test_a_libreoffice_xlsx(tmp_path):
    """LibreOffice writes shared strings as rich text runs and its own styles."""
    if not soffice():
        pytest.skip("LibreOffice is not installed")
    source = tmp_path / "src.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["标题"])
    ws.merge_cells("A1:E1")
    ws.append(["姓名", "证件号码", "手机号", "出生日期", "时长"])
    ws.append(["张三", "340104199001011234", 13800000000, dt.date(1990, 1, 1), dt.time(8, 30)])
    ws.append(["Li Si", 340104199001011234, "138 0000 0001", dt.datetime(2024, 3, 1, 8, 30), 1.5])
    ws["B7"] = "gap"
    wb.save(source)
    out = tmp_path / "lo"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
    assert_same(out / "src.xlsx")


# --- through read_rows ---------------------------------------------------------------------------


def test_read_rows_keeps_the_errors(tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", 1])
    path = tmp_path / "ok.xlsx"
    wb.save(path)
    assert list(sheets.read_rows(path, "ok.xlsx")) == [(1, ["姓名", 1])]

    not_zip = tmp_path / "bad.xlsx"
    not_zip.write_bytes(b"PK not really a zip")
    with pytest.raises(
        excel.FileFormatError, match=r"^无法读取该 Excel 文件（BadZipFile），请确认是 .xlsx 格式且未加密。$"
    ):
        list(sheets.read_rows(not_zip, "bad.xlsx"))

    no_sheet = Workbook()
    no_sheet.create_chartsheet("图表", 0)
    no_sheet.remove(no_sheet.worksheets[0])
    only_chart = tmp_path / "chart.xlsx"
    no_sheet.save(only_chart)
    with pytest.raises(excel.FileFormatError, match=r"^无法读取该 Excel 文件（IndexError）"):
        list(sheets.read_rows(only_chart, "chart.xlsx"))

    broken = tmp_path / "broken.xlsx"
    package(broken, "<worksheet")
    with pytest.raises(excel.FileFormatError, match=r"^无法读取该 Excel 文件（"):
        list(sheets.read_rows(broken, "broken.xlsx"))

    with pytest.raises(excel.FileFormatError, match=r"^不支持的文件类型“.docx”"):
        list(sheets.read_rows(path, "ok.docx"))


def test_an_xls_file_is_read(tmp_path):
    from .helpers import xls_bytes

    xls = tmp_path / "f.xls"
    xls.write_bytes(xls_bytes([["姓名", "出生日期"], ["张三", 1.5], [None, None], ["李四", True]]))
    assert list(sheets.read_rows(xls, "f.xls")) == [(1, ["姓名", "出生日期"]), (2, ["张三", 1.5]), (3, [None, None]),
                                                    (4, ["李四", True])]  # fmt: skip


ODS_CONTENT = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="居民">'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell>'
    '<table:table-cell office:value-type="string"><text:p>出生日期</text:p></table:table-cell></table:table-row>'
    '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="2"/></table:table-row>'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>张三</text:p></table:table-cell>'
    '<table:table-cell office:value-type="date" office:date-value="1990-01-01"><text:p>1990-01-01</text:p></table:table-cell>'
    '<table:table-cell office:value-type="float" office:value="13800000000"><text:p>13800000000</text:p></table:table-cell>'
    "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
)


def test_an_ods_file_is_read(tmp_path):
    """LibreOffice's own format: blank repeated rows numbered, dates and numbers typed."""
    path = tmp_path / "f.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", ODS_CONTENT)
        zf.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        )
    assert list(sheets.read_rows_bounded(path, "f.ods")) == [
        (1, ["姓名", "出生日期", None]), (2, [None, None, None]), (3, [None, None, None]),
        (4, ["张三", dt.date(1990, 1, 1), 13800000000]),
    ]  # fmt: skip


# --- hostile files: refused with a Chinese reason before they are read -------------------------------

HOSTILE = {
    "a row number past the sheet": '<row r="1e300"><c r="A1"><v>1</v></c></row>',
    "a cell row past the sheet": '<row r="1"><c r="A99999999999"><v>1</v></c></row>',
    "cells without r past the last column": "<row>" + "<c><v>1</v></c>" * 16_385 + "</row>",
    "a DOCTYPE in the sheet": "",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_sheet_is_a_file_format_error(tmp_path, case):
    sheet = worksheet(HOSTILE[case])
    if case == "a DOCTYPE in the sheet":
        sheet = '<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>' + worksheet(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row>'
        )
    path = package(tmp_path / "h.xlsx", sheet)
    with pytest.raises(excel.FileFormatError) as caught:
        for _ in sheets.read_rows_bounded(path, "h.xlsx"):
            pass
    assert str(caught.value).startswith(("无法读取该", "工作表的数据范围", "读取该文件所需的内存"))


def test_a_dimension_past_the_limits_is_refused_and_a_large_one_is_not(tmp_path):
    with pytest.raises(excel.FileFormatError, match=r"^工作表声明的范围为 A1:XFE2（2 行 × 16,385 列），超过导入上限"):
        list(sheets.read_rows(package(tmp_path / "d.xlsx", worksheet("", dimension="A1:XFE2")), "d.xlsx"))
    rows = sheets.read_rows(package(tmp_path / "e.xlsx", worksheet('<row r="1"><c r="A1"><v>1</v></c></row>',
                                                                dimension="A1:B1000000")), "e.xlsx")  # fmt: skip
    assert next(rows) == (1, [1])


def test_the_largest_dimension_is_refused_fast_by_the_bounded_reader(tmp_path):
    """Issue 10: a 1.6 KB .xlsx declaring A1:XFD1048576 took 73 s and 347 MB."""
    path = package(
        tmp_path / "xfd.xlsx", worksheet('<row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1:XFD1048576")
    )
    assert path.stat().st_size < 3000  # stored, not deflated: 2.8 KB
    started = time.monotonic()
    with pytest.raises(excel.FileFormatError) as caught:
        list(sheets.read_rows_bounded(path, "xfd.xlsx"))
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        "工作表声明的范围为 A1:XFD1048576（1,048,576 行 × 16,384 列），超过导入上限（1,000,000 行、256 列），"
        "已拒绝读取。请删除多余的行列，或只复制数据区域到新表格后上传。"
    )


def _zip_with(path: Path, name: str, chunks, *, level: int = 9) -> Path:
    """``package`` with one member replaced by ``chunks`` of bytes, streamed into the zip."""
    package(path, worksheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), strings=SST)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist() if n != name}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
        with zf.open(name, "w", force_zip64=True) as fh:
            for chunk in chunks:
                fh.write(chunk)
    return path


def test_400_mb_of_shared_strings_in_a_1_mb_file_are_refused_before_reading(tmp_path):
    si = b"<si><t>" + b"\xe5\xbc\xa0" * 30 + b"</t></si>"
    block = si * ((1 << 20) // len(si))
    chunks = [f'<sst xmlns="{MAIN}">'.encode(), *([block] * 400), b"</sst>"]
    path = _zip_with(tmp_path / "sst.xlsx", "xl/sharedStrings.xml", chunks)
    assert path.stat().st_size < 2 << 20
    started = time.monotonic()
    with pytest.raises(
        excel.FileFormatError, match=r"^文件中的“xl/sharedStrings.xml”解压后达 400 MB，是压缩后的 \d+ 倍"
    ):
        list(sheets.read_rows_bounded(path, "sst.xlsx"))
    assert time.monotonic() - started < 5


def test_a_shared_string_table_over_the_limit_is_refused(tmp_path, monkeypatch):
    path = package(tmp_path / "s.xlsx", worksheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), strings=SST)
    monkeypatch.setattr(sheets, "MAX_SHARED_STRINGS_BYTES", 100)
    with pytest.raises(excel.FileFormatError, match=r"^文件的共享字符串表解压后达 \d+ KB，超过上限 0 KB，已拒绝读取。"):
        list(sheets.read_rows(path, "s.xlsx"))


def test_a_zip_bomb_is_refused_before_reading(tmp_path, monkeypatch):
    """A sheet of 64 MB of spaces zips to 64 KB; the whole file unpacked over the total limit is refused too."""
    path = _zip_with(tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", [b" " * (1 << 20)] * 64)
    started = time.monotonic()
    with pytest.raises(excel.FileFormatError, match=r"^文件中的“xl/worksheets/sheet1.xml”解压后达 64 MB.*疑似压缩炸弹"):
        list(sheets.read_rows_bounded(path, "bomb.xlsx"))
    assert time.monotonic() - started < 5
    monkeypatch.setattr(sheets, "MAX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(excel.FileFormatError, match=r"^文件解压后共 \d+ KB，超过上限 1 KB，已拒绝读取。"):
        list(sheets.read_rows(package(tmp_path / "ok.xlsx", worksheet("")), "ok.xlsx"))


def test_a_doctype_in_a_small_part_is_refused(tmp_path):
    path = package(tmp_path / "w.xlsx", worksheet(""), workbook_pr="")
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/workbook.xml"] = b'<!DOCTYPE workbook [<!ENTITY a "x">]>' + parts["xl/workbook.xml"]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    with pytest.raises(excel.FileFormatError, match=r"^无法读取该 Excel 文件（DOCTYPE）"):
        list(sheets.read_rows(path, "w.xlsx"))
