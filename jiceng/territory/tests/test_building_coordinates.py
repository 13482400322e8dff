"""Building coordinates are WGS84 (longitude -180..180, latitude -90..90) and come in pairs."""

import pytest
from django.core.exceptions import ValidationError

from jiceng.territory.models import Area
from jiceng.territory.services import building_create

pytestmark = pytest.mark.django_db


def test_building_coordinates_must_be_wgs84(personas):
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
