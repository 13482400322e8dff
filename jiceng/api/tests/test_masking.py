"""Personal data leaves the API masked exactly as on screen (docs/architecture.md, “Personal data”); raw values never do."""

import pytest

from jiceng.core.masking import mask_id_number, mask_phone
from jiceng.people.models import Resident, Worker

from .conftest import node

pytestmark = pytest.mark.django_db

FORBIDDEN_KEYS = {"id_number", "phone", "id_hash", "phone_hash", "id_last4", "current_address", "hukou_address"}


def test_resident_detail_is_masked(api):
    resident = Resident.objects.filter(scope_path__startswith=node("龙蟠街道").path).exclude(phone="").first()
    response = api("longpan_admin").get(f"/api/v1/residents/{resident.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id_number_masked"] == mask_id_number(resident.id_number)
    assert body["id_number_masked"] == resident.id_number[:3] + "*" * 11 + resident.id_number[-4:]
    assert body["phone_masked"] == mask_phone(resident.phone)
    assert resident.id_number.encode() not in response.content
    assert resident.phone.encode() not in response.content
    assert resident.id_hash.encode() not in response.content
    assert not FORBIDDEN_KEYS & body.keys()


def test_resident_list_is_masked(api):
    response = api("wenchang_worker").get("/api/v1/residents/", {"page_size": 200})
    results = response.json()["results"]
    residents = Resident.objects.in_bulk([r["id"] for r in results])
    assert len(residents) == len(results) > 10
    for row in results:
        resident = residents[row["id"]]
        assert resident.id_number.encode() not in response.content
        if resident.phone:
            assert resident.phone.encode() not in response.content
        assert row["id_number_masked"] == mask_id_number(resident.id_number)
        assert not FORBIDDEN_KEYS & row.keys()


def test_own_household_is_masked_too(api, personas):
    """Even a resident reading their own household gets masked values: the API has no reveal."""
    resident = personas.resident_demo.resident
    response = api("resident_demo").get(f"/api/v1/residents/{resident.pk}/")
    assert response.status_code == 200
    assert resident.id_number.encode() not in response.content


def test_worker_phone_is_masked(api):
    worker = Worker.objects.filter(scope_path__startswith=node("文昌花园社区").path).exclude(phone="").first()
    response = api("wenchang_worker").get(f"/api/v1/workers/{worker.pk}/")
    assert response.json()["phone_masked"] == mask_phone(worker.phone)
    assert worker.phone.encode() not in response.content
    assert not FORBIDDEN_KEYS & response.json().keys()


def test_search_by_last4_and_phone_without_revealing(api):
    resident = Resident.objects.filter(scope_path__startswith=node("龙蟠街道").path).exclude(phone="").first()
    client = api("longpan_admin")

    found = client.get("/api/v1/residents/", {"id_last4": resident.id_number[-4:].lower()}).json()
    assert resident.pk in {r["id"] for r in found["results"]}
    assert all(r["id_number_masked"].endswith(resident.id_number[-4:]) for r in found["results"])

    found = client.get("/api/v1/residents/", {"phone": resident.phone}).json()
    assert resident.pk in {r["id"] for r in found["results"]}
    assert all(r["phone_masked"] == mask_phone(resident.phone) for r in found["results"])

    found = client.get("/api/v1/residents/", {"q": resident.name}).json()
    assert resident.pk in {r["id"] for r in found["results"]}


def test_search_is_scoped(api):
    yinhua = Resident.objects.filter(scope_path__startswith=node("银花街道").path).exclude(phone="").first()
    found = api("longpan_admin").get("/api/v1/residents/", {"phone": yinhua.phone}).json()
    assert yinhua.pk not in {r["id"] for r in found["results"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"phone": "12345"}, "phone"), ({"id_last4": "12a4"}, "id_last4"), ({"id_last4": "12345"}, "id_last4")],
)
def test_bad_search_values_are_400_in_chinese(api, params, field):
    response = api("longpan_admin").get("/api/v1/residents/", params)
    assert response.status_code == 400
    message = response.json()[field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
