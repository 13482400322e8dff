"""A small streaming .xlsx writer: one worksheet, rows appended one at a time, memory flat.

Used by the exports (``services.write_rows``) instead of openpyxl ``write_only``, whose XML writer was
about half the time of an export (see docs/decisions/xlsx-export-writer.md). The worksheet XML is
written straight into a deflated ``zipfile`` entry, a few hundred rows at a time; strings are inline
(``t="inlineStr"``), so no shared-string table is kept. Only the first ``sample_rows`` rows are held
back (to size the columns), then everything streams.

Cells: ``str`` → text (XML-escaped; characters XML 1.0 forbids removed; cut at Excel's 32,767
characters); ``int`` / ``float`` / ``Decimal`` → numbers (integers of 16 digits or more, NaN and
infinities → text, so nothing is silently rounded or makes the file unreadable); ``bool`` → TRUE /
FALSE; ``datetime.date`` / ``datetime.datetime`` (naive) → serial numbers styled ``yyyy-mm-dd`` /
``yyyy-mm-dd h:mm:ss`` (before 1900 → ISO text); ``None`` and ``""`` → no cell; anything else →
``str(value)``. A string is never a formula. Not supported: several sheets, shared strings, rich
text, merged cells, formulas, per-cell styles (a whole row may take one of a few ``fills``). More than Excel's 1,048,576 rows raises ``TooManyRows``
(Excel would call the file damaged); the callers count first (``exports.services.write_rows``). A sheet
whose XML would pass 2 GiB raises ``SheetTooLarge`` (a ``TooManyRows``) before the chunk of rows that
would cross the line is written (rows go out ``flush_rows`` at a time; the file then closes valid with
the chunks before it): the zip is written without ZIP64, which ``zipfile`` would only refuse at the end
of the sheet, in English, and which Excel reports as damaged when ``zipfile`` forces it. Only very long
cells get there (a million rows of an ordinary roster are a few hundred MB of XML).

    with XlsxWriter(path, sheet_name="居民", header=["姓名", "年龄"]) as xw:
        xw.append(["张三", 30])
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape as _xml_escape

__all__ = [
    "CELL_MAX_CHARS",
    "MAX_ROWS",
    "MAX_SHEET_BYTES",
    "SheetTooLarge",
    "TooManyRows",
    "XlsxWriter",
    "clean_text",
    "column_letter",
    "no_formula",
    "sanitize_sheet_name",
]

CELL_MAX_CHARS = 32767  # Excel's limit, in UTF-16 code units
MAX_COLUMNS = 16384
MAX_ROWS = 1_048_576  # per worksheet, the header included
MAX_SHEET_BYTES = zipfile.ZIP64_LIMIT  # the sheet's XML, uncompressed: past this a zip entry needs ZIP64
_EXACT_INT = 10**15  # Excel keeps 15 significant digits: larger integers are written as text

#: XML 1.0 forbids these (and a lone surrogate cannot even be encoded); they are removed.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: One C scan per string decides whether it needs the slow path at all.
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]").search
_XML_SPACE = " \t\n\r"
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")

_DATE_STYLE, _DATETIME_STYLE, _HEADER_STYLE = 2, 3, 1
_EPOCH_ORDINAL = dt.date(1899, 12, 30).toordinal()
_FIRST_DATE = dt.date(1900, 1, 1)
_MARCH_1900 = dt.date(1900, 3, 1)

_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_END = (
    b'</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
)
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"

_CONTENT_TYPES = (
    _DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _DECL + f'<Relationships xmlns="{_NS_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_NS_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_NS_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    _DECL + f'<Relationships xmlns="{_NS_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_NS_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_APP = (
    _DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>jiceng</Application></Properties>"
)
# cellXfs: 0 default, 1 bold (header), 2 date, 3 date and time — the same formats openpyxl wrote; then,
# per fill colour k (1-based, ``XlsxWriter(fills=…)``), 4 + 3(k-1) plain, + 1 date, + 2 date and time.
_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
_XF = '<xf numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"{apply}/>'
_RGB = re.compile(r"[0-9A-Fa-f]{6}")


def _styles(fills: Sequence[str] = ()) -> str:
    """``xl/styles.xml``: the four base styles, and three more (plain, date, date and time) per fill."""
    fill_xml = "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb.upper()}"/><bgColor indexed="64"/>'
        "</patternFill></fill>"
        for rgb in fills
    )
    xfs = [
        _XF.format(fmt=0, font=0, fill=0, apply=""),
        _XF.format(fmt=0, font=1, fill=0, apply=' applyFont="1"'),
        _XF.format(fmt=164, font=0, fill=0, apply=' applyNumberFormat="1"'),
        _XF.format(fmt=165, font=0, fill=0, apply=' applyNumberFormat="1"'),
    ]
    for k in range(2, 2 + len(fills)):
        xfs += [
            _XF.format(fmt=0, font=0, fill=k, apply=' applyFill="1"'),
            _XF.format(fmt=164, font=0, fill=k, apply=' applyNumberFormat="1" applyFill="1"'),
            _XF.format(fmt=165, font=0, fill=k, apply=' applyNumberFormat="1" applyFill="1"'),
        ]
    return (
        _DECL + f'<styleSheet xmlns="{_NS_MAIN}">'
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
        '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
        f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>'
        f'<fills count="{2 + len(fills)}"><fill><patternFill patternType="none"/></fill>'
        f'<fill><patternFill patternType="gray125"/></fill>{fill_xml}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '<dxfs count="0"/><tableStyles count="0"/></styleSheet>'
    )


_STYLES = _styles()


def no_formula(text: str) -> str:
    """Text that a spreadsheet could take for a formula once it is retyped or pasted (``= + @``, or ``-``
    not followed by a digit) gets a leading ``'``. The cell is text either way: this writer has no
    formula cells at all."""
    if text[:1] in ("=", "+", "@") or (text[:1] == "-" and not text[1:2].isdigit()):
        return "'" + text
    return text


def sanitize_sheet_name(name: str, default: str = "Sheet1") -> str:
    """What Excel accepts as a sheet name: none of ``[]:*?/\\``, no quote at either end, ≤ 31 characters."""
    name = _SHEET_NAME_BAD.sub("_", _ILLEGAL.sub("", str(name or ""))).strip().strip("'")
    name = name[:31].strip().strip("'")
    if not name or name.lower() == "history":  # "History" is reserved by Excel
        return default
    return name


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA …"""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def clean_text(value: str) -> str:
    """``value`` as Excel can hold it: forbidden characters removed, at most 32,767 UTF-16 units."""
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if len(value) > CELL_MAX_CHARS // 2:
        value = value[:CELL_MAX_CHARS]
        excess = len(value.encode("utf-16-le")) // 2 - CELL_MAX_CHARS  # characters outside the BMP count twice
        while excess > 0:
            excess -= 2 if ord(value[-1]) > 0xFFFF else 1
            value = value[:-1]
    return value


