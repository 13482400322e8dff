"""Reads of 双报到 and 党员联户 (every one restricted to what the caller may see)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from jiceng.party.models import CentralHousehold
from jiceng.territory.models import Household

from .choices import ReportStatus
from .models import HouseholdLink, MemberReport


def count_reported_members(scoped, user, node) -> int:
    """已报到在职党员: members with a confirmed report (one active report per member)."""
    return scoped(MemberReport.objects.filter(status=ReportStatus.CONFIRMED)).count()


def linked_q() -> Q:
    """A household linked to a member: a 联系户 row here, or a 党员中心户's ``linked_households`` — the same
    relation, read together (never copied)."""
    through = CentralHousehold.linked_households.through
    return Q(Exists(HouseholdLink.objects.filter(household=OuterRef("pk")))) | Q(
        Exists(through.objects.filter(household_id=OuterRef("pk")))
    )


def count_linked_households(scoped, user, node) -> int:
    """党员联系户: households with at least one linked member (联户 or 中心户)."""
    return scoped(Household.objects.filter(linked_q())).count()
