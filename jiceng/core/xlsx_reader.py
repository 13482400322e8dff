"""The first worksheet of an .xlsx file as rows of values: streamed, standard library only.

openpyxl ``read_only`` spent about 100 µs per 8-column row (an element tree, a dict and a cell object
per cell): a quarter of an import's CPU. This reader drives pyexpat directly (no tree at all) and turns
each cell into its value as its end tag goes by, in about a quarter of that time; memory stays flat
(64 KiB of XML at a time, plus the shared-string table, which openpyxl loads whole too).

:func:`iter_sheet_rows` yields exactly what ``excel._read_xlsx`` yielded through openpyxl 3.1.5
(``load_workbook(path, read_only=True, data_only=True).worksheets[0]``), quirks included, since the
importer's header detection and row numbers depend on them:

- the sheet is the first ``<sheet>`` of ``workbook.xml`` that is not a chartsheet and whose part exists;
- rows are padded with ``None`` to the ``<dimension>``'s last column (without one: to the row's last
  cell); cells right of the dimension are dropped, and reading stops after its last row, followed by
  blank rows up to it — openpyxl trusts the dimension, so a file whose dimension is wrong loses those
  cells in both readers;
- rows missing from the XML are yielded as blank rows (numbered), rows whose ``r`` goes backwards are
  dropped; the row number is the first cell's row (as ``excel._read_xlsx`` took it), else previous + 1;
- numbers are ``int`` unless the text has ``.``, ``e`` or ``E``; under a date or duration number format
  (built-in or custom, openpyxl's ``is_date_format`` / ``is_timedelta_format``) they become
  ``datetime`` / ``time`` / ``timedelta`` (1900 or 1904 epoch), ``"#VALUE!"`` when out of range;
  ``t="d"`` is ISO 8601; ``t="b"`` → bool; ``t="e"`` / ``t="str"`` → their text; formulas → the cached
  value (``None`` without one);
- text is the plain ``<t>`` plus rich-text runs, never phonetic ``<rPh>``; ``_xHHHH_`` escapes stay as
  written except that shared strings lose ``x005F_``, as in openpyxl.

The strict OOXML namespace (``purl.oclc.org``) is read too: openpyxl finds no worksheet in such a file.
openpyxl would use defusedxml when installed; it is not a dependency, and expat ≥ 2.4 bounds entity
expansion, so plain expat is what openpyxl used here as well.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from string import ascii_uppercase
from xml.etree import ElementTree
from xml.parsers import expat

__all__ = ["iter_sheet_rows"]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_RELATION_IDS = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
#: openpyxl's order of preference among workbook parts in ``[Content_Types].xml``.
_WORKBOOK_TYPES = (
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
)
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_CHUNK = 1 << 16
# What a file Excel could have written holds (a hostile one is refused, not followed): rows and columns of a
# sheet, characters of a cell, and the size of the parts read whole (a zip entry stops at its declared size).
MAX_ROWS, MAX_COLUMNS, MAX_CELL_CHARS = 1_048_576, 16_384, 32_767
_MAX_PART_BYTES = 16 << 20  # [Content_Types].xml, workbook, its rels, styles
_MAX_STRINGS_BYTES = 512 << 20  # the shared-string table, loaded whole (as openpyxl does)

#: The built-in number formats openpyxl counts as dates (14-22, 45-47); 46 ``[h]:mm:ss`` is a duration.
_BUILTIN_DATE_FORMATS = {
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
}
_STRIP_RE = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')  # literals, locales, colours
_DATE_CODE_RE = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_TIMEDELTA_RE = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)
_WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
_MAC_EPOCH = dt.datetime(1904, 1, 1)
_ISO_RE = re.compile(
    r"(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?"
    r"(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<microsecond>\.\d{1,3})?)?)?Z?"
)
_ISO_DURATION_RE = re.compile(r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?")
_RANGE_RE = re.compile(
    r"^[$]?(?P<min_col>[A-Za-z]{1,3})?[$]?(?P<min_row>\d+)?(:[$]?(?P<max_col>[A-Za-z]{1,3})?[$]?(?P<max_row>\d+)?)?$"
)

_DIGITS = "0123456789"
#: Columns A-ZZ: the fast path of a cell reference; the rest goes through :func:`_coordinate`.
_COLUMNS = {a: i for i, a in enumerate(ascii_uppercase, 1)} | {
    a + b: 26 * i + j for i, a in enumerate(ascii_uppercase, 1) for j, b in enumerate(ascii_uppercase, 1)
}

# Parser states: where the last start tag left us (inside a skipped subtree, ``skip`` counts depth instead).
_OUT, _ROW, _CELL, _V, _IS, _IS_T, _RUN, _RUN_T = range(8)


class _PastLastRow(Exception):
    """A row beyond the dimension: openpyxl stops reading there."""


def iter_sheet_rows(path: str | Path) -> Iterator[tuple[int, list]]:
    """``(row number, values)`` for every row of the first worksheet, as openpyxl read it (see above).

    A package that cannot be read (not a zip, a missing or malformed part, no worksheet, a broken
    sheet head) raises from this call, where openpyxl raised when opening the workbook; a sheet broken
    further down raises while iterating. The file is closed when the iterator is exhausted or closed.
    """
    archive = zipfile.ZipFile(path)
    try:
        return _sheet_rows(archive, *_read_book(archive))
    except BaseException:
        archive.close()
        raise


# --- the workbook around the sheet -----------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _read_book(archive: zipfile.ZipFile) -> tuple[str, str, list[str], dict[int, bool], dt.datetime]:
    """(sheet part, its namespace, shared strings, date styles, epoch), found the way openpyxl finds them."""
    names = set(archive.namelist())
    types = _part(archive, "[Content_Types].xml")
    overrides = [(e.get("PartName"), e.get("ContentType")) for e in types if _local(e.tag) == "Override"]
    strings_part = next((part[1:] for part, kind in overrides if kind == _SHARED_STRINGS_TYPE), None)
    workbook_part = next((part[1:] for kind in _WORKBOOK_TYPES for part, k in overrides if k == kind), None)
    if workbook_part is None:
        defaults = {e.get("ContentType") for e in types if _local(e.tag) == "Default"}
        if not defaults.intersection(_WORKBOOK_TYPES):
            raise OSError("File contains no valid workbook part")
        workbook_part = "xl/workbook.xml"

    workbook = _part(archive, workbook_part)
    ns = STRICT_NS if workbook.tag == f"{{{STRICT_NS}}}workbook" else MAIN_NS
    strings: list[str] = []
    if strings_part is not None:
        if archive.getinfo(strings_part).file_size > _MAX_STRINGS_BYTES:
            raise ValueError("shared strings too large")
        with archive.open(strings_part) as stream:
            strings = _read_strings(stream, ns)
    date1904 = None
    sheets: list[ElementTree.Element] = []
    for child in workbook:
        if _local(child.tag) == "workbookPr":
            date1904 = child.get("date1904")
        elif _local(child.tag) == "sheets":
            sheets = list(child)
    epoch = _MAC_EPOCH if date1904 not in (None, "", "false", "f", "0") else _WINDOWS_EPOCH

    date_styles = _date_styles(archive) if "xl/styles.xml" in names else {}
    rels = None
    for sheet in sheets:
        rel_id = sheet.get(_RELATION_IDS[0]) or sheet.get(_RELATION_IDS[1])
        if not rel_id:
            continue  # openpyxl drops it with a warning
        if rels is None:
            rels = _relationships(archive, workbook_part)
        kind, target = rels[rel_id]
        if target in names and "chartsheet" not in kind:
            return target, ns, strings, date_styles, epoch
    raise IndexError("the workbook has no worksheet")


def _part(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    """A small part, parsed whole: refused when larger than such a part can be, or with a DOCTYPE (no
    spreadsheet part has one; entity tricks live there)."""
    if archive.getinfo(name).file_size > _MAX_PART_BYTES:
        raise ValueError(f"{name} too large")
    data = archive.read(name)
    if b"<!DOCTYPE" in data.upper():
        raise ValueError("DOCTYPE not allowed")
    return ElementTree.fromstring(data)


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target as a path in the zip), like openpyxl's ``get_dependents``."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", f"{name}.rels")
    rels = {}
    for rel in _part(archive, rels_path):
        target = rel.get("Target")
        if rel.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        rels[rel.get("Id")] = (rel.get("Type"), target)
    return rels


def _date_styles(archive: zipfile.ZipFile) -> dict[int, bool]:
    """Index in ``cellXfs`` → whether it is a duration, for the styles whose number format is a date."""
    custom: dict[int, str] = {}
    xfs: list[ElementTree.Element] = []
    for part in _part(archive, "xl/styles.xml"):
        if _local(part.tag) == "numFmts":
            custom = {int(f.get("numFmtId")): f.get("formatCode") for f in part if _local(f.tag) == "numFmt"}
        elif _local(part.tag) == "cellXfs":
            xfs = [xf for xf in part if _local(xf.tag) == "xf"]
    styles = {}
    for index, xf in enumerate(xfs):
        number_format = int(xf.get("numFmtId", 0))
        code = custom[number_format] if number_format in custom else _BUILTIN_DATE_FORMATS.get(number_format)
        if code is not None and _is_date_format(code):
            styles[index] = _TIMEDELTA_RE.search(code.split(";")[0]) is not None
    return styles


def _is_date_format(code: str) -> bool:
    return _DATE_CODE_RE.search(_STRIP_RE.sub("", code.split(";")[0])) is not None


def _feed(parse: Callable[[bytes, bool], object], data: bytes, final: bool) -> None:
    """One chunk into expat, its errors raised as ElementTree's (what openpyxl reported)."""
    try:
        parse(data, final)
    except expat.ExpatError as exc:
        error = ElementTree.ParseError(str(exc))
        error.code, error.position = exc.code, (exc.lineno, exc.offset)
        raise error from None


