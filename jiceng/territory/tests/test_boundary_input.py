"""Malformed or absurdly nested boundaries answer 400 with a Chinese message, never 500; a good one saves."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jiceng.territory.geo import parse_boundary
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db


def _grid():
    return Area.objects.get(code="34110300301201")


def _edit(client, boundary):
    grid = _grid()
    return client.post(
        reverse("territory:area_edit", args=[grid.pk]),
        {"name": grid.name, "code": grid.code, "grid_type": "basic", "is_active": "on", "boundary": boundary},
    )


@pytest.mark.parametrize(
    "boundary, message",
    [
        ('{"type":"Feature","geometry":[1]}', "边界 Feature 的 geometry 必须是 GeoJSON 对象。"),
        ('{"type":"Feature","geometry":"x"}', "边界 Feature 的 geometry 必须是 GeoJSON 对象。"),
        ("[" * 50000 + "]" * 50000, "边界不是有效的 GeoJSON 文本。"),
        ('{"a":' * 50000 + "1" + "}" * 50000, "边界不是有效的 GeoJSON 文本。"),
        ('{"type":"Polygon","coordinates":' + "[" * 50000 + "]" * 50000 + "}", "边界不是有效的 GeoJSON 文本。"),
        ('{"type":"Polygon","coordinates":"abc"}', "边界坐标格式不正确。"),
        (" " * 1_000_001, "边界 GeoJSON 过长"),
    ],
    ids=["feature-list", "feature-str", "deep-list", "deep-object", "deep-coordinates", "bad-coordinates", "too-long"],
)
def test_malformed_boundary_is_a_400_in_chinese(client, login, boundary, message):
    login("wenchang_worker")
    before = _grid().boundary
    response = _edit(client, boundary)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _grid().boundary == before


@pytest.mark.parametrize(
    "value",
    [
        {"type": "Feature", "geometry": [1]},
        {"type": "Feature", "geometry": "x"},
        "[" * 50000 + "]" * 50000,
        '{"type":"Feature","geometry":' + "[" * 50000 + "]" * 50000 + "}",
    ],
    ids=["feature-list", "feature-str", "deep-list", "deep-feature"],
)
def test_parse_boundary_raises_validation_errors_only(value):
    with pytest.raises(ValidationError):
        parse_boundary(value)


def test_a_good_boundary_still_saves(client, login):
    login("wenchang_worker")
    square = '{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[118.3,32.3],[118.31,32.3],[118.31,32.31],[118.3,32.3]]]}}'
    assert _edit(client, square).status_code == 302
    assert _grid().boundary["type"] == "Polygon"