def _text_cell(ref: str, value: str, style: str = "") -> str:
    """The slow path of a text cell (special characters, surrounding whitespace, very long)."""
    value = clean_text(value)
    if not value:
        return ""
    text = _xml_escape(value).replace("\r", "&#13;")
    space = ' xml:space="preserve"' if value[0] in _XML_SPACE or value[-1] in _XML_SPACE else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _date_serial(value: dt.date) -> int | None:
    """Excel's serial day number (1900 system, with its fictitious 29 Feb 1900), None before 1900."""
    if value < _FIRST_DATE:
        return None
    days = value.toordinal() - _EPOCH_ORDINAL
    return days - 1 if value < _MARCH_1900 else days


def _other_cell(
    ref: str, value, style: str, date_style: int = _DATE_STYLE, datetime_style: int = _DATETIME_STYLE
) -> str:
    """Cells of types other than exact str / int / float / date / datetime (bool, Decimal, subclasses…)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, str):
        return _text_cell(ref, str.__str__(value), style) if value else ""
    if isinstance(value, int):
        value = int(value)
        if -_EXACT_INT < value < _EXACT_INT:
            return f'<c r="{ref}"{style}><v>{value}</v></c>'
        return _text_cell(ref, str(value), style)
    if isinstance(value, float):
        value = float(value)
        if value - value == 0:  # finite
            return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
        return _text_cell(ref, str(value), style)
    if isinstance(value, Decimal):
        if value.is_finite():
            return f'<c r="{ref}"{style}><v>{value}</v></c>'
        return _text_cell(ref, str(value), style)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise TypeError("Excel 不支持带时区的时间：请先转换为本地时间。")
        days = _date_serial(value.date())
        if days is None:
            return _text_cell(ref, value.isoformat(sep=" "), style)
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return f'<c r="{ref}" s="{datetime_style}"><v>{days + seconds / 86400!r}</v></c>'
    if isinstance(value, dt.date):
        days = _date_serial(value)
        if days is None:
            return _text_cell(ref, value.isoformat(), style)
        return f'<c r="{ref}" s="{date_style}"><v>{days}</v></c>'
    return _text_cell(ref, str(value), style)


def _display_width(value) -> int:
    """Roughly how many digit widths ``value`` takes on screen (CJK characters count two)."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    text = value if isinstance(value, str) else str(value)
    text = max(text.splitlines() or [""], key=len)
    return len(text) + (len(text.encode("utf-8", "surrogatepass")) - len(text)) // 2


