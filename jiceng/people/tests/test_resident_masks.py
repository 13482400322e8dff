"""``id_mask`` / ``phone_mask``: the masked forms stored with the values, so lists decrypt nothing. Every
way a resident is written keeps them equal to masking the plain values (the list shows them)."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.urls import reverse

from jiceng.core import crypto
from jiceng.core.masking import mask_id_number, mask_phone
from jiceng.core.tests.helpers import make_id
from jiceng.imports.tests.helpers import grid_and_building, new_id, run, xlsx_bytes
from jiceng.people.models import Resident
from jiceng.people.services import resident_create, resident_update
from jiceng.territory.models import Household

pytestmark = pytest.mark.django_db


def _stored_masks_match(qs) -> int:
    rows = list(qs)
    for r in rows:
        assert (r.id_mask, r.phone_mask) == (mask_id_number(r.id_number), mask_phone(r.phone)), r.pk
    return len(rows)


def test_demo_residents_carry_their_masks():
    assert _stored_masks_match(Resident.objects.order_by("?")[:300]) == 300
    assert Resident.objects.filter(id_mask="").count() == 0


def test_create_and_update_write_the_masks(personas):
    household = Household.objects.filter(building__grid__code="34110300301201").order_by("id").first()
    r = resident_create(
        actor=personas.grid_wc01, name="李面具", id_number=make_id("19900315", seq="904"), household=household,
        phone="13800001234",
    ).obj  # fmt: skip
    r.refresh_from_db()
    assert (r.id_mask, r.phone_mask) == (mask_id_number(r.id_number), "138****1234")
    resident_update(actor=personas.grid_wc01, resident=r, id_number=r.id_number, phone="")
    r.refresh_from_db()
    assert r.phone_mask == "" and r.id_mask == mask_id_number(r.id_number)


@pytest.mark.parametrize("batch_size", [500, 5])  # the batch fast path (≥ 20 rows) and row by row
def test_imported_residents_carry_their_masks(personas, batch_size):
    grid, building = grid_and_building()
    rows = [["姓名", "证件号码", "联系电话", "所属网格", "楼栋", "房号"]]
    rows += [[f"导入{i}", new_id(700 + i), f"1390000{i:04d}", grid.code, building.number, f"7-{i}"] for i in range(25)]
    job = run(personas.grid_wc01, "residents", "r.xlsx", xlsx_bytes(rows), batch_size=batch_size)
    assert job.created_rows == 25, job.errors
    assert _stored_masks_match(Resident.objects.filter(name__startswith="导入")) == 25


def test_the_list_page_decrypts_nothing(client, login, monkeypatch):
    login("longpan_admin")

    def refuse(token):
        raise AssertionError("a list page decrypted a value")

    monkeypatch.setattr(crypto, "decrypt", refuse)
    html = client.get(reverse("people:resident_list")).content.decode()
    first = (
        Resident.objects.filter(scope_path__startswith=personas_path("longpan_admin"))
        .order_by("name", "scope_path", "id")
        .values_list("id_mask", flat=True)
        .first()
    )
    assert first and first in html  # the page's first row, shown by its stored mask


def personas_path(username: str) -> str:
    from jiceng.accounts.models import User

    return min((g.area_path for g in User.objects.get(username=username).scope.grants), key=len)


def test_the_migration_fills_masks_of_existing_rows():
    fill = importlib.import_module("jiceng.people.migrations.0006_resident_masks").fill_masks
    ids = list(Resident.objects.order_by("id").values_list("id", flat=True)[:40])
    Resident.objects.filter(id__in=ids).update(id_mask="", phone_mask="")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    fill(None, editor)
    assert _stored_masks_match(Resident.objects.filter(id__in=ids)) == 40
