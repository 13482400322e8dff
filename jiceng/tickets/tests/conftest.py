"""Fixtures of the tickets tests: the organisations of 文昌花园 and a factory of tickets in any state.

``world`` names the places and people every test uses:

* ``grid``: grid_wc01's grid (文昌花园第1网格); ``grid_org`` its organisation;
* ``community_org`` (文昌花园社区), ``street_org`` (龙蟠街道), ``dept`` (区城市管理局, member ``dept_chengguan``);
* ``yinhua_grid``: a grid of 银花街道, for the scope tests.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiceng.core import workdays
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area
from jiceng.tickets.choices import Status
from jiceng.tickets.models import Category, Ticket
from jiceng.tickets.services import handler_org_for_area, next_ticket_no


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Attempt counters live in the (per-process LocMem) cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def user(username: str):
    from jiceng.testing.personas import persona

    return persona(username)


@pytest.fixture
def world(db):
    grid = user("grid_wc01").grants.get().area
    grid2 = user("grid_wc02").grants.get().area
    community = Area.objects.get(name="文昌花园社区")
    street = Area.objects.get(name="龙蟠街道")
    yinhua = Area.objects.get(name="银花街道")
    return SimpleNamespace(
        grid=grid,
        grid2=grid2,
        community=community,
        street=street,
        yinhua_grid=Area.objects.filter(kind="grid", path__startswith=yinhua.path).order_by("path").first(),
        grid_org=handler_org_for_area(grid),
        grid2_org=handler_org_for_area(grid2),
        community_org=handler_org_for_area(community),
        street_org=handler_org_for_area(street),
        district_org=handler_org_for_area(Area.objects.get(kind="district")),
        dept=Organisation.objects.get(name="区城市管理局"),
        consult=Category.objects.get(service_code="001"),
        complaint=Category.objects.get(service_code="201"),
        event=Category.objects.get(service_code="E01"),
    )


def centre(area: Area) -> tuple[float, float]:
    return (area.min_lng + area.max_lng) / 2, (area.min_lat + area.max_lat) / 2


@pytest.fixture
def make_ticket(world):
    """``make_ticket(Status.IN_PROGRESS, **fields)``: a ticket of resident_demo at ``world.grid``, put
    directly (ORM, test set-up only) in a consistent shape for that state."""

    def _make(status=Status.PENDING_ACCEPT, *, grid=None, category=None, **fields):
        grid = grid or world.grid
        now = timezone.now()
        lng, lat = centre(grid)
        grid_org = handler_org_for_area(grid)
        values = dict(
            ticket_no=next_ticket_no(timezone.localdate()),
            channel="resident",
            category=category or world.complaint,
            description="楼道堆放杂物，影响通行",
            reporter_name="王小明",
            reporter_phone="13912345678",
            reporter_user=user("resident_demo"),
            grid=grid,
            lng=lng,
            lat=lat,
            scope_path=grid.path,
            status=status,
            submitted_at=now - dt.timedelta(hours=3),
            dispatch_due_at=now + dt.timedelta(hours=21),
        )
        if status != Status.DRAFT:
            values["handler_org"] = grid_org
        if status not in (Status.DRAFT, Status.PENDING_ACCEPT, Status.CANCELLED, Status.REJECTED, Status.MERGED):
            values.update(accepted_at=now - dt.timedelta(hours=2), responded_at=now - dt.timedelta(hours=2))
            values["sla_due_at"] = now + dt.timedelta(days=5)
        if status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.SUSPENDED, Status.RESOLVED, Status.CLOSED,
                      Status.EVALUATED, Status.ARCHIVED):  # fmt: skip
            values.update(dispatcher_org=grid_org, lead_org=grid_org, dispatched_at=now - dt.timedelta(hours=1))
        if status == Status.SUSPENDED:
            values["suspended_at"] = now - dt.timedelta(minutes=5)
        if status in (Status.RESOLVED, Status.CLOSED, Status.EVALUATED, Status.ARCHIVED):
            values.update(completed_by=user("grid_wc01"), completed_at=now - dt.timedelta(minutes=30), reply="已清理")
        if status in (Status.CLOSED, Status.EVALUATED, Status.ARCHIVED):
            values["closed_at"] = now - dt.timedelta(minutes=10)
        if status in (Status.EVALUATED, Status.ARCHIVED):
            values.update(satisfaction="satisfied", rated_at=now - dt.timedelta(minutes=5))
        if status == Status.MERGED:
            values["merged_into"] = _make(Status.PENDING_ACCEPT, grid=grid)
        values.update(fields)
        return Ticket.objects.create(**values)

    return _make


@pytest.fixture
def api(db):
    def _api(username: str) -> APIClient:
        token, _ = Token.objects.get_or_create(user=user(username))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return _api
