"""Reads of 双报到 and 党员联户 (every one restricted to what the caller may see)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone

from jiceng.core.entities import entity_for
from jiceng.party.models import CentralHousehold
from jiceng.territory.models import Area, Household

from .choices import ACTIVE_REPORT_STATES, ApplicationStatus, RecordStatus, ReportStatus
from .models import HouseholdLink, MemberReport, PostApplication, ServicePost, ServiceRecord, Visit
from .rules import quarter_range
from .workflow import REPORTS


def count_reported_members(scoped, user, node) -> int:
    """已报到在职党员: members with a confirmed report (one active report per member)."""
    return scoped(MemberReport.objects.filter(status=ReportStatus.CONFIRMED)).count()


def sum_service_hours(scoped, user, node) -> int:
    """服务时长: the confirmed hours of 服务登记卡 under the node, in whole hours (the figures are counts)."""
    total = scoped(ServiceRecord.objects.filter(status=RecordStatus.CONFIRMED)).aggregate(total=Sum("hours"))["total"]
    return int(total or 0)


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


def post_roster(post, user) -> dict:
    """花名册: the post's confirmed members, then the applications waiting (each an application the user sees)."""
    rows = PostApplication.objects.restrict(user, "view").filter(post=post).select_related("member")
    confirmed = [a for a in rows if a.status == ApplicationStatus.CONFIRMED]
    return {
        "roster": confirmed,
        "pending": [a for a in rows if a.status == ApplicationStatus.PENDING],
        "places_left": max(post.headcount - len(confirmed), 0),
    }


def households_of(member):
    """The households a member looks after: their 联系户 rows and their 党员中心户's linked households."""
    through = CentralHousehold.linked_households.through
    return (
        Household.objects.filter(
            Q(member_links__member=member)
            | Q(pk__in=through.objects.filter(centralhousehold__member=member).values("household_id"))
        )
        .select_related("building")
        .distinct()
        .order_by("building__name", "room")
    )


def member_home(user, member) -> dict:
    """What the member's phone page shows: their report, the posts of their community, their applications,
    services (this year's confirmed hours) and households with the latest visits."""
    reports = MemberReport.objects.restrict(user, "view").filter(member=member).select_related("community")
    report = reports.filter(status__in=ACTIVE_REPORT_STATES).first() or reports.order_by("-submitted_at").first()
    community_id = report.community_id if report and report.status == ReportStatus.CONFIRMED else None
    posts = ServicePost.objects.restrict(user, "view").filter(community_id=community_id, is_open=True)
    applications = list(PostApplication.objects.restrict(user, "view").filter(member=member).select_related("post"))
    roster_ids = [a.post_id for a in applications if a.status == ApplicationStatus.CONFIRMED]
    records = ServiceRecord.objects.restrict(user, "view").filter(member=member).select_related("post")
    year = timezone.localdate().year
    hours = records.filter(status=RecordStatus.CONFIRMED, date__year=year).aggregate(total=Sum("hours"))["total"]
    return {
        "member": member,
        "report": report,
        "report_actions": _actions(report, user) if report else [],
        "can_report": report is None or report.status not in ACTIVE_REPORT_STATES,
        "posts": posts.annotate(
            taken=Count("applications", filter=Q(applications__status=ApplicationStatus.CONFIRMED))
        ).order_by("category", "name"),
        "applied_ids": {a.post_id for a in applications if a.status != ApplicationStatus.WITHDRAWN},
        "applications": applications,
        "roster_posts": ServicePost.objects.filter(pk__in=roster_ids),
        "records": list(records[:20]),
        "hours_this_year": hours or 0,
        "households": list(households_of(member)) if community_id else [],
        "visits": list(Visit.objects.restrict(user, "view").filter(member=member).select_related("household")[:10]),
    }


def _actions(report, user):
    entity = entity_for(MemberReport)
    return [
        (REPORTS.by_action[a].label, reverse(entity.url_name(a), args=[report.pk]))
        for a in REPORTS.allowed_actions(user, report)
    ]


def coverage_by_grid(user, community=None):
    """Households with no linked member (neither 联系户 nor 中心户), per grid the user sees: ``[(grid, total,
    uncovered)]``, one grouped query."""
    households = Household.objects.restrict(user, "view")
    if community is not None:
        households = households.filter(scope_path__startswith=community.path)
    rows = (
        households.values("building__grid_id")
        .annotate(total=Count("pk"), linked=Count("pk", filter=linked_q()))
        .order_by("building__grid_id")
    )
    grids = {g.pk: g for g in Area.objects.filter(pk__in=[r["building__grid_id"] for r in rows])}
    return [
        (grids[r["building__grid_id"]], r["total"], r["total"] - r["linked"])
        for r in rows
        if r["building__grid_id"] in grids
    ]


ALERT_DAYS = 183  # 六个月


def no_service_alerts(qs, today: dt.date | None = None):
    """Confirmed reports (of at least six months) whose member has no confirmed service in the last six months."""
    since = (today or timezone.localdate()) - dt.timedelta(days=ALERT_DAYS)
    recent = ServiceRecord.objects.filter(status=RecordStatus.CONFIRMED, date__gte=since).values("member_id")
    return (
        qs.filter(status=ReportStatus.CONFIRMED, confirmed_at__date__lt=since)
        .exclude(member_id__in=recent)
        .annotate(
            last_service=Max("member__service_records__date", filter=Q(member__service_records__status="confirmed"))
        )
    )


def feedback_rows(qs, unit_id: int, quarter: str):
    """The sheet's rows among ``qs``: the unit's members reported by the quarter's end (confirmed, or ended
    since), with their confirmed services and hours in the quarter."""
    start, end = quarter_range(quarter)
    in_quarter = Q(
        member__service_records__status=RecordStatus.CONFIRMED,
        member__service_records__date__gte=start,
        member__service_records__date__lte=end,
    )
    return qs.filter(
        status__in=[ReportStatus.CONFIRMED, ReportStatus.ENDED], employer_unit_id=unit_id, confirmed_at__date__lte=end
    ).annotate(  # fmt: skip
        services=Count("member__service_records", filter=in_quarter),
        hours=Sum("member__service_records__hours", filter=in_quarter),
    )
