"""Reading uploaded 台账: .xlsx/.xlsm/.xlsb/.xls/.ods through python-calamine (Rust calamine), .csv line by line.

``read_rows`` yields ``(row number as Excel shows it, [cell values])`` for the first worksheet: blank
rows included (numbered), empty cells ``None``, numbers ``int`` when Excel wrote an integer and
``float`` otherwise, dates and times as ``datetime``/``date``/``time``/``timedelta``, booleans ``bool``.
One thing calamine loses is put back: an integer of 16 or more digits typed into a number cell
(an ID number stored as a number: WPS, pandas and most exporters keep all 18 digits in the XML, a
double cannot) is read again from the sheet's XML, so ``core.excel.clean_id_number`` can recover it.

Hostile files are refused before they are read, with a Chinese reason (:func:`inspect_upload`): the
zip's members (total uncompressed size, and a compression ratio no spreadsheet has), the shared-string
table, and the first sheet's declared dimension (rows, columns, cells). What cannot be seen before
reading (cells far apart without a dimension, a damaged .xls) is bounded by :func:`read_rows_bounded`:
the rows are read by a forked child with limits on address space and CPU time, which dies with the
importing process (``PR_SET_PDEATHSIG`` on Linux, and a pipe from the parent everywhere).
"""

from __future__ import annotations

import codecs
import csv
import os
import posixpath
import re
import resource
import signal
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings

from jiceng.core.excel import FileFormatError

__all__ = ["FileFormatError", "inspect_upload", "read_rows", "read_rows_bounded", "sniff_encoding"]

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv")
_ZIP_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".ods")
_OOXML_SUFFIXES = (".xlsx", ".xlsm")

# What an honest 台账 stays within (a hostile file is refused before it is read). Rows: a million, as
# Excel's sheet has; columns: the templates have under 40; the uncompressed sizes are far above what
# a million-row sheet needs, and no spreadsheet part compresses 200-fold (XML of a real sheet: 5-20×).
MAX_ROWS = 1_000_000
MAX_COLUMNS = 256
MAX_CELLS = 20_000_000
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell; also the CSV field limit
MAX_UNCOMPRESSED_BYTES = 1 << 30
MAX_SHARED_STRINGS_BYTES = 256 << 20
MAX_RATIO = 200
_RATIO_FLOOR = 16 << 20  # members smaller than this are not asked about their ratio

_XLSX_MESSAGE = "无法读取该 Excel 文件（{}），请确认是 .xlsx 格式且未加密。"
_SHEET_HEAD_BYTES = 1 << 16
_DIMENSION_RE = re.compile(
    rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"\$?([A-Za-z]{0,3})\$?(\d*)(?::\$?([A-Za-z]{0,3})\$?(\d*))?\""
)
_LONG_INTEGER_RE = re.compile(rb"v>(-?\d{16,})</")
_CELL_TAG_RE = re.compile(rb"^<(?:\w+:)?c\s([^>]*)>$")
_ATTR_RE = re.compile(rb"\b(r|t)=\"([^\"]*)\"")
_REF_RE = re.compile(r"^([A-Za-z]{1,3})(\d+)$")
_RELATION_ID = re.compile(r"}id$")


def _reader_limits() -> tuple[int, int]:
    """(address space the reader may add, in bytes; CPU seconds) for one upload."""
    memory = getattr(settings, "JICENG_IMPORT_READER_MEMORY_MB", 1024) << 20
    cpu = getattr(settings, "JICENG_IMPORT_READER_CPU_SECONDS", 300)
    return memory, cpu


# --- before reading ----------------------------------------------------------------------------


