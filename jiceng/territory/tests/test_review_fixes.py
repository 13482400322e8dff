"""Security review fixes in the territory forms and geometry.

M1  malformed or absurdly nested boundaries answer 400 with a Chinese message, never 500.
M5  grid division is decided by the street (网格划分须经街道审定): a community worker cannot add grids.
L2  administrative codes accept ASCII digits only (not ٣ or other Unicode digits).
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jiceng.core.tests.helpers import row_counts
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


def test_community_worker_cannot_add_grids_or_quarters(client, login):
    login("wenchang_worker")
    community = Area.objects.get(name="文昌花园社区")
    before = row_counts()
    for kind, data in (
        ("grid", {"name": "新网格", "code": community.code + "99", "grid_type": "basic", "is_active": "on"}),
        ("quarter", {"name": "新小区", "code": community.code + "Q99", "is_active": "on"}),
    ):
        response = client.post(reverse("territory:area_add", args=[community.pk, kind]), data)
        assert response.status_code == 403, kind
    assert row_counts() == before
    # …but still edits the attributes of the community and its grids
    assert _edit(client, "").status_code == 302


def test_street_admin_adds_grids(client, login):
    login("longpan_admin")
    community = Area.objects.get(name="文昌花园社区")
    data = {"name": "新网格", "code": community.code + "99", "grid_type": "basic", "is_active": "on"}
    assert client.post(reverse("territory:area_add", args=[community.pk, "grid"]), data).status_code == 302
    assert Area.objects.get(code=community.code + "99").kind == "grid"


@pytest.mark.parametrize("code", ["34110300301٣", "3411030031٩٩", "34110300301३"])
def test_community_code_with_non_ascii_digits_is_refused(client, login, code):
    login("longpan_admin")
    street = Area.objects.get(name="龙蟠街道")
    before = row_counts()
    response = client.post(
        reverse("territory:area_add", args=[street.pk, "community"]),
        {"name": "新社区", "code": code, "is_active": "on"},
    )
    assert response.status_code == 400
    assert "区划代码只能由数字组成。" in response.content.decode()
    assert row_counts() == before


def test_building_coordinates_must_be_wgs84(personas):
    from django.core.exceptions import ValidationError

    from jiceng.territory.models import Area
    from jiceng.territory.services import building_create

    grid = Area.objects.filter(kind="grid", name="文昌花园第1网格").get()
    with pytest.raises(ValidationError) as exc:
        building_create(actor=personas.grid_wc01, grid=grid, number="77", lng=200.0, lat=100.0)
    assert exc.value.message_dict == {
        "lng": ["经度应在 -180 到 180 之间（WGS84）。"],
        "lat": ["纬度应在 -90 到 90 之间（WGS84）。"],
    }
    with pytest.raises(ValidationError) as exc:
        building_create(actor=personas.grid_wc01, grid=grid, number="77", lng=118.3)
    assert exc.value.message_dict == {"lat": ["经度和纬度须同时填写。"]}
