"""The resident import fast path (ResidentImporter.apply_batch) answers exactly like the per-row path.

Both paths run on the same messy file — new residents sharing and not sharing dwellings, bad IDs, an
unknown building, a gender that contradicts the ID, an already registered person (update), an identical
duplicate row, a row outside the user's scope — and must give the same report, the same counts and the
same database rows; the fast path writes one audit row per batch and model, and a crash mid-file keeps
the all-or-nothing / committed-batches guarantees.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from jiceng.audit.models import AuditLog
from jiceng.imports import services
from jiceng.people import services as people_services
from jiceng.people.models import Resident
from jiceng.people.services import id_hash_for
from jiceng.territory.models import Area, Building, Household

from .helpers import RESIDENT_HEADER, grid_and_building, new_id, run, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def messy_rows():
    grid, b = grid_and_building()
    other = Building.objects.filter(grid=grid).order_by("id")[1]
    far = Area.objects.filter(kind="grid", buildings__isnull=False).exclude(path__startswith=grid.path[:-4]).first()
    existing = Resident.objects.filter(grid=grid, deleted_at__isnull=True).order_by("id").first()
    rows = [RESIDENT_HEADER]
    for i in range(44):
        building = b if i % 2 else other
        room = f"7-{700 + i // 3}"  # three people per dwelling
        relation = "户主" if i % 3 == 0 else "子女"
        rows.append([f"快{i}", new_id(900 + i), f"139{i:08d}", grid.code, building.number, room, "汉族", relation])
    rows.append(["坏号", "341103199001011234", "", grid.code, b.number, "7-801", "汉族", "户主"])  # bad check digit
    rows.append(["无楼", new_id(950), "", grid.code, "不存在的楼", "7-802", "汉族", "户主"])
    male_id = new_id(951)  # odd 17th digit: male
    rows.append(["性别", male_id, "", grid.code, b.number, "7-803", "汉族", "户主", "女"])
    rows.append([existing.name, existing.id_number, "", grid.code, b.number, "7-804", "汉族", "户主"])
    rows.append(list(rows[5]))  # an identical duplicate of an earlier row
    fb = Building.objects.filter(grid=far).first()
    rows.append(["越界", new_id(952), "", far.code, fb.number, "7-805", "汉族", "户主"])  # outside the user's scope
    for i in range(6):
        rows.append([f"尾{i}", new_id(960 + i), "", grid.code, b.number, f"7-9{i:02d}", "汉族", "户主"])
    rows[0] = RESIDENT_HEADER + ["性别"]
    return rows


def snapshot_db(numbers):
    out = {}
    for n in numbers:
        r = Resident.objects.filter(id_hash=id_hash_for(n)).select_related("household").first()
        if r is None:
            out[n] = None
            continue
        h = r.household
        out[n] = (r.name, r.phone, r.gender, str(r.birth_date), r.scope_path, r.relation_to_head, h.household_no,
                  h.scope_path, h.hukou_type, h.head.id_number if h.head_id else None)  # fmt: skip
    return out


def run_and_undo(user, content, **options):
    """Run an import for real, capture its report and rows, then undo it (a savepoint rolled back)."""
    rows = xlsx_rows(content)
    numbers = [r[1] for r in rows[1:] if isinstance(r[1], str)]
    with transaction.atomic():
        job = run(user, "residents", "快.xlsx", content, **options)
        report = services.job_report(job)
        state = snapshot_db(numbers)
        households = Household.objects.count()
        transaction.set_rollback(True)
    for k in ("id",):
        report.pop(k)
    return report, state, households


def xlsx_rows(content):
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("mode", ["valid_rows", "all_or_nothing"])
def test_fast_path_reports_and_writes_like_the_row_path(personas, settings, mode):
    content = xlsx_bytes(messy_rows())
    user = personas.wenchang_worker
    settings.JICENG_IMPORT_FAST_MIN_ROWS = 10**9  # the per-row path
    slow = run_and_undo(user, content, mode=mode, batch_size=20)
    settings.JICENG_IMPORT_FAST_MIN_ROWS = 1  # the batch path
    settings.JICENG_IMPORT_BACKGROUND_READ_BYTES = 0  # and the file parsed by a helper process
    fast = run_and_undo(user, content, mode=mode, batch_size=20)
    assert slow[0]["status"] == "done"
    assert fast[0] == slow[0]
    assert fast[1] == slow[1]
    assert fast[2] == slow[2]
    # Rolled back (all-or-nothing with bad rows): the row that would have been updated was not.
    assert slow[0]["rejected_rows"] >= 4 and slow[0]["updated_rows"] == (1 if mode == "valid_rows" else 0)
    assert slow[0]["applied"] == (mode == "valid_rows")
    if mode == "valid_rows":
        assert slow[0]["created_rows"] >= 45 and sum(v is not None for v in slow[1].values()) >= 46


def test_fast_path_audits_one_row_per_batch_listing_the_ids(personas, settings):
    grid, b = grid_and_building()
    rows = [RESIDENT_HEADER] + [
        [f"批{i}", new_id(900 + i), "", grid.code, b.number, f"6-6{i:02d}", "汉族", "户主"] for i in range(50)
    ]
    settings.JICENG_IMPORT_FAST_MIN_ROWS = 1
    before = AuditLog.objects.count()
    job = run(personas.wenchang_worker, "residents", "批.xlsx", xlsx_bytes(rows), mode="valid_rows", batch_size=25)
    assert job.created_rows == 50
    logs = AuditLog.objects.filter(action="bulk_create").order_by("id")
    residents = [a for a in logs if a.detail["model"] == "people.resident"]
    households = [a for a in logs if a.detail["model"] == "territory.household"]
    assert len(residents) == 2 and len(households) == 2  # two batches of 25
    ids = [i for a in residents for i in a.detail["ids"]]
    assert sorted(ids) == sorted(Resident.objects.filter(name__startswith="批").values_list("pk", flat=True))
    assert all(a.detail["import_job"] == job.pk and a.username == "wenchang_worker" for a in residents)
    assert all(a.scope_path and grid.path.startswith(a.scope_path[: len(grid.path)]) for a in residents)
    # Heads were set (household_update's write), audited once per batch.
    assert AuditLog.objects.filter(action="bulk_update").count() == 2
    assert all(h.head_id for h in Household.objects.filter(room__startswith="6-6"))
    actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))[before:]
    assert actions == ["import_submit", *["bulk_create", "bulk_create", "bulk_update"] * 2, "import"]


def test_fast_path_crash_mid_file(personas, settings, monkeypatch):
    grid, b = grid_and_building()
    numbers = [new_id(900 + i) for i in range(60)]
    rows = [RESIDENT_HEADER] + [
        [f"崩{i}", n, "", grid.code, b.number, f"5-5{i:02d}", "汉族", "户主"] for i, n in enumerate(numbers)
    ]
    settings.JICENG_IMPORT_FAST_MIN_ROWS = 1
    original = people_services.residents_bulk_create
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed in the second batch")
        return original(**kwargs)

    monkeypatch.setattr(people_services, "residents_bulk_create", flaky)
    job = run(personas.wenchang_worker, "residents", "崩.xlsx", xlsx_bytes(rows), mode="valid_rows", batch_size=20)
    assert job.status == "failed" and job.committed_through_row == 21
    present = [Resident.objects.filter(id_hash=id_hash_for(n)).exists() for n in numbers]
    assert present == [True] * 20 + [False] * 40
    assert not Household.objects.filter(room__in=[f"5-5{i:02d}" for i in range(20, 60)]).exists()
    calls["n"] = 0
    numbers2 = [new_id(700 + i) for i in range(60)]
    rows2 = [RESIDENT_HEADER] + [
        [f"崩{i}", n, "", grid.code, b.number, f"4-4{i:02d}", "汉族", "户主"] for i, n in enumerate(numbers2)
    ]
    job = run(
        personas.wenchang_worker, "residents", "崩2.xlsx", xlsx_bytes(rows2), mode="all_or_nothing", batch_size=20
    )
    assert job.status == "failed" and not job.applied and "已全部回滚" in job.message
    assert not any(Resident.objects.filter(id_hash=id_hash_for(n)).exists() for n in numbers2)
    assert not Household.objects.filter(room__startswith="4-4").exists()


def test_a_number_registered_meanwhile_refuses_the_batch_and_keeps_the_transaction_usable(personas):
    """The batch reads which numbers are registered, then inserts; a number registered in between (a
    concurrent import or form) is refused by the unique index, not by a second look-up: the importer
    then applies that batch row by row (``BatchFallback``)."""
    grid, b = grid_and_building()
    household = Household.objects.filter(building=b).order_by("id").first()
    numbers = [new_id(600 + i) for i in range(3)]
    built = [
        people_services.resident_build(
            actor=personas.wenchang_worker, name=f"并发{i}", id_number=n, household=household
        )[0]
        for i, n in enumerate(numbers)
    ]
    people_services.resident_create(
        actor=personas.wenchang_worker, name="另一人", id_number=numbers[1], household=household
    )
    with transaction.atomic():
        with pytest.raises(people_services.DuplicateInBatch):
            people_services.residents_bulk_create(actor=personas.wenchang_worker, residents=built)
        assert Resident.objects.filter(id_hash__in=[id_hash_for(n) for n in numbers]).count() == 1  # still usable


def test_a_dwelling_taken_meanwhile_refuses_the_batch_and_keeps_the_transaction_usable(personas):
    from django.core.exceptions import ValidationError

    from jiceng.territory.services import household_build, households_bulk_create

    grid, b = grid_and_building()
    built = [household_build(actor=personas.wenchang_worker, building=b, room=f"8-8{i}") for i in range(3)]
    Household.objects.create(building=b, room="8-81", household_no="TAKEN-881", scope_path=b.scope_path)
    with transaction.atomic():
        with pytest.raises(ValidationError):
            households_bulk_create(actor=personas.wenchang_worker, households=built)
        assert Household.objects.filter(building=b, room__startswith="8-8").count() == 1  # still usable
