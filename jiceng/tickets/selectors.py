"""Reads of the 诉求 loop: scoped lists, overdue, duplicates, per-node statistics, notifications."""

from __future__ import annotations

import datetime as dt
import math
from statistics import mean

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from .choices import DONE_STATES, OPEN_STATES, SLA_RUNNING_STATES, Satisfaction, Status
from .models import Ticket, TicketAttachment

#: "Due soon" (临期): the deadline falls within this many hours.
DUE_SOON_HOURS = 24
DUPLICATE_DAYS = 7
DUPLICATE_RADIUS_M = 100


def overdue_q(now: dt.datetime | None = None) -> Q:
    """The SLA is running and the deadline in force (extension, else SLA) has passed."""
    now = now or timezone.now()
    return Q(status__in=SLA_RUNNING_STATES) & (
        Q(extended_until__lt=now) | Q(extended_until__isnull=True, sla_due_at__lt=now)
    )


def due_soon_q(now: dt.datetime | None = None, hours: int = DUE_SOON_HOURS) -> Q:
    now = now or timezone.now()
    soon = now + dt.timedelta(hours=hours)
    return Q(status__in=SLA_RUNNING_STATES) & (
        Q(extended_until__gte=now, extended_until__lte=soon)
        | Q(extended_until__isnull=True, sla_due_at__gte=now, sla_due_at__lte=soon)
    )