class TooManyRows(ValueError):
    """More rows than one Excel worksheet holds."""


class SheetTooLarge(TooManyRows):
    """More data than one worksheet's zip entry holds without ZIP64 (2 GiB of XML)."""


class XlsxWriter:
    """One-sheet .xlsx written as a stream into ``file`` (a path or a binary file object).

    ``header`` (optional) becomes a bold first row, frozen. Column widths are estimated from the
    header and the first ``sample_rows`` rows. Call :meth:`close` (or use ``with``) to finish the file.
    """

    def __init__(
        self,
        file,
        *,
        sheet_name: str = "Sheet1",
        header: Sequence | None = None,
        compresslevel: int = 3,
        sample_rows: int = 100,
        flush_rows: int = 500,
        fills: Sequence[str] = (),
    ):
        self.sheet_name = sanitize_sheet_name(sheet_name)
        if not all(isinstance(rgb, str) and _RGB.fullmatch(rgb) for rgb in fills):
            raise ValueError("fills 须为 6 位十六进制 RGB 颜色，如 FFC7CE。")
        self._fills = tuple(fills)
        self.rows = 0  # rows written so far, header included
        self._cols: list[str] = []
        self._widths: list[int] = []
        self._sample_rows = sample_rows
        self._flush_rows = flush_rows
        self._buffer: list[str] = []
        self._stream = None  # the sheet's zip entry, opened once the sample is in
        self._sheet_bytes = 0  # written to it so far, uncompressed
        self._frozen = header is not None
        self._closed = False
        self._zf = zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        try:
            self._write_parts()
            if header is not None:
                self._append(header, f' s="{_HEADER_STYLE}"')
        except BaseException:
            self._zf.close()
            raise

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write_parts(self) -> None:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        core = (
            _DECL + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>jiceng</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
        )
        name = _xml_escape(self.sheet_name, {'"': "&quot;"})
        workbook = (
            _DECL + f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}"><workbookPr/>'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        for part, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("docProps/app.xml", _APP),
            ("docProps/core.xml", core),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _styles(self._fills) if self._fills else _STYLES),
        ):
            self._zf.writestr(part, text)

    def _grow(self, count: int) -> None:
        if count > MAX_COLUMNS:
            raise ValueError(f"Excel 每行最多 {MAX_COLUMNS} 列。")
        self._cols.extend(column_letter(i) for i in range(len(self._cols), count))

    def append(self, row: Iterable, *, fill: int = 0) -> None:
        """Write one row (a sequence of cell values, see the module docstring); ``fill``: 1 for the first
        colour of ``fills``, 2 for the second … (0: none), on every cell of the row, dates included."""
        if not fill:
            self._append(row, "")
            return
        if not 0 < fill <= len(self._fills):
            raise ValueError(f"没有第 {fill} 种填充颜色。")
        base = 4 + 3 * (fill - 1)
        self._append(row, f' s="{base}"', base + 1, base + 2)

    def _append(self, row, style: str, date_style: int = _DATE_STYLE, datetime_style: int = _DATETIME_STYLE) -> None:
        if self._closed:
            raise ValueError("文件已关闭。")
        if self.rows >= MAX_ROWS:
            raise TooManyRows(f"超过 Excel 单个工作表 {MAX_ROWS:,} 行的上限。")
        if not isinstance(row, list | tuple):
            row = list(row)
        if len(row) > len(self._cols):
            self._grow(len(row))
        if self._stream is None:
            self._measure(row)
        self.rows += 1
        n = str(self.rows)
        cols = self._cols
        parts = [f'<row r="{n}">']
        add = parts.append
        for i, v in enumerate(row):
            t = type(v)
            if t is str:
                if not v:
                    continue
                if (
                    _SPECIAL(v) is None
                    and v[0] not in _XML_SPACE
                    and v[-1] not in _XML_SPACE
                    and len(v) <= CELL_MAX_CHARS // 2
                ):
                    add(f'<c r="{cols[i]}{n}"{style} t="inlineStr"><is><t>{v}</t></is></c>')
                else:
                    add(_text_cell(cols[i] + n, v, style))
            elif t is int:
                if -_EXACT_INT < v < _EXACT_INT:
                    add(f'<c r="{cols[i]}{n}"{style}><v>{v}</v></c>')
                else:
                    add(_text_cell(cols[i] + n, str(v), style))
            elif t is dt.date:
                days = _date_serial(v)
                if days is None:
                    add(_text_cell(cols[i] + n, v.isoformat(), style))
                else:
                    add(f'<c r="{cols[i]}{n}" s="{date_style}"><v>{days}</v></c>')
            elif v is None:
                continue
            else:
                add(_other_cell(cols[i] + n, v, style, date_style, datetime_style))
        add("</row>")
        self._buffer.append("".join(parts))
        if self._stream is None:
            if self.rows > self._sample_rows + self._frozen:
                self._start_sheet()
        elif len(self._buffer) >= self._flush_rows:
            self._flush()

    def _measure(self, row) -> None:
        widths = self._widths
        if len(widths) < len(row):
            widths.extend([0] * (len(row) - len(widths)))
        for i, v in enumerate(row):
            w = _display_width(v)
            if w > widths[i]:
                widths[i] = w

    def _start_sheet(self) -> None:
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{min(max(w, 6) + 2, 60)}" customWidth="1"/>'
            for i, w in enumerate(self._widths, start=1)
        )
        pane = (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            if self._frozen
            else '<selection activeCell="A1" sqref="A1"/>'
        )
        head = (
            _DECL + f'<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
            f'<sheetViews><sheetView tabSelected="1" workbookViewId="0">{pane}</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
        )
        self._stream = self._zf.open("xl/worksheets/sheet1.xml", "w")
        data = head.encode()
        self._stream.write(data)  # a few hundred bytes: the limit is checked from the rows on
        self._sheet_bytes += len(data)
        self._flush()

    def _flush(self) -> None:
        if self._buffer:
            data = "".join(self._buffer).encode()
            self._buffer.clear()
            self._write(data)

    def _write(self, data: bytes) -> None:
        # What the sheet still needs after this (its closing tags) is kept free, so the file always closes.
        if self._sheet_bytes + len(data) + len(_SHEET_END) > MAX_SHEET_BYTES:
            raise SheetTooLarge(
                f"导出内容超过 Excel 单个工作表可写入的大小（约 {max(MAX_SHEET_BYTES / 2**30, 0.001):.3g} GB），未生成文件。"
                "请先按街道、社区或网格筛选，分批导出。"
            )
        self._stream.write(data)
        self._sheet_bytes += len(data)

    def close(self) -> None:
        """Finish the sheet and the zip. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            try:
                if self._stream is None:
                    self._start_sheet()  # writes the held-back sample rows: may raise SheetTooLarge too
                self._flush()
            finally:
                if self._stream is not None:  # a valid file of the rows written, even after SheetTooLarge
                    self._stream.write(_SHEET_END)
                    self._stream.close()
        finally:
            self._zf.close()
