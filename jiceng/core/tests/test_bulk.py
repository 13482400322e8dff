"""``is_unique_violation``: only a unique index's refusal turns a batch insert into "already registered"."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from jiceng.core.bulk import is_unique_violation
from jiceng.territory.models import Building, Household

pytestmark = pytest.mark.django_db


class _DriverError(Exception):
    def __init__(self, message: str, sqlstate: str | None):
        super().__init__(message)
        if sqlstate is not None:
            self.sqlstate = sqlstate  # as psycopg's errors carry it


def _raised(sqlstate: str | None, message: str = "") -> IntegrityError:
    exc = IntegrityError(message)
    exc.__cause__ = _DriverError(message, sqlstate)
    return exc


def test_by_sqlstate_and_by_sqlite_message():
    assert is_unique_violation(_raised("23505"))
    assert not is_unique_violation(_raised("23503"))  # a foreign key
    assert not is_unique_violation(_raised("23514"))  # a check constraint
    assert is_unique_violation(_raised(None, "UNIQUE constraint failed: territory_household.household_no"))
    assert not is_unique_violation(_raised(None, "FOREIGN KEY constraint failed"))


def test_a_real_unique_violation_on_this_database():
    b = Building.objects.order_by("id").first()
    taken = Household.objects.filter(building=b).first()
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        Household.objects.create(building=b, room=taken.room, household_no="UNIQ-TEST", scope_path=b.scope_path)
    assert is_unique_violation(exc.value), connection.vendor
