import pytest
from stdnum.cn import uscc

from jiceng.cobuild.models import Pairing, UnitActivity, UnitEvaluation, UnitReport
from jiceng.cobuild.selectors import pairings_in_force
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db


def test_demo_has_54_units_with_valid_codes_pairing_every_grid():
    units = Organisation.objects.filter(kind="unit")
    assert units.count() == 54
    assert all(uscc.is_valid(u.uscc) for u in units)
    grids = Area.objects.filter(kind="grid")
    assert grids.count() == 366
    assert not grids.exclude(pk__in=pairings_in_force().values("grid_id")).exists()
    assert not units.exclude(pk__in=Pairing.objects.values("unit_id")).exists()


def test_demo_has_rows_in_every_state():
    assert set(UnitReport.objects.values_list("status", flat=True)) == {"submitted", "confirmed", "returned"}
    assert UnitActivity.objects.exists() and UnitEvaluation.objects.exists()
    assert not UnitReport.objects.filter(status="confirmed", confirmed_by=None).exists()
