"""The .xlsx files the import pages hand out: blank templates and per-row reports."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jiceng.core import excel
from jiceng.core.errors import join_messages
from jiceng.exports.xlsx import XlsxWriter, no_formula

from . import sheets
from .importers import Importer
from .models import ImportJob
from .services import issues_path

HEADER_FILL = PatternFill("solid", fgColor="C00000")
REQUIRED_FONT = Font(bold=True, color="FFFFFF")
OPTIONAL_FONT = Font(bold=True, color="FFFFFF", italic=False)
ERROR_RGB, WARNING_RGB = "FFC7CE", "FFEB9C"
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
        cell = _put(ws, 1, i, f"{col.header}*" if col.required else col.header)
        cell.fill = HEADER_FILL
        cell.font = REQUIRED_FONT if col.required else OPTIONAL_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if col.help:
            cell.comment = Comment(col.help, "jiceng")
        ws.column_dimensions[letter].width = col.width
        example = _put(ws, 2, i, _example(col))
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
            _put(lists, 1, list_col, col.header)
            for r, label in enumerate(labels, start=2):
                _put(lists, r, list_col, label)
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
        _put(notes, r, 1, line).font = Font(bold=r == 1)
    lists.sheet_state = "hidden"
    wb.save(path)
    return path


def _put(ws, row: int, column: int, value):
    """A template cell. openpyxl makes every string starting with ``=`` a formula: a string is written as
    a string cell whatever it starts with (the only formula in a template is the drop-downs' list)."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


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
    """The uploaded rows again, with 行号 and 校验结果 columns; rejected rows red, rows with notes yellow.

    Streams with bounded memory whatever the file's size: the source is read row by row, the issues
    file (written in row order by the import) is read alongside it, and the report goes out through the
    streaming writer (``jiceng.exports.xlsx``: inline strings, no shared-string table), so only the current
    row and its issues are held. Every text cell is text (never a formula), the header included, and
    text that looks like one gets a leading ``'`` as in the exports; numbers and dates read from the
    upload stay numbers and dates.
    """
    header_row = job.header_row or 1
    rolled_back = not job.applied and not job.dry_run
    passed = "通过校验（未写入：全部通过才导入，已整批回滚）" if rolled_back else "通过"
    header_issues: list[dict] = []
    with (
        _Issues(issues_path(job), header_row, header_issues) as issues,
        XlsxWriter(path, sheet_name="导入结果", fills=(ERROR_RGB, WARNING_RGB)) as ws,
    ):
        width = 0
        try:
            for number, values in sheets.read_rows_bounded(Path(job.file.path), job.original_name):
                values = list(values)
                while values and values[-1] in (None, ""):
                    values.pop()
                width = max(width, len(values))
                if number < header_row:
                    continue
                if number == header_row:
                    ws.append([_safe(v) for v in [*_pad(values, width), "行号", "校验结果"]])
                    continue
                if excel.is_blank_row(values):
                    continue
                row_issues = issues.for_row(number)
                errors = [i for i in row_issues if i["level"] == "error"]
                text = join_messages(
                    f"{'【' + i['column'] + '】' if i['column'] else ''}{i['message']}" for i in (errors or row_issues)
                )
                if errors:
                    status = "未通过：" + text
                elif row_issues:
                    status = f"{passed}（提示：{text}）"
                else:
                    status = passed
                fill = 1 if errors else (2 if row_issues else 0)
                ws.append([_safe(v) for v in [*_pad(values, width), number, status]], fill=fill)
        except excel.FileFormatError:
            ws.append(["文件无法读取", _safe(job.message)])
        issues.for_row(float("inf"))  # the header's issues may be all there is (a missing column)
        if header_issues:  # missing columns etc.
            ws.append([])
            for item in header_issues:
                ws.append([f"第 {header_row} 行（表头）", _safe(item["column"]), _safe(item["message"])])
    return path


class _Issues:
    """The import's issues file read in step with the rows: ``for_row(n)`` gives row ``n``'s issues and
    drops those of earlier rows. The import writes them in row order (a batch's issues are sorted when
    it ends), so at most one line is read ahead. The header row's issues are kept aside for the end."""

    def __init__(self, path: Path, header_row: int, header_issues: list):
        self.fh = open(path, encoding="utf-8") if path.exists() else None  # closed in __exit__
        self.header_row = header_row
        self.header_issues = header_issues
        self.ahead: dict | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.fh is not None:
            self.fh.close()

    def _next(self) -> dict | None:
        if self.ahead is None and self.fh is not None:
            for line in self.fh:
                if not line.strip():
                    continue
                item = json.loads(line)
                if item["row"] == self.header_row:
                    if len(self.header_issues) < 1000:
                        self.header_issues.append(item)
                    continue
                self.ahead = item
                break
            else:
                self.fh.close()
                self.fh = None
        return self.ahead

    def for_row(self, number) -> list[dict]:
        found = []
        while (item := self._next()) is not None and item["row"] <= number:
            self.ahead = None
            if item["row"] == number:
                found.append(item)
        return found


def _pad(values: list, width: int) -> list:
    return values + [None] * (width - len(values))


def _safe(value):
    """A report cell: text as text (``no_formula``), everything else as read."""
    return no_formula(value) if isinstance(value, str) else value
