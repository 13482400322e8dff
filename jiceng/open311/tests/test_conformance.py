"""Open311 GeoReport v2 conformance suite of our own (open311.org GeoReport v2): there is no maintained official one.

Every response is validated against a JSON Schema written from the specification; every XML response
is parsed with ``xml.etree`` and must carry exactly what its JSON twin carries; every error case
answers an array of ``{code, description}`` with the right HTTP status; and a request posted through
Open311 goes round the ordinary loop (services) until ``GET`` shows it closed.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from django.utils import timezone

from jiceng.open311.models import ApiKey, Open311Request
from jiceng.open311.services import DEMO_API_KEY, api_key_create, key_hash
from jiceng.territory.models import Area, Building
from jiceng.tickets import services
from jiceng.tickets.choices import CategoryKind, Channel, Status
from jiceng.tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db
BASE = "/open311/v2/"
ISO_TZ = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$"
NULLABLE_STR = {"type": ["string", "null"]}
DATETIME = {"type": "string", "pattern": ISO_TZ}

# --- JSON Schemas, one per response of the specification -----------------------------------------

DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "additionalProperties": False,
    "properties": {
        "changeset": DATETIME,
        "contact": {"type": "string", "minLength": 1},
        "key_service": {"type": "string", "minLength": 1},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "additionalProperties": False,
                "properties": {
                    "specification": {"type": "string", "pattern": "GeoReport_v2"},
                    "url": {"type": "string", "pattern": "^https?://.+/open311/v2/$"},
                    "changeset": DATETIME,
                    "type": {"enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"enum": ["text/xml", "application/json"]}, "minItems": 2},
                },
            },
        },
    },
}
SERVICES = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
        "additionalProperties": False,
        "properties": {
            "service_code": {"type": "string", "minLength": 1},
            "service_name": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": {"type": "string"},
            "group": {"type": "string"},
        },
    },
}
ATTRIBUTE = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "datatype_description", "order", "description"],
    "additionalProperties": False,
    "properties": {
        "variable": {"type": "boolean"},
        "code": {"type": "string", "minLength": 1},
        "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
        "required": {"type": "boolean"},
        "datatype_description": {"type": "string"},
        "order": {"type": "integer"},
        "description": {"type": "string"},
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "additionalProperties": False,
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
        },
    },
}
SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "additionalProperties": False,
    "properties": {"service_code": {"type": "string"}, "attributes": {"type": "array", "items": ATTRIBUTE}},
}
POST_RESPONSE = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "required": ["service_request_id", "service_notice", "account_id"],
        "additionalProperties": False,
        "properties": {
            "service_request_id": {"type": "string", "minLength": 1},
            # No "token": created synchronously, the id is known (GeoReport v2: one or the other).
            "service_notice": {"type": "string"},
            "account_id": NULLABLE_STR,
        },
    },
}
TOKEN_RESPONSE = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "required": ["service_request_id", "token"],
        "additionalProperties": False,
        "properties": {"service_request_id": NULLABLE_STR, "token": {"type": "string"}},
    },
}
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]  # fmt: skip
REQUEST = {
    "type": "object",
    "required": REQUEST_FIELDS,
    "additionalProperties": False,
    "properties": {
        "service_request_id": {"type": "string", "minLength": 1},
        "status": {"enum": ["open", "closed"]},
        "status_notes": {"type": "string"},
        "service_name": {"type": "string"},
        "service_code": {"type": "string"},
        "description": {"type": "string"},
        "agency_responsible": {"type": "string"},
        "service_notice": {"type": "string"},
        "requested_datetime": DATETIME,
        "updated_datetime": DATETIME,
        "expected_datetime": {"anyOf": [DATETIME, {"type": "null"}]},
        "address": {"type": "string"},
        "address_id": {"type": "string"},
        "zipcode": {"type": "string"},
        "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
        "media_url": {"type": "string"},
    },
}
REQUESTS = {"type": "array", "maxItems": 1000, "items": REQUEST}
ONE_REQUEST = {"type": "array", "minItems": 1, "maxItems": 1, "items": REQUEST}
ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "additionalProperties": False,
        "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}},
    },
}

# --- XML ⇄ JSON ------------------------------------------------------------------------------

LIST_TAGS = {"attributes", "values", "endpoints", "formats"}
LIST_ROOTS = {"services", "service_requests", "errors"}


def xml_to_data(element: ET.Element):
    if element.tag in LIST_ROOTS or element.tag in LIST_TAGS:
        return [xml_to_data(child) for child in element]
    if len(element):
        return {child.tag: xml_to_data(child) for child in element}
    return element.text or ""


def as_text(value):
    """JSON values as their XML text: booleans ``true``/``false``, null empty, numbers as ``str``."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def get_both(client, path, schema, expect=200, **params):
    """GET ``path.json`` and ``path.xml``; validate the JSON, and the XML against it. Returns the JSON."""
    json_response = client.get(f"{BASE}{path}.json", params)
    assert json_response.status_code == expect, json_response.content.decode()
    assert json_response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(json_response.content.decode("utf-8"))
    jsonschema.validate(data, schema)
    xml_response = client.get(f"{BASE}{path}.xml", params)
    assert xml_response.status_code == expect
    assert xml_response["Content-Type"] == "text/xml; charset=utf-8"
    assert xml_response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(xml_response.content)
    assert xml_to_data(root) == as_text(data)
    return data