def is_overdue(ticket: Ticket, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    due = ticket.due_at
    return ticket.status in SLA_RUNNING_STATES and due is not None and due < now


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres (WGS84 sphere of radius 6 371 km)."""
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    dlat = rlat2 - rlat1
    dlng = math.radians(lng2 - lng1)
    a = math.sin(dlat / 2) ** 2 + math.cos(rlat1) * math.cos(rlat2) * math.sin(dlng / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(a))


def suggest_duplicates(
    ticket: Ticket, *, user=None, days: int = DUPLICATE_DAYS, radius_m: float = DUPLICATE_RADIUS_M, limit: int = 10
) -> list[Ticket]:
    """Likely duplicates (疑似重复) of ``ticket``: same grid and category, still open, reported within
    ``days`` days and within ``radius_m`` metres (or in the same building when either has no point).
    Nearest first; each carries ``distance_m`` (None when matched by building)."""
    if ticket.pk is None:
        return []
    since = (ticket.submitted_at or ticket.created_at or timezone.now()) - dt.timedelta(days=days)
    qs = Ticket.objects.restrict(user, "view") if user is not None else Ticket.objects.all()
    qs = (
        qs.filter(grid_id=ticket.grid_id, category_id=ticket.category_id, status__in=OPEN_STATES)
        .filter(Q(submitted_at__gte=since) | Q(submitted_at__isnull=True, created_at__gte=since))
        .exclude(pk=ticket.pk)
    )
    found: list[Ticket] = []
    if ticket.lng is not None and ticket.lat is not None:
        dlat = radius_m / 111_320
        dlng = radius_m / (111_320 * max(math.cos(math.radians(ticket.lat)), 0.01))
        near = qs.filter(
            lng__gte=ticket.lng - dlng,
            lng__lte=ticket.lng + dlng,
            lat__gte=ticket.lat - dlat,
            lat__lte=ticket.lat + dlat,
        )
        for other in near:
            distance = haversine_m(ticket.lng, ticket.lat, other.lng, other.lat)
            if distance <= radius_m:
                other.distance_m = round(distance, 1)
                found.append(other)
    if ticket.building_id:
        seen = {t.pk for t in found}
        for other in qs.filter(building_id=ticket.building_id).exclude(pk__in=seen):
            other.distance_m = None
            found.append(other)
    found.sort(key=lambda t: (t.distance_m is None, t.distance_m or 0, -(t.pk or 0)))
    return found[:limit]


def ticket_events(ticket: Ticket):
    return ticket.actions.select_related("actor", "org").prefetch_related("attachments")


def ticket_stats(
    user, node=None, *, date_from: dt.date | None = None, date_to: dt.date | None = None, weeks: int = 12, now=None
) -> dict:
    """Figures of one node (district, street, community, grid) as ``user`` may see them.

    *Current* figures (whatever the period): ``open`` (someone still has to act: 待受理 to 待核查),
    ``overdue`` (SLA running and the deadline in force has passed), ``due_soon`` (the deadline falls within
    the next 24 hours). *Period* figures (tickets submitted between ``date_from`` and ``date_to``):

    * **响应率** = tickets answered in time ÷ tickets to answer. *To answer*: every submitted ticket
      except those the reporter withdrew before any answer. *Answered in time*: accepted, rejected with
      a reason, merged or answered on the spot no later than the dispatch limit (特急 1 h, 紧急 2 h,
      一般 24 h from submission).
    * **解决率** = tickets resolved ÷ tickets accepted. *Accepted*: 受理 (or answered on the spot).
      *Resolved*: verified and closed (已结案, 已评价 or 已归档) and not rated 不满意 by the reporter.
    * **满意率** = (满意 + 基本满意) ÷ tickets rated. The latest rating counts; a ticket sent back after
      不满意 counts as unsatisfied until it is rated again.
    * ``avg_accept_hours``: mean hours from submission to 受理; ``avg_close_hours``: from submission to 结案.
    * ``trend``: per ISO week (Monday), the last ``weeks`` weeks: tickets submitted and tickets closed.

    Rates are ``None`` when their denominator is zero.
    """
    now = now or timezone.now()
    base = Ticket.objects.restrict(user, "view").exclude(status=Status.DRAFT)
    if node is not None:
        path = getattr(node, "path", None) or node
        base = base.filter(scope_path__startswith=path)
    current = base.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATES)),
        overdue=Count("pk", filter=overdue_q(now)),
        due_soon=Count("pk", filter=due_soon_q(now)),
        red=Count("pk", filter=Q(status__in=OPEN_STATES, supervise_level=3)),
        yellow=Count("pk", filter=Q(status__in=OPEN_STATES, supervise_level=2)),
    )
    period = base
    if date_from:
        period = period.filter(submitted_at__date__gte=date_from)
    if date_to:
        period = period.filter(submitted_at__date__lte=date_to)
    answered = Q(responded_at__isnull=False)
    figures = period.aggregate(
        received=Count("pk"),
        to_answer=Count("pk", filter=~Q(status=Status.CANCELLED, responded_at__isnull=True)),
        answered_in_time=Count("pk", filter=answered & Q(responded_at__lte=F("dispatch_due_at"))),
        accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
        resolved=Count(
            "pk",
            filter=Q(accepted_at__isnull=False, status__in=DONE_STATES) & ~Q(satisfaction=Satisfaction.UNSATISFIED),
        ),
        rated=Count("pk", filter=Q(rated_at__isnull=False)),
        satisfied=Count(
            "pk", filter=Q(rated_at__isnull=False, satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])
        ),
    )

    def rate(num, den):
        return round(num / den, 4) if den else None

    by_category = list(
        period.values(kind=F("category__kind"), name=F("category__name"))
        .annotate(count=Count("pk"))
        .order_by("-count", "name")
    )
    by_channel = list(period.values("channel").annotate(count=Count("pk")).order_by("-count", "channel"))
    from .choices import Channel

    for row in by_channel:
        row["label"] = Channel(row["channel"]).label
    times = list(period.values_list("submitted_at", "accepted_at", "closed_at"))
    accept_hours = [(a - s).total_seconds() / 3600 for s, a, _ in times if s and a and a >= s]
    close_hours = [(c - s).total_seconds() / 3600 for s, _, c in times if s and c and c >= s]
    # Weekly trend (local weeks starting on Monday), from the whole base so the chart is never empty.
    today = timezone.localdate(now)
    first_monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    start = timezone.make_aware(dt.datetime.combine(first_monday, dt.time.min))
    buckets = {first_monday + dt.timedelta(weeks=i): {"submitted": 0, "closed": 0} for i in range(weeks)}
    for submitted_at, closed_at in base.filter(Q(submitted_at__gte=start) | Q(closed_at__gte=start)).values_list(
        "submitted_at", "closed_at"
    ):
        for key, value in (("submitted", submitted_at), ("closed", closed_at)):
            if value and value >= start:
                day = timezone.localtime(value).date()
                monday = day - dt.timedelta(days=day.weekday())
                if monday in buckets:
                    buckets[monday][key] += 1
    return {
        **current,
        **figures,
        "response_rate": rate(figures["answered_in_time"], figures["to_answer"]),
        "resolution_rate": rate(figures["resolved"], figures["accepted"]),
        "satisfaction_rate": rate(figures["satisfied"], figures["rated"]),
        "avg_accept_hours": round(mean(accept_hours), 1) if accept_hours else None,
        "avg_close_hours": round(mean(close_hours), 1) if close_hours else None,
        "by_category": by_category,
        "by_channel": by_channel,
        "trend": [{"week": monday.isoformat(), **counts} for monday, counts in sorted(buckets.items())],
    }


# --- 待办: what awaits the user's own action -----------------------------------------------------

#: The groups of the 待办 page, in the order of the loop: key, label, the list filter that shows them all.
TODO_GROUPS = (
    ("accept", "待受理", {"status": Status.PENDING_ACCEPT}),
    ("report", "待报到（吹哨）", {"status": Status.ACCEPTED}),
    ("sign", "待签收", {"status": Status.DISPATCHED}),
    ("handle", "办理中", {"status": Status.IN_PROGRESS}),
    ("approve", "待审批（延期、挂账）", {"status": Status.IN_PROGRESS}),
    ("verify", "待核查", {"status": Status.RESOLVED}),
    ("callback", "待回访", {"status": Status.CLOSED}),
)
#: Rows read for the page (overdue first); each group shows its first ``TODO_SHOWN`` and links to the list.
TODO_ROWS = 200
TODO_SHOWN = 10


def user_org_ids(user) -> list[int]:
    """The organisations ``user`` acts for (one query): the territory orgs of the nodes of their
    ticket-handling grants — a community also acts for its grids (``policy.user_in_org``) — and the
    departments / units listing them as members."""
    from jiceng.orgs.choices import OrgKind
    from jiceng.orgs.models import Organisation

    from .policy import PERM

    q = Q(members=user.pk)
    for grant in user.scope.grants_with(PERM):
        q |= Q(area_id=grant.area_id, kind__in=[k.value for k in (OrgKind.GRID, OrgKind.COMMUNITY, OrgKind.STREET,
                                                                    OrgKind.DISTRICT)])  # fmt: skip
        if grant.area_kind == "community":
            q |= Q(kind=OrgKind.GRID, area__path__startswith=grant.area_path)
    return list(Organisation.objects.filter(q).values_list("pk", flat=True).distinct())


def _todo_qs(user, org_ids: list[int]) -> dict[str, Q]:
    """The condition of each group: the same "who" rules as ``policy`` (who may accept, sign, report,
    approve, verify, call back), as SQL over the user's organisations and subtrees."""
    from .policy import PERM

    mine = Q(handler_org_id__in=org_ids)
    covered = Q(pk__in=[])
    for grant in user.scope.grants_with(PERM):
        covered |= Q(scope_path__startswith=grant.area_path)
    pending = Q(extension_pending=True) | Q(suspend_pending=True)
    return {
        "accept": Q(status=Status.PENDING_ACCEPT) & mine,
        "report": Q(status=Status.ACCEPTED, whistle_org_id__in=org_ids, whistle_reported_at__isnull=True),
        "sign": Q(status=Status.DISPATCHED) & mine,
        "handle": Q(status=Status.IN_PROGRESS) & mine,
        "approve": Q(status=Status.IN_PROGRESS, dispatcher_org_id__in=org_ids) & pending & ~mine,
        # 核查: whoever the completion was sent to — the dispatching organisation, else the place's staff —
        # and never the user who completed it.
        "verify": Q(status=Status.RESOLVED)
        & (Q(dispatcher_org_id__in=org_ids) | (Q(dispatcher_org__isnull=True) & covered))
        & ~Q(completed_by_id=user.pk),
        "callback": Q(status=Status.CLOSED) & covered,
    }


def todo(user, *, now: dt.datetime | None = None, rows: bool = True) -> dict:
    """The 待办 of ``user`` (scoped like every read): per group its count and overdue count and, when
    ``rows``, its first tickets with the overdue ones first, then by the deadline in force.

    Three queries whatever the number of tickets: the user's organisations, the counts, the rows."""
    from django.db.models import Case, IntegerField, Value, When
    from django.db.models.functions import Coalesce

    now = now or timezone.now()
    org_ids = user_org_ids(user)
    conditions = _todo_qs(user, org_ids)
    base = Ticket.objects.restrict(user, "view")
    late = overdue_q(now)
    counts = base.aggregate(
        **{key: Count("pk", filter=q) for key, q in conditions.items()},
        **{f"{key}_overdue": Count("pk", filter=q & late) for key, q in conditions.items()},
    )
    groups = [
        {"key": key, "label": label, "count": counts[key], "overdue": counts[f"{key}_overdue"],
         "params": params, "tickets": []}
        for key, label, params in TODO_GROUPS
    ]  # fmt: skip
    by_key = {g["key"]: g for g in groups}
    if rows and any(g["count"] for g in groups):
        any_group = Q(pk__in=[])
        for q in conditions.values():
            any_group |= q
        listed = (
            base.filter(any_group)
            .annotate(
                todo_group=Case(*[When(q, then=Value(k)) for k, q in conditions.items()], default=Value("")),
                todo_overdue=Case(When(late, then=Value(1)), default=Value(0), output_field=IntegerField()),
                todo_due=Coalesce("extended_until", "sla_due_at"),
            )
            .select_related("category", "grid", "handler_org")
            .order_by("-todo_overdue", F("todo_due").asc(nulls_last=True), "submitted_at", "pk")[:TODO_ROWS]
        )
        for ticket in listed:
            group = by_key.get(ticket.todo_group)
            if group is not None and len(group["tickets"]) < TODO_SHOWN:
                group["tickets"].append(ticket)
    return {
        "groups": groups,
        "total": sum(g["count"] for g in groups),
        "overdue": sum(g["overdue"] for g in groups),
        "acts_for_orgs": bool(org_ids),
    }


#: The events whose photos show the reporter what was done (the handler's 办结, 当场答复 or 当场处置).
RESULT_PHOTO_ACTIONS = ("complete", "answer_directly", "handle_on_spot")


def result_photos(ticket: Ticket) -> QuerySet:
    """The photos of the latest 办结 (the department's "after" pictures), shown to the reporter with the
    reply; photos of internal steps (progress notes, returns) stay with the handlers."""
    latest = ticket.actions.filter(action__in=RESULT_PHOTO_ACTIONS).order_by("-created_at", "-id").first()
    if latest is None:
        return TicketAttachment.objects.none()
    return TicketAttachment.objects.filter(ticket=ticket, action=latest).order_by("id")


def attachments_visible_to(user, ticket: Ticket) -> QuerySet:
    """The attachments of ``ticket`` that ``user`` (who may see the ticket) may open: the handlers all of
    them; the reporter's own account, as on its follow page, only the photos sent with the request and
    those of the latest 办结 — not the handlers' internal steps."""
    from . import policy

    items = TicketAttachment.objects.filter(ticket=ticket)
    if not policy.user_sees_as_reporter(user, ticket):
        return items
    return items.filter(Q(action__isnull=True) | Q(pk__in=result_photos(ticket).values("pk")))