def _new_parser(ns: str, *names: str) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="}", intern={f"{ns}}}{n}": f"{ns}}}{n}" for n in names})
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_doctype
    return parser


def _refuse_doctype(*args) -> None:
    raise ValueError("DOCTYPE not allowed")


def _too_long() -> None:
    raise ValueError(f"a cell longer than {MAX_CELL_CHARS} characters")


def _read_strings(stream, ns: str) -> list[str]:
    """The shared-string table: each ``<si>``'s plain text and runs (not ``<rPh>``), less ``x005F_``."""
    strings: list[str] = []
    si, t_tag, r_tag = (f"{ns}}}{n}" for n in ("si", "t", "r"))
    skip = 0
    state = _OUT
    capturing = False
    buf = ""
    plain = run_text = None
    runs: list[str] = []

    def start(name, attrs):
        nonlocal skip, state, capturing, buf, plain, run_text, runs
        if skip:
            skip += 1
        elif state == _OUT:
            if name == si:  # read like a cell's inline <is>
                state, plain, runs = _IS, None, []
        elif state == _IS:  # openpyxl takes any <t> and <r>, whatever their namespace
            if name == t_tag or _local(name) == "t":
                state, capturing, buf = _IS_T, True, ""
            elif name == r_tag or _local(name) == "r":
                state, run_text = _RUN, None
            else:
                skip = 1
        elif state == _RUN:
            if name == t_tag or _local(name) == "t":
                state, capturing, buf = _RUN_T, True, ""
            else:
                skip = 1
        else:  # inside <t>: a child ends the element's text
            capturing, skip = False, 1

    def end(name):
        nonlocal skip, state, capturing, plain, run_text
        if skip:
            skip -= 1
        elif state == _IS:
            strings.append(((plain or "") + "".join(runs)).replace("x005F_", ""))
            state = _OUT
        elif state == _IS_T:
            state, capturing, plain = _IS, False, buf or None
        elif state == _RUN_T:
            state, capturing, run_text = _RUN, False, buf or None
        elif state == _RUN:
            if run_text is not None:
                runs.append(run_text)
            state = _IS

    def chars(data):
        nonlocal buf
        if capturing:
            buf += data
            if len(buf) > MAX_CELL_CHARS:
                _too_long()

    parser = _new_parser(ns, "si", "t", "r")
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    while chunk := stream.read(_CHUNK):
        _feed(parser.Parse, chunk, False)
    _feed(parser.Parse, b"", True)
    return strings


