"""Which grid contains a point: bounding-box prefilter in SQL, exact test with shapely."""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import ValidationError
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

#: A grid or community outline of a few thousand vertices is a few hundred kB at most.
MAX_BOUNDARY_CHARS = 1_000_000
BOUNDARY_TOO_LONG = "边界 GeoJSON 过长（不超过 100 万个字符），请简化边界后再提交。"


def parse_boundary(geojson) -> dict | None:
    """Validate a GeoJSON Polygon/MultiPolygon (or a Feature holding one); return the geometry dict."""
    if geojson in (None, "", {}):
        return None
    if isinstance(geojson, str):
        import json

        if len(geojson) > MAX_BOUNDARY_CHARS:
            raise ValidationError(BOUNDARY_TOO_LONG)
        try:
            geojson = json.loads(geojson)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting ([[[[…]]]])
            raise ValidationError("边界不是有效的 GeoJSON 文本。") from None
    if not isinstance(geojson, dict):
        raise ValidationError("边界必须是 GeoJSON 对象。")
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
        if not isinstance(geojson, dict):  # {"type": "Feature", "geometry": [1]} or "x"
            raise ValidationError("边界 Feature 的 geometry 必须是 GeoJSON 对象。")
    if geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError("边界必须是 GeoJSON 的 Polygon 或 MultiPolygon。")
    try:
        geom = shape(geojson)
    except Exception:  # noqa: BLE001 - shapely raises several types (RecursionError too) for malformed input
        raise ValidationError("边界坐标格式不正确。") from None
    if geom.is_empty or not geom.is_valid:
        raise ValidationError(f"边界多边形无效：{explain_validity(geom)}。")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError("边界坐标超出经纬度范围（应为 WGS84 经度、纬度）。")
    return geojson


def bounds_of(geojson: dict) -> tuple[float, float, float, float]:
    return shape(geojson).bounds


@lru_cache(maxsize=4096)
def _cached_shape(key: str, updated: str, geojson_text: str):
    import json

    return shape(json.loads(geojson_text))


def grid_for_point(lng: float, lat: float, queryset=None):
    """The grid (网格) containing the point, or ``None``.

    A point on a shared edge belongs to both polygons; the grid with the smallest code wins so the
    answer is deterministic. A point in a polygon's hole is outside it.
    """
    import json

    from .models import Grid

    qs = queryset if queryset is not None else Grid.objects.all()
    candidates = qs.filter(
        is_active=True, min_lng__lte=lng, max_lng__gte=lng, min_lat__lte=lat, max_lat__gte=lat
    ).order_by("code")
    point = Point(lng, lat)
    for grid in candidates:
        if not grid.boundary:
            continue
        geom = _cached_shape(str(grid.pk), grid.updated_at.isoformat(), json.dumps(grid.boundary, sort_keys=True))
        if geom.covers(point):
            return grid
    return None