def post_both(client, data, schema, status):
    """POST ``requests.json`` and ``requests.xml`` with the same form; returns both bodies (JSON, XML root)."""
    json_response = client.post(f"{BASE}requests.json", data)
    assert json_response.status_code == status, json_response.content.decode()
    body = json.loads(json_response.content.decode("utf-8"))
    jsonschema.validate(body, schema)
    xml_response = client.post(f"{BASE}requests.xml", data)
    assert xml_response.status_code == status, xml_response.content.decode()
    root = ET.fromstring(xml_response.content)
    parsed = xml_to_data(root)
    assert len(parsed) == len(body)
    for xml_item, json_item in zip(parsed, body, strict=True):
        assert set(xml_item) == set(json_item)
        if "code" in json_item:  # errors are identical in both formats
            assert xml_item == as_text(json_item)
    return body, root


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def grid01(db):
    from jiceng.testing.personas import persona

    grant = persona("grid_wc01").grants.select_related("area").get()
    return grant.area


@pytest.fixture
def building(grid01):
    return Building.objects.filter(grid=grid01).order_by("pk").first()


@pytest.fixture
def form(building):
    return {
        "api_key": DEMO_API_KEY,
        "service_code": "203",
        "lat": str(building.lat),
        "long": str(building.lng),
        "description": "楼道堆放杂物，影响通行。联系我 13900001111",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13900001111",
        "email": "wxm@example.com",
        "device_id": "dev-1",
        "account_id": "acc-42",
        "media_url": "https://example.com/p/1.jpg",
    }


# --- the demo key ----------------------------------------------------------------------------


def test_seed_demo_created_the_demo_key_as_a_hash():
    key = ApiKey.objects.get(key_hash=key_hash(DEMO_API_KEY))
    assert key.is_active and key.owner.username == "qu_admin"
    assert DEMO_API_KEY not in key.key_hash and key.key_prefix == DEMO_API_KEY[:6]
    from jiceng.open311.services import ensure_demo_api_key

    assert ensure_demo_api_key(log=lambda *_: None).pk == key.pk  # idempotent
    assert ApiKey.objects.filter(key_hash=key_hash(DEMO_API_KEY)).count() == 1


# --- 0–2: discovery, services, service definitions --------------------------------------------


def test_discovery_both_formats(client):
    data = get_both(client, "discovery", DISCOVERY)
    assert data["endpoints"][0]["url"] == "http://testserver/open311/v2/"


def test_services_list_service_code_is_a_string(client):
    data = get_both(client, "services", SERVICES)
    codes = {s["service_code"]: s for s in data}
    assert codes["001"]["service_name"] == "政策咨询"  # "001", not 1 (the spec examples' trap)
    assert codes["001"]["group"] == "咨询" and codes["001"]["metadata"] is False
    assert codes["302"]["metadata"] is True
    assert len(data) == Category.objects.filter(is_active=True).count()
    raw = client.get(f"{BASE}services.json").content.decode()
    assert '"service_code": "001"' in raw


def test_service_definition_with_values(client):
    data = get_both(client, "services/302", SERVICE_DEFINITION)
    assert data["service_code"] == "302"
    (attr,) = data["attributes"]
    assert attr["code"] == "hazard_type" and attr["required"] is True and attr["datatype"] == "singlevaluelist"
    assert {"key": "gas", "name": "燃气"} in attr["values"]