# --- the sheet -------------------------------------------------------------------------------


def _sheet_rows(
    archive: zipfile.ZipFile, part: str, ns: str, strings: list[str], date_styles: dict[int, bool], epoch: dt.datetime
) -> Iterator[tuple[int, list]]:
    """Parse the sheet up to its dimension or first row now (openpyxl read the dimension when opening),
    and return the generator of the rows. Handlers put finished rows in ``out``; a run of missing rows
    is put there as a ``range`` of their numbers, expanded lazily (a file may jump to row 1,048,576)."""
    tags = ("row", "v", "is", "t", "r", "dimension")
    row_tag, v_tag, is_tag, t_tag, r_tag, dimension_tag = (f"{ns}}}{n}" for n in tags)
    out: list = []
    gaps = False  # a range in ``out``
    started = finished = False
    max_col = max_row = None
    counter = expected = 1  # openpyxl's next row to yield; _read_xlsx's next row number
    row_counter = col_counter = 0
    row_text = ""
    cells: list[tuple[int, int, object]] = []
    uniform = True  # every cell of this row says it is in this row
    skip = 0
    state = _OUT
    cell: dict = {}
    capturing = False
    buf = ""
    text = inline = plain = run_text = None
    runs: list[str] = []

    def start(name, attrs):
        nonlocal skip, state, cell, text, inline, capturing, buf, plain, runs, run_text
        nonlocal started, max_col, max_row, row_counter, row_text, col_counter, cells, uniform
        if skip:
            skip += 1
        elif state == _ROW:  # openpyxl reads every child of a row as a cell
            state, cell, text, inline = _CELL, attrs, None, None
        elif state == _CELL:
            if name == v_tag and text is None:  # the first <v> only
                state, capturing, buf = _V, True, ""
            elif name == is_tag and inline is None:
                state, plain, runs = _IS, None, []
            else:
                skip = 1
        elif state == _IS:  # openpyxl takes any <t> and <r>, whatever their namespace
            if name == t_tag or _local(name) == "t":
                state, capturing, buf = _IS_T, True, ""
            elif name == r_tag or _local(name) == "r":
                state, run_text = _RUN, None
            else:
                skip = 1
        elif state == _OUT:
            if name == row_tag:
                r = attrs.get("r")
                row_counter = row_counter + 1 if r is None else _row_index(r)
                if row_counter > MAX_ROWS:
                    raise ValueError(f"row {row_counter} beyond the sheet's {MAX_ROWS}")
                row_text = str(row_counter)
                state, col_counter, cells, uniform, started = _ROW, 0, [], True, True
            elif name == dimension_tag and not started:
                ref = attrs.get("ref")
                if ref is None:
                    raise TypeError("<dimension> without ref")
                max_col, max_row = _range_max(ref)
                if (max_col or 0) > MAX_COLUMNS or (max_row or 0) > MAX_ROWS:
                    raise ValueError(f"dimension {ref} beyond a sheet's bounds")
                started = True
        elif state == _RUN:
            if name == t_tag or _local(name) == "t":
                state, capturing, buf = _RUN_T, True, ""
            else:
                skip = 1
        else:  # inside <v> or <t>: a child ends the element's text
            capturing, skip = False, 1

    def end(name):
        nonlocal skip, state, text, inline, capturing, plain, run_text, col_counter, uniform
        if skip:
            skip -= 1
        elif state == _CELL:
            state = _ROW
            r = cell.get("r")
            if r:
                letters = r.rstrip(_DIGITS)
                col = _COLUMNS.get(letters)
                if col is None or len(letters) == len(r):
                    cell_row, col = _coordinate(r)
                else:
                    digits = r[len(letters) :]
                    cell_row = row_counter if digits == row_text else int(digits)
                if cell_row != row_counter:
                    uniform = False
                col_counter = col
            else:
                col_counter += 1
                col, cell_row = col_counter, row_counter
            if col > MAX_COLUMNS or cell_row > MAX_ROWS:
                raise ValueError(f"cell {r or col} beyond a sheet's bounds")
            kind = cell.get("t", "n")
            if kind == "inlineStr":
                value = inline
            else:
                value = text or None  # no <v>, or an empty one
                if value is not None:
                    if kind == "n":
                        value = float(value) if "." in value or "E" in value or "e" in value else int(value)
                        if date_styles:
                            style = cell.get("s", 0)
                            if style:
                                style = int(style)
                            if style in date_styles:
                                value = _from_excel(value, epoch, date_styles[style])
                    elif kind == "s":
                        value = strings[int(value)]
                    elif kind == "b":
                        value = bool(int(value))
                    elif kind == "d":
                        value = _from_iso8601(value)
            cells.append((col, cell_row, value))
        elif state == _V:
            state, capturing, text = _CELL, False, buf
        elif state == _IS_T:
            state, capturing, plain = _IS, False, buf or None
        elif state == _IS:
            state, inline = _CELL, (plain or "") + "".join(runs)
        elif state == _ROW:
            state = _OUT
            end_row()
        elif state == _RUN_T:
            state, capturing, run_text = _RUN, False, buf or None
        elif state == _RUN:
            if run_text is not None:
                runs.append(run_text)
            state = _IS

    def chars(data):
        nonlocal buf
        if capturing:
            buf += data
            if len(buf) > MAX_CELL_CHARS:
                _too_long()

    def end_row():
        nonlocal counter, expected, gaps
        index = row_counter
        if max_row is not None and index > max_row:
            raise _PastLastRow
        if counter < index:
            out.append(range(expected, expected + index - counter))
            expected += index - counter
            counter, gaps = index, True
        if counter > index:
            return  # openpyxl drops a row numbered below one already read
        counter += 1
        if not cells:
            out.append((expected, [None] * max_col if max_col else []))
            expected += 1
            return
        width = max_col or cells[-1][0]
        values = [None] * width
        for col, _, value in cells:
            if col <= width:
                values[col - 1] = value
        if uniform and index and cells[0][0] <= width:
            number = index
        else:
            number = _first_cell_row(cells, width, expected)
        out.append((number, values))
        expected = number + 1

    def feed(data: bytes) -> None:
        nonlocal finished, gaps
        try:
            _feed(parser.Parse, data, not data)
        except _PastLastRow:
            if counter <= max_row:  # openpyxl pads with blank rows up to the dimension's last row
                out.append(range(expected, expected + max_row + 1 - counter))
                gaps = True
            finished = True
        else:
            finished = not data

    def rows() -> Iterator[tuple[int, list]]:
        nonlocal gaps
        try:
            while True:
                if gaps:
                    for item in out:
                        if type(item) is range:
                            for number in item:
                                yield number, [None] * max_col if max_col else []
                        else:
                            yield item
                    gaps = False
                else:
                    yield from out
                out.clear()
                if finished:
                    return
                feed(stream.read(_CHUNK))
        finally:
            stream.close()
            archive.close()

    parser = _new_parser(ns, "c", *tags)
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    stream = archive.open(part)
    try:
        while not (started or finished):
            feed(stream.read(_CHUNK))
    except BaseException:
        stream.close()
        raise
    return rows()