def _suffix(path: Path, filename: str | None) -> str:
    suffix = Path(filename or path.name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FileFormatError(
            f"不支持的文件类型“{suffix or '无扩展名'}”，请上传 .xlsx、.xls、.xlsb、.ods 或 .csv 文件。"
        )
    return suffix


def inspect_upload(path: str | Path, filename: str | None = None) -> dict:
    """Refuse, with a Chinese reason, a file whose size once unpacked, shared strings or declared
    dimension no honest 台账 has. Cheap: the zip directory and the sheet's first 64 KiB only.
    Returns what it learnt (``sheet``: the first worksheet's part in an .xlsx, ``rows``: its
    declared last row) for the reader."""
    path = Path(path)
    suffix = _suffix(path, filename)
    if suffix not in _ZIP_SUFFIXES:
        return {}
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileFormatError(_XLSX_MESSAGE.format(type(exc).__name__)) from exc
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise FileFormatError(
                    f"文件中的“{info.filename}”解压后达 {_mb(info.file_size)}，是压缩后的 "
                    f"{info.file_size // max(info.compress_size, 1)} 倍，正常表格不会如此，已拒绝读取（疑似压缩炸弹）。"
                )
        if total > MAX_UNCOMPRESSED_BYTES:
            raise FileFormatError(
                f"文件解压后共 {_mb(total)}，超过上限 {_mb(MAX_UNCOMPRESSED_BYTES)}，已拒绝读取。请拆分为多个文件后上传。"
            )
        if suffix not in _OOXML_SUFFIXES:
            return {}
        try:
            strings, sheet = _parts(archive)
        except FileFormatError:
            raise
        except Exception as exc:  # a damaged package: calamine says what exactly when reading
            raise FileFormatError(_XLSX_MESSAGE.format(type(exc).__name__)) from exc
        if strings and strings.file_size > MAX_SHARED_STRINGS_BYTES:
            raise FileFormatError(
                f"文件的共享字符串表解压后达 {_mb(strings.file_size)}，超过上限 {_mb(MAX_SHARED_STRINGS_BYTES)}，"
                "已拒绝读取。请删除多余的内容或拆分为多个文件后上传。"
            )
        rows = None
        if sheet is not None:
            with archive.open(sheet) as fh:
                head = fh.read(_SHEET_HEAD_BYTES)
            rows = _check_dimension(head)
        return {"sheet": sheet.filename if sheet is not None else None, "rows": rows}


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB" if size >= 1 << 20 else f"{size / 1024:,.0f} KB"


def _parts(archive: zipfile.ZipFile) -> tuple[zipfile.ZipInfo | None, zipfile.ZipInfo | None]:
    """(the shared-string part, the first worksheet's part) of an .xlsx, by its relationships."""
    names = {info.filename: info for info in archive.infolist()}
    for name in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/workbook.xml"):
        if name in names and names[name].file_size > _RATIO_FLOOR:
            raise FileFormatError(f"文件中的“{name}”大于正常表格的该部分，已拒绝读取。")
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return names.get("xl/sharedStrings.xml"), None
    rels = {}
    for rel in _xml(archive, "xl/_rels/workbook.xml.rels"):
        target = rel.get("Target") or ""
        target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        rels[rel.get("Id")] = (rel.get("Type") or "", target)
    strings = next((names.get(t) for kind, t in rels.values() if kind.endswith("/sharedStrings")), None)
    strings = strings or names.get("xl/sharedStrings.xml")
    for element in _xml(archive, "xl/workbook.xml").iter():
        if element.tag.rpartition("}")[2] != "sheet":
            continue
        rel_id = next((v for k, v in element.attrib.items() if _RELATION_ID.search(k)), None)
        kind, target = rels.get(rel_id, ("", ""))
        if target in names and "chartsheet" not in kind:
            return strings, names[target]
    return strings, None


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    data = archive.read(name)
    if b"<!DOCTYPE" in data.upper():
        raise FileFormatError(_XLSX_MESSAGE.format("DOCTYPE"))
    return ElementTree.fromstring(data)


def _check_dimension(head: bytes) -> int | None:
    """The declared last row, after refusing a dimension beyond :data:`MAX_ROWS` / :data:`MAX_COLUMNS`."""
    start = head.find(b"sheetData")
    match = _DIMENSION_RE.search(head, 0, start if start >= 0 else len(head))
    if not match:
        return None
    first_col, first_row, last_col, last_row = (g.decode() if g else "" for g in match.groups())
    last_col, last_row = last_col or first_col, last_row or first_row
    columns = _column_index(last_col) - (_column_index(first_col) if first_col else 1) + 1 if last_col else 1
    rows = int(last_row) if last_row else 0
    height = rows - (int(first_row) if first_row else 1) + 1
    ref = match.group(0).split(b'ref="')[1].rstrip(b'"').decode()
    if rows > MAX_ROWS or columns > MAX_COLUMNS or max(height, 1) * max(columns, 1) > MAX_CELLS:
        raise FileFormatError(
            f"工作表声明的范围为 {ref}（{max(rows, 0):,} 行 × {columns:,} 列），超过导入上限"
            f"（{MAX_ROWS:,} 行、{MAX_COLUMNS} 列），已拒绝读取。请删除多余的行列，或只复制数据区域到新表格后上传。"
        )
    return rows or None


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index


# --- reading -----------------------------------------------------------------------------------


def read_rows(path: str | Path, filename: str | None = None, *, on_size=None) -> Iterator[tuple[int, list]]:
    """Every row of the first worksheet as ``(row number as Excel shows it, values)``, in this process.
    ``on_size(last_row)``, if given, is told the sheet's last row once the workbook is open (the progress
    bar's total for .xls, .xlsb and .ods, whose size the importing process cannot read cheaply)."""
    path = Path(path)
    info = inspect_upload(path, filename)
    if _suffix(path, filename) == ".csv":
        yield from _read_csv(path)
    else:
        yield from _read_workbook(path, info.get("sheet"), on_size)


def _read_workbook(path: Path, sheet_part: str | None, on_size=None) -> Iterator[tuple[int, list]]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
        index = next(
            (i for i, meta in enumerate(book.sheets_metadata) if meta.typ == SheetTypeEnum.WorkSheet),
            None,
        )
        if index is None:
            raise IndexError("the workbook has no worksheet")
        sheet = book.get_sheet_by_index(index)
    except FileFormatError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's errors, and its panics (pyo3's PanicException is a BaseException)
        raise FileFormatError(_XLSX_MESSAGE.format(type(exc).__name__)) from exc
    if sheet.width > MAX_COLUMNS or sheet.total_height > MAX_ROWS:  # .xls, .ods, .xlsb: seen only now
        raise FileFormatError(
            f"工作表的数据范围为 {sheet.total_height:,} 行 × {sheet.width:,} 列，超过导入上限"
            f"（{MAX_ROWS:,} 行、{MAX_COLUMNS} 列），已拒绝读取。请删除多余的行列后上传。"
        )
    if on_size is not None and sheet.height:
        on_size(sheet.start[0] + sheet.height)
    exact = _long_integers(path, sheet_part) if sheet_part else {}
    left = [None] * sheet.start[1] if sheet.height else []
    rows = sheet.iter_rows()
    number = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a value calamine cannot give (a date past year 9999 …), panics included
            raise FileFormatError(
                f"无法读取该表格第 {number + 1} 行：有单元格的值无法识别（{type(exc).__name__}，"
                "如超出范围的日期或时间）。请检查该行的日期格式后重新上传。"
            ) from exc
        number += 1
        values = [None if value == "" else value for value in row]
        for i, value in enumerate(values):
            if type(value) is float and value.is_integer() and -(2**53) < value < 2**53:
                values[i] = int(value)
        if exact and number in exact:
            for column, integer in exact[number].items():
                i = column - 1 - len(left)
                if 0 <= i < len(values) and type(values[i]) is float and float(integer) == values[i]:
                    values[i] = integer
        yield number, left + values if left else values


