"""Reads of the Party organisation."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q

from .models import CommitteeSeat, PartyOrg


def term_alerts(user, *, today: dt.date | None = None):
    """Organisations in scope whose term ends within the alert window, or is already overdue
    (an approved extension counts as the new end)."""
    today = today or dt.date.today()
    horizon = today + dt.timedelta(days=settings.JICENG_TERM_ALERT_DAYS)
    return (
        PartyOrg.objects.restrict(user, "view")
        .filter(
            Q(term_extended_until__isnull=True, term_end__lte=horizon)
            | Q(term_extended_until__isnull=False, term_extended_until__lte=horizon)
        )
        .select_related("area")
        .order_by("term_end")
    )


def current_secretary(org: PartyOrg):
    return CommitteeSeat.objects.filter(org=org, role="secretary", end__isnull=True).select_related("member").first()


def area_party_orgs(user, area) -> dict:
    """The Party organisations attached to a territory node, for its page (``territory.pages``)."""
    return {
        "party_orgs": PartyOrg.objects.restrict(user).filter(area=area).only("id", "scope_path", "name", "org_type")
    }