def _first_cell_row(cells: list[tuple[int, int, object]], width: int, default: int) -> int:
    """The row of the leftmost cell kept in the row (the last one written to its column), if not 0:
    how ``excel._read_xlsx`` numbered a row whose cells disagree with its ``r``."""
    rows = [0] * width
    for col, row, _ in cells:
        if col <= width:
            rows[col - 1] = row
    return next((row for row in rows if row), default)


def _row_index(r: str) -> int:
    try:
        return int(r)
    except ValueError:
        number = float(r)
        if not number.is_integer():
            raise ValueError(f"{r} is not a valid row number") from None
        return int(number)


def _coordinate(ref: str) -> tuple[int, int]:
    """(row, column) of a cell reference the way openpyxl splits it: letters up to the first digit."""
    i = next((i for i, char in enumerate(ref) if char in _DIGITS), len(ref) - 1)
    return int(ref[i:]), _column_index(ref[:i])


def _column_index(letters: str) -> int:
    index = 0
    if len(letters) <= 3:
        for letter, power in zip(reversed(letters.upper()), (1, 26, 676), strict=False):  # upper() may lengthen it
            if not "A" <= letter <= "Z":
                index = 0
                break
            index += (ord(letter) - 64) * power
    if not 0 < index < 18279:
        raise ValueError(f"'{letters}' is not a valid column name. Column names are from A to ZZZ")
    return index