def test_service_definition_without_metadata_has_no_attributes(client):
    assert get_both(client, "services/001", SERVICE_DEFINITION)["attributes"] == []


def test_jurisdiction_id_ours_accepted_other_unknown_empty_ignored(client):
    get_both(client, "services", SERVICES, jurisdiction_id="341103")
    get_both(client, "services", SERVICES, jurisdiction_id="")
    get_both(client, "services", ERRORS, expect=404, jurisdiction_id="110101")


# --- 3–6: the round trip ---------------------------------------------------------------------


def test_round_trip_post_get_transition_closed(client, form, personas, grid01):
    body, root = post_both(client, form, POST_RESPONSE, 201)
    number = body[0]["service_request_id"]
    assert body[0]["account_id"] == "acc-42" and number in body[0]["service_notice"]
    assert root.tag == "service_requests" and root[0].tag == "request"
    ticket = Ticket.objects.get(ticket_no=number)
    assert ticket.channel == Channel.OPEN311 and ticket.status == Status.PENDING_ACCEPT
    assert ticket.grid_id == grid01.pk and ticket.reporter_name == "王小明"
    extra = ticket.open311
    assert extra.email == "wxm@example.com" and extra.media_url == "https://example.com/p/1.jpg"

    # 4: the answer carries the id and no token; the token stored with the request resolves to the same id.
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    assert [child.tag for child in root[0]] == ["service_request_id", "service_notice", "account_id"]
    tokens = get_both(client, f"tokens/{extra.token}", TOKEN_RESPONSE)
    assert tokens[0]["service_request_id"] == number

    # 6: array of one, every field, open, times with +08:00, no reporter data.
    (row,) = get_both(client, f"requests/{number}", ONE_REQUEST)
    assert row["status"] == "open" and row["status_notes"] == "待受理。"
    assert row["service_code"] == "203" and row["service_name"] == "环境卫生"
    assert row["requested_datetime"].endswith("+08:00")
    assert row["media_url"] == "https://example.com/p/1.jpg"
    assert row["lat"] == pytest.approx(ticket.lat) and row["long"] == pytest.approx(ticket.lng)
    raw = client.get(f"{BASE}requests/{number}.json").content.decode()
    assert "13900001111" not in raw and "小明" not in raw and "wxm@" not in raw
    assert "139****1111" in row["description"]

    # The ordinary loop, through the services.
    worker, community = personas.grid_wc01, personas.wenchang_worker
    t = services.ticket_transition(actor=worker, ticket=ticket, action="accept")
    grid_org = t.handler_org
    t = services.ticket_transition(actor=worker, ticket=t, action="dispatch", lead_org=grid_org.pk)
    t = services.ticket_transition(actor=worker, ticket=t, action="sign")
    (row,) = get_both(client, f"requests/{number}", ONE_REQUEST)
    assert row["status"] == "open" and grid_org.name in row["status_notes"]
    assert row["agency_responsible"] == grid_org.name and row["expected_datetime"].endswith("+08:00")
    t = services.ticket_transition(actor=worker, ticket=t, action="complete", reply="已清理楼道杂物。")
    t = services.ticket_transition(actor=community, ticket=t, action="verify_pass")
    assert t.status == Status.CLOSED
    (row,) = get_both(client, f"requests/{number}", ONE_REQUEST)
    assert row["status"] == "closed" and row["status_notes"] == "已结案。答复：已清理楼道杂物。"
    assert row["expected_datetime"] is None

    # 5: found by id list, by code and status; not among the open ones.
    found = get_both(client, "requests", REQUESTS, service_request_id=f"{number},NOPE")
    assert [r["service_request_id"] for r in found] == [number]
    closed = get_both(client, "requests", REQUESTS, service_code="203", status="closed")
    assert number in {r["service_request_id"] for r in closed}
    still_open = get_both(client, "requests", REQUESTS, service_code="203,201", status="open")
    assert number not in {r["service_request_id"] for r in still_open}
    assert all(r["status"] == "open" and r["service_code"] in ("203", "201") for r in still_open)


