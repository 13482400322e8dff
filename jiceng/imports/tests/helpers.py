"""Make real roster files (xlsx, csv in GBK, xls) in a temp folder, and run imports on them."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jiceng.core.validators import id_check_digit
from jiceng.imports import services
from jiceng.people.models import Resident
from jiceng.people.services import id_hash_for
from jiceng.territory.models import Area, Building

RESIDENT_HEADER = ["姓名", "身份证号", "联系电话", "所属网格", "楼栋", "房号", "民族", "与户主关系"]


def new_id(seq: int, birth: str = "19900101") -> str:
    """A valid ID number unused in the demo tree (area 340104, seq 900-999 never used by the demo)."""
    first17 = f"340104{birth}{seq:03d}"
    number = first17 + id_check_digit(first17)
    assert not Resident.objects.filter(id_hash=id_hash_for(number)).exists()
    return number


def grid_and_building(grid_code: str = "34110300301201") -> tuple[Area, Building]:
    grid = Area.objects.get(code=grid_code)
    return grid, Building.objects.filter(grid=grid).order_by("id").first()


def xlsx_bytes(rows: list[list], *, title: str | None = None, merge: str | None = None, number_format=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.merge_cells(merge or "A1:H1")
    for row in rows:
        ws.append(row)
    if number_format:
        for col, fmt in number_format.items():
            for cell in ws[col]:
                cell.number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def xls_bytes(rows: list[list]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("居民")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def run(user, kind: str, name: str, content: bytes, *, batch_size: int | None = None, **options):
    job = services.import_job_create(actor=user, kind=kind, upload=upload(name, content), enqueue=False, **options)
    return services.run_import(job, batch_size=batch_size)


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path
