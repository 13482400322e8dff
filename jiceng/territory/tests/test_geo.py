"""Which grid contains a point: inside, on shared edges, on vertices, in holes, outside."""

import pytest
from django.core.exceptions import ValidationError

from jiceng.core.tests.helpers import area
from jiceng.territory.geo import grid_for_point, parse_boundary
from jiceng.territory.models import Area, Building
from jiceng.territory.services import area_create, area_update

pytestmark = pytest.mark.django_db

# A test area far away from the demo district (which lies around 118.28-118.36 E, 32.28-32.34 N).
X0, Y0 = 100.0, 30.0


def _square(x, y, w, h=None, holes=()):
    h = w if h is None else h
    ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]
    return {"type": "Polygon", "coordinates": [ring, *holes]}


def _ring(x, y, w):
    return [[x, y], [x, y + w], [x + w, y + w], [x + w, y], [x, y]]


@pytest.fixture
def wenchang():
    return area("文昌花园社区")


@pytest.fixture
def grids(personas, wenchang):
    """Two grids sharing the edge x = X0 + 1; the second gets the larger code."""
    qu = personas.qu_admin
    west = area_create(
        actor=qu, parent=wenchang, kind="grid", code="34110300301290", name="西测试网格", boundary=_square(X0, Y0, 1)
    ).obj
    east = area_create(
        actor=qu,
        parent=wenchang,
        kind="grid",
        code="34110300301291",
        name="东测试网格",
        boundary=_square(X0 + 1, Y0, 1),
    ).obj
    return west, east


def test_point_inside(grids):
    west, east = grids
    assert grid_for_point(X0 + 0.5, Y0 + 0.5) == west
    assert grid_for_point(X0 + 1.5, Y0 + 0.5) == east


def test_point_on_shared_edge_goes_to_the_smallest_code(grids):
    west, east = grids
    for _ in range(3):  # deterministic
        assert grid_for_point(X0 + 1, Y0 + 0.5) == west
    # shared vertex of both grids
    assert grid_for_point(X0 + 1, Y0 + 1) == west


def test_point_on_outer_vertex_and_outer_edge_is_inside(grids):
    west, east = grids
    assert grid_for_point(X0, Y0) == west
    assert grid_for_point(X0 + 2, Y0 + 1) == east
    assert grid_for_point(X0 + 2, Y0 + 0.25) == east


def test_point_outside_everything(grids):
    assert grid_for_point(X0 - 0.001, Y0 + 0.5) is None
    assert grid_for_point(X0 + 0.5, Y0 + 1.000001) is None
    assert grid_for_point(0, 0) is None


def test_point_in_a_hole_is_outside_the_polygon(personas, wenchang):
    qu = personas.qu_admin
    donut = area_create(
        actor=qu,
        parent=wenchang,
        kind="grid",
        code="34110300301292",
        name="环形网格",
        boundary=_square(X0, Y0 + 5, 3, holes=[_ring(X0 + 1, Y0 + 6, 1)]),
    ).obj
    assert donut.min_lng == X0 and donut.max_lng == X0 + 3
    assert grid_for_point(X0 + 0.5, Y0 + 5.5) == donut
    assert grid_for_point(X0 + 1.5, Y0 + 6.5) is None  # in the hole
    assert grid_for_point(X0 + 1, Y0 + 6.5) == donut  # on the hole's edge: still covered
    # a grid filling the hole now answers for points inside it
    inner = area_create(
        actor=qu,
        parent=wenchang,
        kind="grid",
        code="34110300301293",
        name="岛网格",
        boundary=_square(X0 + 1, Y0 + 6, 1),
    ).obj
    assert grid_for_point(X0 + 1.5, Y0 + 6.5) == inner
    assert grid_for_point(X0 + 1, Y0 + 6.5) == donut  # shared edge: smallest code


def test_hole_added_by_update_changes_the_answer(personas, grids):
    west, _ = grids
    assert grid_for_point(X0 + 0.5, Y0 + 0.5) == west
    area_update(
        actor=personas.qu_admin, area=west, boundary=_square(X0, Y0, 1, holes=[_ring(X0 + 0.25, Y0 + 0.25, 0.5)])
    )
    assert grid_for_point(X0 + 0.5, Y0 + 0.5) is None
    assert grid_for_point(X0 + 0.1, Y0 + 0.1) == west


def test_moved_boundary_moves_the_bounding_box(personas, grids):
    west, _ = grids
    west = area_update(actor=personas.qu_admin, area=west, boundary=_square(X0 + 10, Y0, 1)).obj
    assert (west.min_lng, west.min_lat, west.max_lng, west.max_lat) == (X0 + 10, Y0, X0 + 11, Y0 + 1)
    assert grid_for_point(X0 + 0.5, Y0 + 0.5) is None
    assert grid_for_point(X0 + 10.5, Y0 + 0.5) == west


