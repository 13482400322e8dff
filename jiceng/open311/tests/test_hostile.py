"""Hostile parameters to Open311 (it has no OpenAPI schema for Schemathesis to fuzz).

Each answers the specification's error array (or an empty result) in Chinese — never a 500 — and a
refused POST creates no ticket. NUL characters and over-large bodies: ``core/tests/test_hostile_input``;
dates: ``test_conformance``.
"""

from __future__ import annotations

import pytest
from django.test import Client

from jiceng.open311.services import api_key_create
from jiceng.tickets.models import Ticket

pytestmark = pytest.mark.django_db
BASE = "/open311/v2/"
RANGE = "lng：经纬度超出范围（应为 WGS84 经度、纬度）。"


@pytest.mark.parametrize(
    "params",
    [
        {"service_request_id": ",".join(str(i) for i in range(5000))},
        {"service_request_id": "9" * 5000},
        {"service_code": "'\"<>&;--"},
        {"service_code": ",,,"},
    ],
)
def test_hostile_reads_match_nothing(params):
    response = Client().get(f"{BASE}requests.json", params)
    assert response.status_code == 200 and response.json() == []


def test_long_and_odd_paths_are_404_arrays():
    client = Client()
    long_id = "9" * 3000
    response = client.get(f"{BASE}requests/{long_id}.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": f"未找到诉求：{long_id}。"}]
    response = client.get(f"{BASE}tokens/%ff%fe.json")
    assert response.status_code == 404 and response.json() == [{"code": 404, "description": "未找到令牌：%FF%FE。"}]


@pytest.mark.parametrize(
    "change, description",
    [
        ({"lat": "nan", "long": "nan"}, RANGE),
        ({"lat": "inf", "long": "-inf"}, RANGE),
        ({"lat": "1e400", "long": "1e400"}, RANGE),
        ({"address_id": "1.5", "lat": None, "long": None}, "address_id：address_id 须为楼栋编号（整数）。"),
        ({"address_id": "-1", "lat": None, "long": None}, "building：楼栋不存在。"),
        ({"long": None}, "lat：lat 与 long 须同时提供。"),
        ({"description": "x" * 100_000}, "description：描述不能超过 4000 字。"),
    ],
)
def test_hostile_posts_are_400_arrays_and_create_nothing(personas, change, description):
    _, raw = api_key_create(actor=None, name="测试", owner=personas.longpan_admin)
    before = Ticket.objects.count()
    data = {"api_key": raw, "service_code": "201", "phone": "13800001111", "lat": "32.3", "long": "118.3", **change}
    data = {k: v for k, v in data.items() if v is not None}
    response = Client().post(f"{BASE}requests.json", data)
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": description}]
    assert Ticket.objects.count() == before
