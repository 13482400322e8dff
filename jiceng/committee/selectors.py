"""Reads of the big Party committee: its units, the duty on a day, the last meeting's open items, counts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from jiceng.party.models import CommitteeSeat, PartyOrg

from .choices import OPEN_STATES
from .models import ActionItem, CommitteeUnit, DutyRoster, JointMeeting, PartTimeMember, active_q


def big_committees(user):
    """The 大党委 / 大工委 the user may view."""
    return PartyOrg.objects.restrict(user).filter(is_big_committee=True).select_related("area")


def committee_for(node) -> PartyOrg | None:
    """The big committee of a territory node: its own, or that of the nearest node above it."""
    found = [o for o in PartyOrg.objects.filter(is_big_committee=True) if node.path.startswith(o.scope_path)]
    return max(found, key=lambda o: len(o.scope_path)) if found else None


def committee_units(committee, day: dt.date | None = None):
    """The co-building units with a part-time member in office on ``day`` (today): the roster rotates
    over these, by name."""
    day = day or timezone.localdate()
    ids = PartTimeMember.objects.filter(active_q(day), committee=committee).values("unit_id")
    return CommitteeUnit.objects.filter(pk__in=ids, kind="unit").order_by("name", "pk")


def active_members(committee, day: dt.date | None = None):
    day = day or timezone.localdate()
    return PartTimeMember.objects.filter(active_q(day), committee=committee).select_related("unit")


def duty_on(committee, day: dt.date | None = None) -> DutyRoster | None:
    """The roster period (and its chairing unit) in force on ``day``."""
    day = day or timezone.localdate()
    return DutyRoster.objects.filter(committee=committee, start__lte=day, end__gte=day).select_related("chair").first()


def next_duty(committee, day: dt.date | None = None) -> DutyRoster | None:
    day = day or timezone.localdate()
    return (
        DutyRoster.objects.filter(committee=committee, start__gt=day).select_related("chair").order_by("start").first()
    )


def previous_meeting(committee, before: dt.date, exclude_pk=None) -> JointMeeting | None:
    qs = JointMeeting.objects.filter(committee=committee, date__lte=before)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("-date", "-pk").first()


def open_items_q() -> Q:
    return Q(status__in=OPEN_STATES)


def overdue_q(day: dt.date | None = None) -> Q:
    return open_items_q() & Q(deadline__lt=day or timezone.localdate())


def committee_page(user, committee) -> dict:
    """What the committee page shows: seats, part-time members, the duty now and next, meetings, items."""
    today = timezone.localdate()
    items = ActionItem.objects.restrict(user).filter(meeting__committee=committee)
    return {
        "seats": CommitteeSeat.objects.restrict(user)
        .filter(org=committee, end__isnull=True)
        .select_related("member")
        .order_by("role", "start"),
        "part_time": PartTimeMember.objects.restrict(user)
        .filter(active_q(today), committee=committee)
        .select_related("unit")
        .order_by("unit__name", "name"),
        "duty": duty_on(committee, today),
        "next_duty": next_duty(committee, today),
        "roster": DutyRoster.objects.restrict(user).filter(committee=committee).select_related("chair")[:24],
        "meetings": JointMeeting.objects.restrict(user)
        .filter(committee=committee)
        .annotate(n_items=Count("action_items"), n_present=Count("attendance", distinct=True))[:10],
        "open_items": items.filter(open_items_q()).select_related("owner_unit", "owner_member").order_by("deadline"),
        "overdue_count": items.filter(overdue_q(today)).count(),
    }


def count_part_time(scoped, user, node) -> int:
    return scoped(PartTimeMember.objects.filter(active_q(timezone.localdate()))).count()


def count_open_items(scoped, user, node) -> int:
    return scoped(ActionItem.objects.filter(open_items_q())).count()


def count_overdue_items(scoped, user, node) -> int:
    return scoped(ActionItem.objects.filter(overdue_q())).count()