def test_post_with_multi_and_single_attributes(client, form, personas):
    category = Category.objects.get(service_code="302")
    category.attributes = [
        *category.attributes,
        {"variable": True, "code": "floors", "datatype": "multivaluelist", "required": False, "order": 2,
         "description": "楼层", "values": [{"key": "1", "name": "一楼"}, {"key": "2", "name": "二楼"}]},
    ]  # fmt: skip
    category.save()
    data = {**form, "service_code": "302", "attribute[hazard_type]": "gas", "attribute[floors][]": ["1", "2"]}
    body, _ = post_both(client, data, POST_RESPONSE, 201)
    extra = Open311Request.objects.get(ticket__ticket_no=body[0]["service_request_id"])
    assert extra.attributes == {"hazard_type": "gas", "floors": ["1", "2"]}


def test_post_by_address_id_and_address_string(client, form, building):
    base = {k: v for k, v in form.items() if k not in ("lat", "long")}
    body, _ = post_both(client, {**base, "address_id": str(building.pk)}, POST_RESPONSE, 201)
    ticket = Ticket.objects.get(ticket_no=body[0]["service_request_id"])
    assert ticket.building_id == building.pk
    (row,) = get_both(client, f"requests/{ticket.ticket_no}", ONE_REQUEST)
    assert row["address_id"] == str(building.pk) and row["address"] == building.address
    unique = Building.objects.filter(address=building.address).count() == 1
    if unique:
        body, _ = post_both(client, {**base, "address_string": building.address}, POST_RESPONSE, 201)
        assert Ticket.objects.get(ticket_no=body[0]["service_request_id"]).building_id == building.pk


def test_empty_optional_parameters_are_absent(client, form):
    data = {**form, "email": "", "device_id": "", "account_id": "", "media_url": "", "address_string": "",
            "address_id": "", "jurisdiction_id": ""}  # fmt: skip
    body, _ = post_both(client, data, POST_RESPONSE, 201)
    assert body[0]["account_id"] is None
    everything = get_both(client, "requests", REQUESTS)
    same = get_both(client, "requests", REQUESTS, status="", service_code="", start_date="", end_date="")
    assert everything == same


def test_report_kind_is_not_public_but_readable_with_its_key(client, form):
    body, _ = post_both(client, {**form, "service_code": "301"}, POST_RESPONSE, 201)
    number = body[0]["service_request_id"]
    get_both(client, f"requests/{number}", ERRORS, expect=404)
    assert get_both(client, f"requests/{number}", ONE_REQUEST, api_key=DEMO_API_KEY)[0]["service_code"] == "301"
    public = get_both(client, "requests", REQUESTS, service_code="301")
    assert public == []


def test_requests_default_window_is_90_days_and_capped(client):
    rows = get_both(client, "requests", REQUESTS)
    assert rows, "the demo history has recent requests"
    since = timezone.now() - dt.timedelta(days=90, minutes=1)
    assert all(dt.datetime.fromisoformat(r["requested_datetime"]) >= since for r in rows)
    assert len(rows) <= 1000
    expected = (
        Ticket.objects.exclude(status=Status.DRAFT)
        .exclude(category__kind=CategoryKind.REPORT)
        .filter(submitted_at__gte=since)
        .count()
    )
    assert len(rows) == min(expected, 1000)
    ordered = [r["requested_datetime"] for r in rows]
    assert ordered == sorted(ordered, reverse=True)


def test_requests_date_window(client):
    end = timezone.localtime() - dt.timedelta(days=100)
    start = end - dt.timedelta(days=30)
    rows = get_both(
        client, "requests", REQUESTS, start_date=start.isoformat(timespec="seconds"),
        end_date=end.isoformat(timespec="seconds"),
    )  # fmt: skip
    for r in rows:
        assert start <= dt.datetime.fromisoformat(r["requested_datetime"]) <= end


# --- every error case ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, status, needle",
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "wrong-key-123"}, 403, "api_key"),
        ({"api_key": ""}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "999"}, 400, "999"),
        ({"lat": None, "long": None}, 400, "位置"),
        ({"long": None}, 400, "lat"),
        ({"lat": "abc"}, 400, "lat"),
        ({"lat": "10.0", "long": "10.0"}, 400, "网格"),
        ({"description": "长" * 4001}, 400, "4000"),
        ({"phone": None}, 400, "手机"),
        ({"phone": "12345"}, 400, "电话"),
        ({"media_url": "ftp://x"}, 400, "media_url"),
        ({"service_code": "302"}, 400, "隐患类型"),
        ({"service_code": "302", "attribute[hazard_type]": "bogus"}, 400, "bogus"),
        ({"attribute[nope]": "1"}, 400, "nope"),
        ({"lat": None, "long": None, "address_id": "999999999"}, 400, "楼栋"),
        ({"lat": None, "long": None, "address_string": "不存在的地址 1 号"}, 400, "address_string"),
    ],
)
def test_post_errors(client, form, change, status, needle):
    data = {k: v for k, v in {**form, **change}.items() if v is not None}
    before = Ticket.objects.count()
    body, root = post_both(client, data, ERRORS, status)
    assert body[0]["code"] == status
    assert any(needle in e["description"] for e in body), body
    assert root.tag == "errors" and root[0].tag == "error"
    assert Ticket.objects.count() == before  # a refused request writes nothing


