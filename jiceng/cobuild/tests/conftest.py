"""Fixtures of the 单位包保 tests: the demo liaison's unit and a liaison of another unit."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from jiceng.accounts.models import RoleGrant, User
from jiceng.cobuild.models import Pairing, UnitEvaluation, UnitReport
from jiceng.cobuild.selectors import pairings_in_force
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area
from jiceng.testing.personas import persona


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def node(name: str) -> Area:
    return Area.objects.get(name=name)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def no_report_pairing(unit, community: Area) -> Pairing:
    """A pairing in force of ``unit`` in ``community`` whose unit has no report there (its reports gone)."""
    UnitEvaluation.objects.filter(unit=unit, community=community).delete()
    UnitReport.objects.filter(unit=unit, community=community).delete()
    return pairings_in_force(Pairing.objects.filter(unit=unit, scope_path__startswith=community.path)).first()


@pytest.fixture
def world(db):
    wenchang, dougang = node("文昌花园社区"), node("陡岗社区")
    unit = Organisation.objects.get(kind="unit", members__username="unit_demo")
    # another unit, pairing a grid of 文昌花园 too, with its own liaison
    other_unit = Organisation.objects.filter(kind="unit", area=wenchang).order_by("pk").first()
    other = User.objects.create_user(
        username="unit_other",
        password="x",
        display_name="另一单位联络员",
        must_change_password=False,
        password_changed_at=timezone.now(),
    )
    RoleGrant.objects.create(user=other, role="unit_liaison", area=Area.objects.get(pk=other_unit.area_id))
    other_unit.members.add(other)
    return SimpleNamespace(
        wenchang=wenchang, dougang=dougang, unit=unit, other_unit=other_unit,
        liaison=persona("unit_demo"), other=persona("unit_other"), today=dt.date.today(),
        grid1=Area.objects.get(code="34110300301201"), grid3=Area.objects.get(code="34110300301203"),
    )  # fmt: skip