def _long_integers(path: Path, part: str) -> dict[int, dict[int, int]]:
    """Integers of 16+ digits in number cells, exactly as the sheet's XML writes them: {row: {column: n}}."""
    found: dict[int, dict[int, int]] = {}
    keep = 4096
    with zipfile.ZipFile(path) as archive, archive.open(part) as fh:
        buf = b""
        while chunk := fh.read(1 << 20):
            seen = len(buf)
            buf += chunk
            for match in _LONG_INTEGER_RE.finditer(buf):
                if match.end() <= seen:
                    continue  # found in the previous round
                v_tag = buf.rfind(b"<", 0, match.start())
                c_tag = buf.rfind(b"<", 0, v_tag)
                tag = _CELL_TAG_RE.match(buf[c_tag:v_tag])
                if c_tag < 0 or not tag:
                    continue  # a formula's cached value, or a cell without attributes
                attrs = {k.decode(): v.decode() for k, v in _ATTR_RE.findall(tag.group(1))}
                ref = _REF_RE.match(attrs.get("r", ""))
                if attrs.get("t", "n") != "n" or not ref:
                    continue
                found.setdefault(int(ref.group(2)), {})[_column_index(ref.group(1))] = int(match.group(1))
            buf = buf[-keep:]
    return found


# --- csv ---------------------------------------------------------------------------------------

