"""The schema declares what the API validates (found by ``test_fuzz``), and ids beyond a
primary key's range are refused with a Chinese reason instead of reaching the database."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from jiceng.api.base import ID_LAST4_PATTERN, MAX_ID, PHONE_PATTERN
from jiceng.core.validators import validate_phone

from .conftest import grid_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(public=True)


def _param(schema, path, name):
    return next(p["schema"] for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_resident_filters_declare_their_formats(schema):
    assert _param(schema, "/api/v1/residents/", "id_last4") == {"type": "string", "pattern": ID_LAST4_PATTERN}
    assert _param(schema, "/api/v1/residents/", "phone") == {"type": "string", "pattern": PHONE_PATTERN}
    for path in ("/api/v1/residents/", "/api/v1/households/", "/api/v1/areas/", "/api/v1/party-members/"):
        assert _param(schema, path, "within") == {"type": "integer", "minimum": 1, "maximum": MAX_ID}, path


def test_ticket_create_declares_phone_and_non_blank_description(schema):
    props = schema["components"]["schemas"]["TicketCreateRequest"]["properties"]
    assert props["reporter_phone"]["oneOf"][0]["pattern"] == f"^$|{PHONE_PATTERN}"
    assert props["description"]["pattern"] == r"\S"


@pytest.mark.parametrize("phone", ["13800001111", "+8613800001111", "8613800001111", "0550-1234567", "05501234567"])
def test_every_phone_the_pattern_allows_is_accepted(phone):
    assert re.fullmatch(PHONE_PATTERN, phone)
    assert validate_phone(phone)


def test_within_refuses_what_is_no_node_id(api):
    client = api("longpan_admin")
    grid = grid_of("grid_wc01")
    assert client.get("/api/v1/residents/", {"within": grid.pk}).status_code == 200
    for value, message in [
        ("1.5", "输入整数。"),
        ("0", "确保该值大于或等于1。"),
        (str(10**20), f"确保该值小于或等于{MAX_ID}。"),
    ]:
        response = client.get("/api/v1/residents/", {"within": value})
        assert response.status_code == 400, value
        assert response.json() == {"within": [message]}, value


def test_a_reporter_phone_in_the_declared_format_is_accepted(api):
    from jiceng.tickets.models import Category, Ticket

    grid = grid_of("grid_wc01")
    category = Category.objects.get(service_code="201")
    body = {
        "category": category.pk,
        "description": "路灯不亮",
        "lng": (grid.min_lng + grid.max_lng) / 2,
        "lat": (grid.min_lat + grid.max_lat) / 2,
        "reporter_phone": "+8613800001111",
    }
    response = api("wenchang_worker").post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 201, response.content
    assert Ticket.objects.get(pk=response.json()["id"]).reporter_phone == "13800001111"