def _range_max(ref: str) -> tuple[int | None, int | None]:
    """(last column, last row) of a ``<dimension ref>``, as openpyxl's ``range_boundaries`` reads it."""
    match = _RANGE_RE.match(ref)
    if not match:
        raise ValueError(f"{ref} is not a valid coordinate or range")
    min_col, min_row, sep, max_col, max_row = match.group("min_col", "min_row", 3, "max_col", "max_row")
    if sep:
        cols, rows = (min_col, max_col), (min_row, max_row)
        if not (all(cols + rows) or all(cols) and not any(rows) or all(rows) and not any(cols)):
            raise ValueError(f"{ref} is not a valid coordinate or range")
    max_col = max_col or min_col
    max_row = max_row or min_row
    return (_column_index(max_col) if max_col else None), (int(max_row) if max_row else None)


def _from_excel(value: float, epoch: dt.datetime, duration: bool):
    """openpyxl's ``from_excel``: a serial under a date format as datetime, time or timedelta."""
    try:
        if duration:
            delta = dt.timedelta(days=value)
            if delta.microseconds:  # to the millisecond
                delta = dt.timedelta(seconds=delta.total_seconds() // 1, microseconds=round(delta.microseconds, -3))
            return delta
        day, fraction = divmod(value, 1)
        diff = dt.timedelta(milliseconds=round(fraction * 86400 * 1000))  # openpyxl's rounding
        if 0 <= value < 1 and diff.days == 0:
            minutes, seconds = divmod(diff.seconds, 60)
            hours, minutes = divmod(minutes, 60)
            return dt.time(hours, minutes, seconds, diff.microseconds)
        if 0 < value < 60 and epoch == _WINDOWS_EPOCH:
            day += 1  # Excel's fictitious 29 February 1900
        return epoch + dt.timedelta(days=day) + diff
    except (OverflowError, ValueError):
        return "#VALUE!"


def _from_iso8601(text: str):
    """openpyxl's ``from_ISO8601`` for ``t="d"`` cells: a date, time, datetime or duration."""
    match = _ISO_RE.match(text)
    if match and any(match.groups()):
        parts = match.groupdict(0)
        for key in ("year", "month", "day", "hour", "minute", "second"):
            if parts[key]:
                parts[key] = int(parts[key])
        if parts["microsecond"]:
            parts["microsecond"] = int(float(parts["microsecond"]) * 1_000_000)
        if not parts["date"]:
            return dt.time(parts["hour"], parts["minute"], parts["second"], parts["microsecond"])
        if not parts["time"]:
            return dt.date(parts["year"], parts["month"], parts["day"])
        del parts["time"], parts["date"]
        return dt.datetime(**parts)
    match = _ISO_DURATION_RE.match(text)
    if match and any(match.groups()):
        return dt.timedelta(**{key: float(val) if val else 0 for key, val in match.groupdict(0).items()})
    raise ValueError(f"Invalid datetime value {text}")
