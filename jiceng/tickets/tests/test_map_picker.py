"""The location picker: a map point outside every grid is refused *visibly* — the
server's message used to sit on the hidden ``lng`` field, so the page said "已选位置" and nothing
else — and a point inside a grid is named when the page comes back."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jiceng.tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db

OUTSIDE = {"lng": "100.0", "lat": "30.0"}  # far from 南谯区: inside no grid
REFUSED = "该位置不在本区任何网格内，请重新选点或选择楼栋。"


def _pick_error(body: str) -> str:
    match = re.search(r'<div class="alert alert-danger[^"]*"[^>]*id="jc-pick-error">(.*?)</div>\s*<input', body, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


def _status(body: str) -> str:
    return re.search(r'id="jc-pick-status"[^>]*>(.*?)</span>', body, re.S).group(1).strip()


@pytest.fixture
def help_category():
    return Category.objects.get(service_code="101")


def _anonymous(help_category, **location):
    return {"kind": "help", "category": help_category.pk, "description": "地图外的点", "reporter_name": "李四",
            "reporter_phone": "13800138000", **location}  # fmt: skip


def test_anonymous_point_outside_every_grid_is_refused_visibly(client, help_category):
    before = Ticket.objects.count()
    response = client.post(reverse("tickets:report"), _anonymous(help_category, **OUTSIDE))
    assert response.status_code == 400
    body = response.content.decode()
    assert _pick_error(body) == REFUSED
    assert _status(body) == "所选位置不在地图上的网格内，请重新选点或选择楼栋。"
    assert "已选位置" not in body
    assert Ticket.objects.count() == before


def test_grid_worker_patrol_point_outside_is_refused_visibly(client, login):
    login("grid_wc01")
    event = Category.objects.get(service_code="E01")
    before = Ticket.objects.count()
    response = client.post(
        reverse("tickets:patrol"),
        {"mode": "patrol", "category": event.pk, "urgency": "normal", "description": "地图外", **OUTSIDE},
    )
    assert response.status_code == 400
    assert _pick_error(response.content.decode()) == REFUSED
    assert Ticket.objects.count() == before


def test_point_inside_a_grid_is_named_when_the_page_comes_back(client, help_category, personas):
    grid = personas.grid_wc01.grants.get().area
    lng, lat = (grid.min_lng + grid.max_lng) / 2, (grid.min_lat + grid.max_lat) / 2
    data = _anonymous(help_category, lng=f"{lng:.6f}", lat=f"{lat:.6f}")
    data["description"] = ""  # another field's error brings the page back
    response = client.post(reverse("tickets:report"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert _status(body) == f"已选位置：{grid.name}（{lng:.6f}, {lat:.6f}）"
    assert _pick_error(body) == ""