def test_inactive_key_is_refused(client, form, personas):
    key, raw = api_key_create(actor=None, name="停用", owner=personas.qu_admin)
    key.is_active = False
    key.save()
    body, _ = post_both(client, {**form, "api_key": raw}, ERRORS, 403)
    assert body[0]["code"] == 403


def test_key_owner_scope_limits_where_it_may_file(client, form, personas):
    _, raw = api_key_create(actor=None, name="银花街道", owner=personas.yinhua_admin)
    body, _ = post_both(client, {**form, "api_key": raw}, ERRORS, 403)  # a 龙蟠 location
    assert "范围" in body[0]["description"]


@pytest.mark.parametrize(
    "path, params, status",
    [
        ("services/999", {}, 404),
        ("requests/000000000000", {}, 404),
        ("tokens/nope", {}, 404),
        ("requests", {"status": "pending"}, 400),
        ("requests", {"start_date": "yesterday"}, 400),
        ("requests", {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"}, 400),
        ("requests", {"start_date": "2026-02-01", "end_date": "2026-01-01"}, 400),
        ("services", {"jurisdiction_id": "other"}, 404),
    ],
)
def test_get_errors(client, path, params, status):
    body = get_both(client, path, ERRORS, expect=status, **params)
    assert body[0]["code"] == status


IMPOSSIBLE = "不是有效的日期时间（月、日、时、分、秒或时区偏移超出范围）"


@pytest.mark.parametrize(
    "params, description",
    [
        ({"end_date": "0001-01-01"}, "end_date 须在 1970 年至 2099 年之间。"),
        ({"start_date": "0001-01-01T00:00:00+08:00"}, "start_date 须在 1970 年至 2099 年之间。"),
        ({"start_date": "9999-12-31T23:59:59-10:00"}, "start_date 须在 1970 年至 2099 年之间。"),
        ({"end_date": "9999-12-31"}, "end_date 须在 1970 年至 2099 年之间。"),
        ({"start_date": "2026-13-45"}, f"start_date {IMPOSSIBLE}：2026-13-45。"),
        ({"end_date": "2026-02-30T00:00:00"}, f"end_date {IMPOSSIBLE}：2026-02-30T00:00:00。"),
        ({"start_date": "2026-03-01T25:61:00+08:00"}, f"start_date {IMPOSSIBLE}：2026-03-01T25:61:00+08:00。"),
        ({"start_date": "2026-03-01T00:00:00+99:00"}, f"start_date {IMPOSSIBLE}：2026-03-01T00:00:00+99:00。"),
        ({"end_date": "2026-03-01T00:00:00-24:30"}, f"end_date {IMPOSSIBLE}：2026-03-01T00:00:00-24:30。"),
    ],
)
def test_dates_out_of_range_or_impossible_are_400_arrays(client, params, description):
    body = get_both(client, "requests", ERRORS, expect=400, **params)
    assert body == [{"code": 400, "description": description}]


def test_unknown_resources_and_formats_are_404_arrays(client):
    for path in ("nothing.json", "services.csv", "requests/1/extra.json", ""):
        response = client.get(f"{BASE}{path}")
        assert response.status_code == 404
        jsonschema.validate(json.loads(response.content), ERRORS)
    response = client.get(f"{BASE}nothing.xml")
    assert response.status_code == 404 and ET.fromstring(response.content).tag == "errors"


def test_other_methods_are_400(client):
    response = client.put(f"{BASE}requests.json")
    assert response.status_code == 400
    jsonschema.validate(json.loads(response.content), ERRORS)
    response = client.post(f"{BASE}services.json")
    assert response.status_code == 400


def test_area_fixture_sanity(grid01):
    assert Area.objects.filter(pk=grid01.pk, kind="grid").exists()
