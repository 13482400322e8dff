"""Reads of the organisations (组织机构)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiceng.accounts.models import User

from .choices import NON_TERRITORY_ORG_KINDS
from .models import Organisation


def managed_organisations(user, action: str = "view") -> QuerySet[Organisation]:
    """The organisations that are not territory nodes which ``user`` may ``action``: those serving a
    node of the user's subtree (the territory mirrors follow their node and are not managed here)."""
    return (
        Organisation.objects.restrict(user, action)
        .filter(kind__in=[k.value for k in NON_TERRITORY_ORG_KINDS])
        .select_related("area")
    )


def member_candidates(area) -> QuerySet[User]:
    """The active accounts that may be listed as people of an organisation serving ``area``: those
    managed at a node of its subtree (``home_area``) or holding a role there."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(home_area__path__startswith=area.path) | Q(grants__area__path__startswith=area.path))
        .distinct()
        .order_by("username")
    )
