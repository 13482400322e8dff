"""The .xlsx files the import pages hand out: blank templates and per-row reports."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jiceng.core import excel

from . import sheets
from .importers import Importer
from .models import ImportJob
from .services import issues_path

HEADER_FILL = PatternFill("solid", fgColor="C00000")
REQUIRED_FONT = Font(bold=True, color="FFFFFF")
OPTIONAL_FONT = Font(bold=True, color="FFFFFF", italic=False)
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
TEXT = "@"


def template_workbook(importer_cls: type[Importer], path):
    """Chinese headers (required ones marked *), one example row, drop-downs for coded fields,
    ID and phone columns formatted as text, and a sheet of instructions."""
    wb = Workbook()
    ws = wb.active
    ws.title = importer_cls.label[:31].replace("/", "、")
    lists = wb.create_sheet("选项")
    list_col = 0
    for i, col in enumerate(importer_cls.columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=f"{col.header}*" if col.required else col.header)
        cell.fill = HEADER_FILL
        cell.font = REQUIRED_FONT if col.required else OPTIONAL_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if col.help:
            cell.comment = Comment(col.help, "jiceng")
        ws.column_dimensions[letter].width = col.width
        example = ws.cell(row=2, column=i, value=_example(col))
        if col.is_text_format or col.type == "id":
            example.number_format = TEXT
            for r in range(3, 1002):  # pre-format the rows people will type into
                ws.cell(row=r, column=i).number_format = TEXT
        if col.type == "date":
            example.number_format = "yyyy-mm-dd"
        labels = _choice_labels(col)
        if labels:
            list_col += 1
            list_letter = get_column_letter(list_col)
            lists.cell(row=1, column=list_col, value=col.header)
            for r, label in enumerate(labels, start=2):
                lists.cell(row=r, column=list_col, value=label)
            dv = DataValidation(
                type="list",
                formula1=f"=选项!${list_letter}$2:${list_letter}${len(labels) + 1}",
                allow_blank=not col.required,
                showErrorMessage=True,
                errorTitle="请从下拉列表中选择",
                error=f"“{col.header}”请从下拉列表中选择。",
            )
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}5000")
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 28
    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    lines = [
        f"{importer_cls.label}导入模板",
        "1. 带 * 的列为必填；第 2 行是示例，导入前请删除或覆盖。",
        "2. 列的顺序可以调整，表头也可使用常见同义词（如“身份证号”“公民身份号码”）。",
        "3. 证件号码、电话已设为文本格式：请勿改为数字格式，否则 18 位号码的后几位会丢失。",
        "4. 带下拉列表的列请从列表中选择；也可填写国家标准代码。",
        *[f"{i + 5}. {note}" for i, note in enumerate(importer_cls.notes)],
    ]
    for r, line in enumerate(lines, start=1):
        notes.cell(row=r, column=1, value=line).font = Font(bold=r == 1)
    lists.sheet_state = "hidden"
    wb.save(path)
    return path


def _choice_labels(col) -> list[str]:
    if col.type == "bool":
        return ["是", "否"]
    if col.type != "choice" or not col.choices:
        return []
    return [str(label) for code, label in col.choices if code != ""]


def _example(col):
    value = col.example
    if col.type == "choice" and value == "" and col.choices:
        return ""
    if col.type == "date" and isinstance(value, str) and value:
        return excel.clean_date(value)
    return value


def report_workbook(job: ImportJob, path):
    """The uploaded rows again, with a 校验结果 column; rejected rows red, rows with notes yellow.

    Streams: the source is read row by row and the report written with ``write_only``.
    """
    by_row: dict[int, list[dict]] = defaultdict(list)
    source = issues_path(job)
    if source.exists():
        with open(source, encoding="utf-8") as fh:
            for line in fh:
                item = json.loads(line)
                by_row[item["row"]].append(item)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("导入结果")
    header_row = job.header_row or 1
    width = 0
    try:
        rows = sheets.read_rows_bounded(Path(job.file.path), job.original_name)
        for number, values in rows:
            values = list(values)
            while values and values[-1] in (None, ""):
                values.pop()
            width = max(width, len(values))
            if number < header_row:
                continue
            if number == header_row:
                ws.append([*_pad(values, width), "行号", "校验结果"])
                continue
            if excel.is_blank_row(values):
                continue
            issues = by_row.get(number, [])
            errors = [i for i in issues if i["level"] == "error"]
            fill = ERROR_FILL if errors else (WARNING_FILL if issues else None)
            text = "；".join(
                f"{'【' + i['column'] + '】' if i['column'] else ''}{i['message']}" for i in (errors or issues)
            )
            status = ("未通过：" + text) if errors else (("通过（提示：" + text + "）") if issues else "通过")
            cells = []
            for v in [*_pad(values, width), number, status]:
                cell = WriteOnlyCell(ws, value=_safe(v))
                if fill is not None:
                    cell.fill = fill
                cells.append(cell)
            ws.append(cells)
    except excel.FileFormatError:
        ws.append(["文件无法读取", job.message])
    if header_row and header_row in by_row:  # missing columns etc.
        ws.append([])
        for item in by_row[header_row]:
            ws.append([f"第 {header_row} 行（表头）", item["column"], item["message"]])
    wb.save(path)
    return path


def _pad(values: list, width: int) -> list:
    return values + [None] * (width - len(values))


def _safe(value):
    """Text that starts like a formula is written as text (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not value[1:2].isdigit():
        return "'" + value
    return value
