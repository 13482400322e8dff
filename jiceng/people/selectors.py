"""Reads about people that other pages need."""

from __future__ import annotations

from .models import Resident


def household_members(user, household) -> dict:
    """The living members of a household the user may see, for the household page (``territory.pages``)."""
    return {
        "members": Resident.objects.restrict(user)
        .filter(household=household, deleted_at__isnull=True)
        .order_by("relation_to_head", "birth_date")
    }