_CSV_ENCODINGS = "请在 Excel 或 WPS 中“另存为”CSV（UTF-8，带或不带 BOM 均可），或 GBK/GB18030 编码的 CSV。"


def sniff_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as UTF-8, else GB18030 (a superset of GBK).
    A workbook renamed .csv, a UTF-16 file, a binary file or one that is neither is refused with what it is."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise FileFormatError(
            "该文件是 Excel 工作簿，不是 CSV 文本：请把扩展名改回 .xlsx / .xls 后上传，或另存为 CSV。"
        )
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_like(head):
        raise FileFormatError(f"该 CSV 文件是 UTF-16 编码（Excel 的“Unicode 文本”），无法导入。{_CSV_ENCODINGS}")
    if _binary(head):
        raise FileFormatError(f"该文件不是文本格式的 CSV（含有二进制内容），无法导入。{_CSV_ENCODINGS}")
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a multi-byte character cut by the sample boundary
            return "utf-8"
    try:
        head.decode("gb18030")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            raise FileFormatError(_undecodable("gb18030", head[: exc.start].count(b"\n") + 1)) from None
    return "gb18030"


def _utf16_like(head: bytes) -> bool:
    """UTF-16 without a BOM: the NUL bytes of its ASCII characters, nearly all on one side of each pair."""
    nul = head.count(0)
    if nul * 10 < len(head):
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) >= nul * 0.9


def _binary(head: bytes) -> bool:
    """More than 5 % control bytes: no text file (a stray NUL in a cell is the row's error, see services)."""
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls * 20 > len(head)


def _read_csv(path: Path) -> Iterator[tuple[int, list]]:
    encoding = sniff_encoding(path)
    csv.field_size_limit(MAX_CELL_CHARS)
    number = 0
    with open(path, encoding=encoding, newline="") as fh:
        try:
            sample = fh.read(8192)
        except UnicodeDecodeError as exc:
            raise FileFormatError(_undecodable(encoding)) from exc
        fh.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(fh, dialect)
        try:
            for number, values in enumerate(reader, start=1):
                yield number, values
        except UnicodeDecodeError as exc:
            raise FileFormatError(_undecodable(encoding, number + 1)) from exc
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise FileFormatError(
                    f"CSV 文件第 {reader.line_num or number + 1} 行附近有一个超过 {MAX_CELL_CHARS:,} 个字符的单元格"
                    "（Excel 单元格的上限），多半是引号未闭合或文件不是表格。请检查该行后重新上传。"
                ) from exc
            raise FileFormatError(f"CSV 文件第 {reader.line_num or number + 1} 行格式有误，无法读取。") from exc


def _undecodable(encoding: str, row: int | None = None) -> str:
    where = f"第 {row} 行附近" if row else "开头"
    found = "UTF-8" if encoding.startswith("utf-8") else "UTF-8 或 GBK/GB18030"
    return f"CSV 文件{where}的内容不是 {found} 编码（可能是 Latin-1 等其他编码），无法识别。{_CSV_ENCODINGS}"


# --- in a bounded child ------------------------------------------------------------------------


