"""Fixtures of the needs tests: 文昌花园社区 and its first grid, and a factory of needs in any state."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone

from jiceng.needs.choices import Audience, NeedCategory, NeedStatus
from jiceng.needs.models import Need
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area
from jiceng.testing.personas import persona


@pytest.fixture
def world(db):
    community = Area.objects.get(name="文昌花园社区")
    grid = Area.objects.filter(kind="grid", path__startswith=community.path).order_by("path").first()
    unit = Organisation.objects.get(members__username="unit_demo", kind="unit")
    return SimpleNamespace(
        community=community,
        grid=grid,
        dougang=Area.objects.get(name="陡岗社区"),
        unit=unit,
        resident=persona("resident_demo"),
        member=persona("member_demo"),
        worker=persona("wenchang_worker"),
    )


def make_need(world, status=NeedStatus.SUBMITTED, *, audience=Audience.BOTH, **extra) -> Need:
    """A need of 文昌花园第1网格 posted by resident_demo, in ``status`` (claimed ones by member_demo)."""
    now = timezone.now()
    values = {
        "title": "测试微心愿",
        "category": NeedCategory.CARE,
        "description": "需要帮助",
        "community": world.community,
        "grid": world.grid,
        "scope_path": world.grid.path,
        "status": status,
        "posted_by": world.resident,
    }
    if status != NeedStatus.SUBMITTED:
        values.update(audience=audience, published_at=now)
    if status in (NeedStatus.CLAIMED, NeedStatus.DONE):
        values.update(claimed_by=world.member, claimed_at=now)
    if status == NeedStatus.DONE:
        values.update(completion_note="已完成", completed_at=now)
    values.update(extra)
    return Need.objects.create(**values)