def test_inactive_grid_is_ignored(personas, grids):
    west, _ = grids
    area_update(actor=personas.qu_admin, area=west, is_active=False)
    assert grid_for_point(X0 + 0.5, Y0 + 0.5) is None


def test_restricted_queryset(personas, grids):
    west, _ = grids
    from jiceng.territory.models import Grid

    assert grid_for_point(X0 + 0.5, Y0 + 0.5, Grid.objects.restrict(personas.yinhua_admin)) is None
    assert grid_for_point(X0 + 0.5, Y0 + 0.5, Grid.objects.restrict(personas.longpan_admin)) == west


def test_demo_buildings_lie_in_their_grids():
    for b in Building.objects.select_related("grid").order_by("id")[:: max(1, Building.objects.count() // 40)]:
        assert grid_for_point(b.lng, b.lat) == b.grid


def test_demo_shared_edges_between_grids_and_communities():
    g01 = Area.objects.get(code="34110300301201")
    # 文昌花园第1网格 and 第2网格 share the edge x = 118.283333
    assert grid_for_point(118.283333, 32.281) == g01
    assert grid_for_point(118.28, 32.28) == g01  # the district's outer corner
    # the border of 文昌花园 (341103003012) and 陡岗 (341103003009): 陡岗's grid has the smaller code
    assert grid_for_point(118.30, 32.281).code == "34110300300901"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not json", "边界不是有效的 GeoJSON 文本。"),
        ([1, 2], "边界必须是 GeoJSON 对象。"),
        ({"type": "Point", "coordinates": [1, 2]}, "边界必须是 GeoJSON 的 Polygon 或 MultiPolygon。"),
        ({"type": "Polygon", "coordinates": "x"}, "边界坐标格式不正确。"),
        (_square(200, 30, 1), "边界坐标超出经纬度范围（应为 WGS84 经度、纬度）。"),
    ],
)
def test_parse_boundary_errors(value, message):
    with pytest.raises(ValidationError) as exc:
        parse_boundary(value)
    assert exc.value.messages == [message]


def test_parse_boundary_rejects_a_self_intersecting_polygon():
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(ValidationError) as exc:
        parse_boundary(bowtie)
    assert exc.value.messages[0].startswith("边界多边形无效：Self-intersection")


def test_parse_boundary_accepts_feature_and_text():
    sq = _square(1, 1, 1)
    assert parse_boundary({"type": "Feature", "properties": {}, "geometry": sq}) == sq
    import json

    assert parse_boundary(json.dumps(sq)) == sq
    assert parse_boundary("") is None
    assert parse_boundary(None) is None


def test_overlapping_grids_in_a_community_are_warned(personas, wenchang, grids):
    west, east = grids
    result = area_create(
        actor=personas.qu_admin, parent=wenchang, kind="grid", code="34110300301294", name="重叠网格",
        boundary=_square(X0 + 0.5, Y0 + 0.5, 1),
    )  # fmt: skip
    assert result.warnings == [
        "网格边界与“西测试网格”（34110300301290）重叠，请核实。",
        "网格边界与“东测试网格”（34110300301291）重叠，请核实。",
    ]
    assert area_update(actor=personas.qu_admin, area=east, name="东网格").warnings == [
        "网格边界与“重叠网格”（34110300301294）重叠，请核实。"
    ]
    # sharing an edge (east's right edge) is not an overlap
    moved = area_update(actor=personas.qu_admin, area=result.obj, boundary=_square(X0 + 2, Y0, 1))
    assert moved.warnings == []
    assert area_update(actor=personas.qu_admin, area=east, name="东测试网格").warnings == []


def test_building_outside_its_grid_boundary_is_warned(personas):
    from jiceng.territory.services import building_create

    g = Area.objects.get(code="34110300301201")  # 118.28-118.283333 E, 32.28-32.283333 N
    inside = building_create(actor=personas.grid_wc01, grid=g, number="71", lng=118.281, lat=32.281)
    assert inside.warnings == []
    on_edge = building_create(actor=personas.grid_wc01, grid=g, number="72", lng=118.28, lat=32.281)
    assert on_edge.warnings == []
    outside = building_create(actor=personas.grid_wc01, grid=g, number="73", lng=118.29, lat=32.281)
    assert outside.warnings == ["楼栋坐标（118.29, 32.281）不在所属网格“文昌花园第1网格”的边界内，请核实。"]