def read_rows_bounded(path: str | Path, filename: str | None = None, *, chunk: int = 500, on_size=None):
    """:func:`read_rows`, read by a forked child process with resource limits, streamed back in chunks
    through a bounded queue (at most 8 chunks in flight: memory stays flat, and reading runs on another
    core while this process validates and writes). Same rows, same errors. The child never touches the
    database, is stopped when the reader stops early, and dies with this process. A child stopped by
    its limits comes back as a :class:`FileFormatError` saying which. Where ``fork`` is unavailable the
    rows are read here, with the same checks before reading."""
    import multiprocessing as mp
    import queue as queue_module

    try:
        ctx = mp.get_context("fork")
    except ValueError:  # pragma: no cover - not on Linux
        yield from read_rows(path, filename, on_size=on_size)
        return
    memory, cpu = _reader_limits()
    queue = ctx.Queue(maxsize=8)
    alive_r, alive_w = os.pipe()
    proc = ctx.Process(
        target=_child, args=(str(path), filename, chunk, queue, os.getpid(), alive_r, alive_w, memory, cpu), daemon=True
    )
    try:
        proc.start()
    finally:
        os.close(alive_r)
    try:
        while True:
            try:
                kind, payload = queue.get(timeout=0.5)
            except queue_module.Empty:
                if proc.exitcode is not None:
                    try:  # the last words may still be in the pipe
                        kind, payload = queue.get(timeout=0.5)
                    except queue_module.Empty:
                        raise FileFormatError(_died(proc.exitcode, memory, cpu)) from None
                else:
                    continue
            if kind == "rows":
                yield from payload
            elif kind == "size":
                if on_size is not None:
                    on_size(payload)
            elif kind == "error":
                raise FileFormatError(payload)
            else:
                return
    finally:
        os.close(alive_w)
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=5)
        queue.close()


def _died(exitcode: int, memory: int, cpu: int) -> str:
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        return f"读取该文件超过了时间上限（{cpu} 秒 CPU），已停止。请删除多余的行列或拆分为多个文件后上传。"
    if exitcode in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):  # Rust aborts when an allocation fails
        return f"读取该文件所需的内存超过了上限（{memory >> 20} MB），已停止。请删除多余的行列或拆分为多个文件后上传。"
    return f"读取该文件时读取进程意外退出（代码 {exitcode}），请确认文件未损坏后重试。"


def _die_with_parent(parent: int, alive_r: int, alive_w: int) -> None:
    """Linux: the kernel kills this process when the parent dies. Everywhere: a thread waits on a pipe
    only the parent writes to, and ends this process when it closes (the parent is gone)."""
    os.close(alive_w)
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)

    def watch():
        try:
            os.read(alive_r, 1)
        finally:
            os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _limit(memory: int, cpu: int) -> None:
    """Address space: what this (forked) process maps now plus ``memory``; CPU: ``cpu`` seconds from now."""
    try:
        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * resource.getpagesize()
    except OSError:  # pragma: no cover - no procfs
        mapped = 0
    if mapped:
        resource.setrlimit(resource.RLIMIT_AS, (mapped + memory, mapped + memory))
    used = int(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]))
    resource.setrlimit(resource.RLIMIT_CPU, (used + cpu, used + cpu + 5))


def _child(path, filename, chunk, queue, parent, alive_r, alive_w, memory, cpu) -> None:
    import faulthandler

    faulthandler.disable()  # a child stopped by its limits is reported by the parent, in Chinese
    _die_with_parent(parent, alive_r, alive_w)
    _limit(memory, cpu)
    batch: list = []
    try:
        for item in read_rows(path, filename, on_size=lambda last_row: queue.put(("size", last_row))):
            batch.append(item)
            if len(batch) >= chunk:
                queue.put(("rows", batch))
                batch = []
        queue.put(("rows", batch))
        queue.put(("end", None))
    except FileFormatError as exc:
        queue.put(("rows", batch))
        queue.put(("error", str(exc)))
    except MemoryError:
        queue.put(("rows", batch))
        queue.put(("error", _died(-signal.SIGABRT, memory, cpu)))
    except Exception as exc:  # noqa: BLE001 - reported in the importing process
        queue.put(("rows", batch))
        queue.put(("error", f"无法读取该文件（{type(exc).__name__}）。"))
    queue.close()
    queue.join_thread()
