"""A roster saved as .xls by LibreOffice Calc imports like one from Excel or WPS.

``files/residents-libreoffice.xls`` was written by LibreOffice itself (``files/make_libreoffice_xls.py``
regenerates it); the second test converts a fresh file with the LibreOffice on this machine, when there
is one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jiceng.people.models import Resident
from jiceng.people.services import id_hash_for

from .files.make_libreoffice_xls import convert_to_xls, soffice
from .helpers import RESIDENT_HEADER, grid_and_building, new_id, run, xlsx_bytes

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "files" / "residents-libreoffice.xls"


def _resident(number: str) -> Resident:
    return Resident.objects.get(id_hash=id_hash_for(number))


def test_a_libreoffice_xls_roster(personas):
    grid, building = grid_and_building()
    assert building.number == "1", "the fixture's rows point at building 1 of grid 34110300301201"
    assert FIXTURE.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE2 (BIFF8) workbook
    job = run(personas.wenchang_worker, "residents", FIXTURE.name, FIXTURE.read_bytes(), mode="valid_rows")
    assert (job.header_row, job.total_rows, job.accepted_rows, job.rejected_rows) == (2, 3, 2, 1), job.errors
    # Row 4: Calc kept the ID stored as a number to 15 significant digits — rejected, not guessed.
    [error] = job.errors
    assert (error["row"], error["column"]) == (4, "公民身份号码")
    assert "丢失" in error["message"]
    first = _resident("340104199001019409")
    assert (first.name, first.phone, first.household.room) == ("柳一", "13800000041", "9-901")
    third = _resident("34010419900101945X")  # full-width digits and spaces
    assert (third.name, third.phone, third.ethnicity) == ("柳三", "13800000043", "03")
    assert not Resident.objects.filter(name="柳二").exists()


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_a_file_saved_by_this_machines_libreoffice(personas, tmp_path):
    grid, building = grid_and_building()
    numbers = [new_id(960), new_id(961)]
    rows = [RESIDENT_HEADER] + [
        [f"蒋{i}", n, f"1390000096{i}", grid.code, building.number, f"8-80{i}", "汉族", "户主"]
        for i, n in enumerate(numbers)
    ]
    source = tmp_path / "花名册.xlsx"
    source.write_bytes(xlsx_bytes(rows, title="居民花名册"))
    made = convert_to_xls(source, tmp_path)
    job = run(personas.wenchang_worker, "residents", "花名册.xls", made.read_bytes())
    assert (job.accepted_rows, job.rejected_rows, job.header_row) == (2, 0, 2), job.errors
    assert [_resident(n).phone for n in numbers] == ["13900000960", "13900000961"]


def test_an_xls_import_has_a_progress_total(personas, monkeypatch):
    """An .xls (like .xlsb and .ods) is sized only by the reader child, which tells the sheet's last row
    before its rows, so the progress bar has a total instead of staying at 0 % until the end."""
    from jiceng.imports import services, sheets

    sizes = []
    rows = list(sheets.read_rows_bounded(FIXTURE, FIXTURE.name, on_size=sizes.append))
    assert sizes == [rows[-1][0]]  # the last row as Excel numbers it
    assert services.estimate_rows(FIXTURE, FIXTURE.name) == 0  # not readable cheaply in this process

    totals = []
    original = services.Progress.publish

    def spy(self, processed, total, *, force=False):
        totals.append(total)
        return original(self, processed, total, force=force)

    monkeypatch.setattr(services.Progress, "publish", spy)
    grid_and_building()
    run(personas.wenchang_worker, "residents", FIXTURE.name, FIXTURE.read_bytes(), mode="valid_rows")
    assert totals and set(totals) == {rows[-1][0] - 2}  # data rows below the header on row 2
