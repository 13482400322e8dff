"""The shortcuts that make a resident import faster change nothing a row is told or what is written.

Each shortcut is checked against the work it saves: empty and missing cells against ``clean_cell``, the
remembered coded cells, identity numbers and phones against a fresh validation (refusals included), the
importer's scope memory against ``UserScope``, the positional resident constructor against
``Resident(**data)``, the coded fields ``resident_build`` does not re-check against ``full_clean``; and
files whose rows are in scope, then out of it, then in it again, through both import paths.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from jiceng.accounts.scope import UserScope
from jiceng.core import crypto, validators
from jiceng.imports import services
from jiceng.imports.importers import IMPORTERS, ResidentImporter
from jiceng.imports.importers.base import EMPTY_CELL, Importer, ImportScope
from jiceng.people import services as people_services
from jiceng.people.models import Resident
from jiceng.people.services import id_hash_for
from jiceng.territory.models import Area, Building, Household

from .helpers import RESIDENT_HEADER, grid_and_building, new_id, run, write, xlsx_bytes
from .test_import_fast_path import messy_rows, run_and_undo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- cells ---------------------------------------------------------------------------------------


def _slow_clean(importer: Importer, raw: dict):
    """``Importer.clean`` without its shortcuts: ``clean_cell`` on every column, in order."""
    values, errors, warnings = {}, [], []
    for col in importer.columns:
        try:
            cleaned = importer.clean_cell(col, raw.get(col.key), warnings)
        except ValidationError as exc:
            errors.append((col.key, exc.messages[0]))
            continue
        if col.required and cleaned in (None, "", []):
            errors.append((col.key, f"“{col.header}”为必填项。"))
            continue
        values[col.key] = cleaned
    return values, errors, warnings


@pytest.mark.parametrize("kind", list(IMPORTERS))
def test_empty_cells_take_the_value_clean_cell_gives_them(kind):
    importer = IMPORTERS[kind](None)
    for col in importer.columns:
        for empty in (None, ""):
            expected = importer.clean_cell(col, empty, [])
            assert (EMPTY_CELL[col.type] if col.type != "list" else []) == expected, (kind, col.key, empty)


MESSY_CELLS = [
    {"name": "张  三", "id_number": " 341103199501019010 ", "phone": "+86 138-0000-0000", "grid": "文昌花园第1网格",
     "ethnicity": "汉", "relation_to_head": "户主", "gender": None, "room": "2-301", "building": "3栋"},
    {"name": "", "id_number": "341103199501019011", "phone": "12345", "grid": "", "ethnicity": "火星族",
     "relation_to_head": 1, "gender": "", "room": None, "building": None},
    {"name": "李四", "id_number": 3.41103199501019e17, "phone": 13800000000.0, "grid": "34110300301201",
     "ethnicity": "01", "relation_to_head": "户主", "gender": "女", "room": "", "building": ""},
]  # fmt: skip


@pytest.mark.parametrize("kind", list(IMPORTERS))
def test_clean_gives_what_clean_cell_gives_on_every_column(kind):
    """Files with all, some and few of the template's columns, with good, bad and empty cells, twice
    (the second time the coded cells come from memory)."""
    importer = IMPORTERS[kind](None)
    all_keys = [c.key for c in importer.columns]
    for keys in (all_keys, all_keys[::2], all_keys[:3], ["id_number", "name", "grid", "ethnicity"]):
        for _ in range(2):
            for cells in MESSY_CELLS:
                raw = {k: cells.get(k) for k in keys}
                fast, slow = Importer.clean(importer, raw), _slow_clean(importer, raw)
                assert fast == slow, (kind, keys, raw)
                assert list(fast[1]) == list(slow[1])  # errors in column order


def test_a_bad_coded_cell_is_refused_every_time(personas):
    grid, b = grid_and_building()
    rows = [RESIDENT_HEADER] + [
        [f"码{i}", new_id(900 + i), "", grid.code, b.number, f"6-7{i:02d}", "汉族" if i % 2 else "火星族", "户主"]
        for i in range(6)
    ]
    job = run(personas.wenchang_worker, "residents", "码.xlsx", xlsx_bytes(rows), mode="valid_rows")
    assert (job.created_rows, job.rejected_rows) == (3, 3)
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "民族"), (4, "民族"), (6, "民族")]
    assert len({e["message"] for e in job.errors}) == 1 and "火星族" in job.errors[0]["message"]


# --- validators remembered for an import -------------------------------------------------------


def test_remembered_id_numbers_and_phones_answer_like_a_fresh_validation():
    good = new_id(900)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    expected = validators.validate_id_number(good)
    with validators.remembering_accepted_values():
        first = validators.validate_id_number(good)
        first.warnings.append("changed by a caller")
        again = validators.validate_id_number(good)
        assert again == expected and again is not first
        for _ in range(2):
            with pytest.raises(ValidationError) as exc:
                validators.validate_id_number(bad)
            assert exc.value.messages == ["身份证号校验位不正确，请核对是否录入有误。"]
            with pytest.raises(ValidationError) as exc:
                validators.validate_phone("12345")
            assert "格式不正确" in exc.value.messages[0]
        assert validators.validate_phone("0550 1234567") == validators.validate_phone("0550 1234567") == "0550-1234567"
        # A date checked against another day is not answered from memory.
        with pytest.raises(ValidationError):
            validators.validate_id_number(good, today=dt.date(1989, 12, 31))
        memo = validators.remembered_values()
        assert memo is not None and not any(bad in str(k) for k in memo)  # refusals are never remembered
    assert validators.remembered_values() is None  # nothing outlives the block


def test_remembered_values_are_dropped_when_the_memory_is_full(monkeypatch):
    monkeypatch.setattr(validators, "_MEMO_SIZE", 3)
    numbers = [new_id(900 + i) for i in range(5)]
    with validators.remembering_accepted_values():
        for n in numbers:
            assert validators.validate_id_number(n).number == n
        assert len(validators.remembered_values()) <= 3
        assert [validators.validate_id_number(n).number for n in numbers] == numbers


def test_lookup_hash_is_the_hmac_sha256_hex_digest(settings):
    key = crypto._hmac_key(settings.JICENG_FIELD_KEY)
    for value in ("id:341103199501019010", "phone:13800000000", "", "中文"):
        assert crypto.lookup_hash(value) == hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


# --- scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["wenchang_worker", "grid_wc01", "longpan_admin", "resident_demo"])
def test_import_scope_answers_like_the_user_scope(personas, username):
    user = getattr(personas, username)
    plain = UserScope.for_user(user)
    importer = ResidentImporter(user)
    assert isinstance(importer.actor.scope, ImportScope) and importer.actor.scope.grants == plain.grants
    paths = list(Area.objects.values_list("path", flat=True)[:400]) + ["", "9999"]
    perms = ["people.add_resident", "territory.add_household", "territory.change_household", "people.delete_resident"]
    for _ in range(2):  # the second time from memory
        for path in paths:
            for perm in perms:
                assert importer.actor.scope.covers_path(path, perm) == plain.covers_path(path, perm), (path, perm)


def _in_out_in_rows(grid, b, far_grid, far_b, base: int):
    rows = [RESIDENT_HEADER]
    for i, (g, bb) in enumerate([(grid, b), (far_grid, far_b), (grid, b), (far_grid, far_b), (grid, b)] * 5):
        rows.append([f"界{i}", new_id(base + i), "", g.code, bb.number, f"9-{900 + i}", "汉族", "户主"])
    return rows


@pytest.mark.parametrize("fast_min", [1, 10**9], ids=["batch", "row-by-row"])
def test_a_grid_in_scope_then_out_of_scope_then_in_again(personas, settings, fast_min):
    """Remembered look-ups never let a row past the scope check: the same out-of-scope grid is refused
    on every row that names it, whatever the rows before it."""
    settings.JICENG_IMPORT_FAST_MIN_ROWS = fast_min
    grid, b = grid_and_building()
    far = Area.objects.filter(kind="grid", name__startswith="陡岗").order_by("code").first()
    far_b = far.buildings.order_by("id").first()
    rows = _in_out_in_rows(grid, b, far, far_b, 900)
    job = run(personas.wenchang_worker, "residents", "界.xlsx", xlsx_bytes(rows), mode="valid_rows", batch_size=10)
    assert (job.created_rows, job.rejected_rows) == (15, 10)
    assert {(e["column"], e["message"]) for e in job.errors} == {("所属网格", "目标不在您的管辖范围内，操作被拒绝。")}
    assert sorted(e["row"] for e in job.errors) == [i + 2 for i in range(25) if i % 5 in (1, 3)]
    assert not Household.objects.filter(building=far_b, room__startswith="9-9").exists()
    assert not Resident.objects.filter(name__startswith="界", grid=far).exists()


def test_a_grid_worker_file_naming_a_sibling_grid(personas, settings):
    settings.JICENG_IMPORT_FAST_MIN_ROWS = 1
    worker = personas.grid_wc01
    grid = Area.objects.get(pk=worker.scope.grants[0].area_id)
    b = Building.objects.filter(grid=grid).order_by("id").first()
    sibling = Area.objects.filter(kind="grid", path__startswith=grid.path[:-4]).exclude(pk=grid.pk).first()
    sb = Building.objects.filter(grid=sibling).order_by("id").first()
    rows = _in_out_in_rows(grid, b, sibling, sb, 930)
    job = run(worker, "residents", "网格员.xlsx", xlsx_bytes(rows), mode="valid_rows", batch_size=25)
    assert (job.created_rows, job.rejected_rows) == (15, 10), job.errors[:2]
    assert not Resident.objects.filter(name__startswith="界", grid=sibling).exists()


# --- both paths, update / skip, existing dwellings ----------------------------------------------


@pytest.mark.parametrize("on_existing", ["skip", "update"])
def test_fast_path_skips_and_updates_like_the_row_path(personas, settings, on_existing):
    content = xlsx_bytes(messy_rows())
    user = personas.wenchang_worker
    settings.JICENG_IMPORT_FAST_MIN_ROWS = 10**9
    slow = run_and_undo(user, content, mode="valid_rows", batch_size=20, on_existing=on_existing)
    settings.JICENG_IMPORT_FAST_MIN_ROWS = 1
    fast = run_and_undo(user, content, mode="valid_rows", batch_size=20, on_existing=on_existing)
    assert fast == slow
    assert slow[0]["updated_rows" if on_existing == "update" else "skipped_rows"] >= 1


def test_rows_moving_into_registered_dwellings(personas, settings):
    """Dwellings already registered — and, in sibling buildings, rooms with the same numbers — are
    found per batch exactly as the row path finds them."""
    grid, b = grid_and_building()
    buildings = list(Building.objects.filter(grid=grid).order_by("id"))
    taken = list(Household.objects.filter(building__grid=grid).select_related("building").order_by("id")[:3])
    assert taken and len(buildings) >= 2
    rows = [RESIDENT_HEADER]
    for i, h in enumerate(taken):
        other = next(x for x in buildings if x.pk != h.building_id)
        rows.append([f"入{i}", new_id(900 + i), "", grid.code, h.building.number, h.room, "汉族", "子女"])
        rows.append([f"邻{i}", new_id(910 + i), "", grid.code, other.number, h.room, "汉族", "户主"])
    for i in range(20):
        rows.append([f"补{i}", new_id(920 + i), "", grid.code, b.number, f"8-8{i:02d}", "汉族", "户主"])
    content = xlsx_bytes(rows)
    settings.JICENG_IMPORT_FAST_MIN_ROWS = 10**9
    slow = run_and_undo(personas.wenchang_worker, content, mode="valid_rows")
    settings.JICENG_IMPORT_FAST_MIN_ROWS = 1
    fast = run_and_undo(personas.wenchang_worker, content, mode="valid_rows")
    assert fast == slow and slow[0]["created_rows"] == len(rows) - 1
    job = run(personas.wenchang_worker, "residents", "入.xlsx", content, mode="valid_rows")
    for i, h in enumerate(taken):
        joined = Resident.objects.get(id_hash=id_hash_for(rows[1 + 2 * i][1]))
        assert joined.household_id == h.pk
        neighbour = Resident.objects.get(id_hash=id_hash_for(rows[2 + 2 * i][1]))
        assert neighbour.household.building_id != h.building_id and neighbour.household.room == h.room
    assert job.created_rows == len(rows) - 1


# --- the service -------------------------------------------------------------------------------


def _data(household, **over):
    data = {"name": "王五", "id_number": new_id(990), "phone": "13800000001", "ethnicity": "01",
            "relation_to_head": "10", "household": household, "occupation": "教师"}  # fmt: skip
    return {**data, **over}


def test_new_resident_is_the_instance_the_keyword_constructor_makes(personas):
    household = Household.objects.order_by("id").first()
    data = _data(household, birth_date=dt.date(1990, 1, 1), is_deceased=False)
    fast, slow = people_services._new_resident(data), Resident(**data)
    fields = [f.attname for f in Resident._meta.concrete_fields]
    assert [getattr(fast, f) for f in fields] == [getattr(slow, f) for f in fields]
    assert fast.household is household and fast._state.adding and fast.pk is None
    assert people_services._new_resident({}).__dict__.keys() == Resident().__dict__.keys()


def test_resident_build_checks_what_full_clean_checks(personas):
    user = personas.wenchang_worker
    household = Household.objects.filter(scope_path__startswith=user.scope.grants[0].area_path).first()
    assert not people_services._unique_checks_beyond_pk(people_services._BUILD_EXCLUDE)
    assert people_services._unique_checks_beyond_pk(frozenset())  # id_hash
    assert {"ethnicity", "political_status", "relation_to_head", "id_type"} <= set(people_services._coded_fields())

    def refusal(**over):
        with pytest.raises(ValidationError) as exc:
            people_services.resident_build(actor=user, **_data(household, **over))
        return exc.value.message_dict

    outside = {k: refusal(**bad) for k, bad in {"e": {"ethnicity": "zz"}, "r": {"relation_to_head": "zz"}}.items()}
    with validators.remembering_accepted_values():
        for _ in range(3):  # accepted values are remembered; bad ones are refused as before, every time
            people_services.resident_build(actor=user, **_data(household))
            assert {"e": refusal(ethnicity="zz"), "r": refusal(relation_to_head="zz")} == outside
            assert refusal(name="x" * 51)["name"]  # uncoded fields are always checked
            assert refusal(former_name="y" * 51)["former_name"]
    assert set(outside["e"]) == {"ethnicity"} and set(outside["r"]) == {"relation_to_head"}


# --- progress estimate --------------------------------------------------------------------------


def test_row_estimate_of_xlsx_files(tmp_path):
    rows = [["姓名", "身份证号"]] + [[f"人{i}", str(i)] for i in range(3000)]
    with_dimension = write(tmp_path, "a.xlsx", xlsx_bytes(rows))
    assert services.estimate_rows(with_dimension, "a.xlsx") == 3001
    wb = Workbook(write_only=True)  # writes no <dimension>
    ws = wb.create_sheet("居民")
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    without = write(tmp_path, "b.xlsx", buf.getvalue())
    assert services.estimate_rows(without, "b.xlsx") == 3001  # small: counted
    big = [["姓名", "身份证号", "地址"]] + [[f"人{i}", f"3411031995{i:08d}", "滁州市南谯区" * 5] for i in range(30000)]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民")
    for r in big:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    estimate = services.estimate_rows(write(tmp_path, "c.xlsx", buf.getvalue()), "c.xlsx")
    assert abs(estimate - 30001) < 30001 * 0.05
    assert services.estimate_rows(write(tmp_path, "d.xlsx", b"not a zip"), "d.xlsx") == 0
