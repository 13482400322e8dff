"""Shared helpers for the foundation tests: valid identifiers, extra users, row counts."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from jiceng.accounts.models import RoleGrant, User
from jiceng.audit.models import AuditLog, SensitiveAccessLog
from jiceng.core import entities
from jiceng.core.validators import id_check_digit
from jiceng.party.models import CentralHousehold, CommitteeSeat, PartyGroup, PartyMember, PartyOrg
from jiceng.people.models import Resident, ResidentTag, Worker
from jiceng.territory.models import Area, Building, Household

WRITABLE_MODELS = (
    Area, Building, Household, Resident, ResidentTag, Worker,
    PartyOrg, PartyMember, CommitteeSeat, PartyGroup, CentralHousehold, AuditLog, SensitiveAccessLog,
    *(e.model for e in entities.entities()),  # every declared entity (``core.entities``)
)  # fmt: skip


def make_id(birth: str = "19950101", *, area: str = "110105", seq: str = "901") -> str:
    """A 公民身份号码 with the right MOD 11-2 check digit. Odd ``seq`` = male, even = female."""
    first17 = f"{area}{birth}{seq}"
    return first17 + id_check_digit(first17)


def area(name: str) -> Area:
    return Area.objects.get(name=name)


def grid(code: str) -> Area:
    return Area.objects.get(code=code)


def new_user(username: str, role: str, node: Area) -> User:
    user = User.objects.create(username=username, must_change_password=False)
    RoleGrant.objects.create(user=user, role=role, area=node)
    return User.objects.get(pk=user.pk)


def row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in WRITABLE_MODELS}


@contextmanager
def writes_nothing():
    """Assert the block writes no row to any business or audit table."""
    before = row_counts()
    try:
        yield
    finally:
        assert row_counts() == before


def years_ago(years: int, days: int = 0) -> dt.date:
    today = dt.date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=days)
