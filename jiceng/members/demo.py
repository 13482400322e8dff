"""The demo's 双报到 and 党员联户: every in-service member of the Party register (most of them reported and
confirmed, some not yet — the reporting rate), posts with rosters, a year of services, linked households
and visits. ``member_demo`` is reported, and ``member_demo2`` is a second reported member of 文昌花园社区.

Bulk where there are many rows (reports and their two events, records, links); through the services and
the workflow for the few rows whose history the demo shows (a pending and a returned report).
"""

from __future__ import annotations

import datetime as dt
import random
from datetime import time

from django.utils import timezone

from jiceng.accounts.models import RoleGrant, User
from jiceng.core.bulk import fast_insert
from jiceng.party.models import PartyMember
from jiceng.territory.models import Area

from .choices import ReportChannel, ReportStatus
from .models import MemberReport, MemberReportEvent

SHANGHAI = timezone.get_fixed_timezone(8 * 60)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


def seed_members(district: Area, *, today: dt.date, password: str, seed: int = 20260101, log=print) -> dict:
    rng = random.Random(seed + 12)
    members = list(
        PartyMember.objects.filter(
            is_in_service=True, resident__isnull=False, scope_path__startswith=district.path
        ).select_related("resident").order_by("pk")
    )  # fmt: skip
    demo_user = User.objects.filter(username="member_demo").select_related("party_member").first()
    demo_ids = {demo_user.party_member_id} if demo_user else set()
    wenchang = Area.objects.get(name="文昌花园社区", path__startswith=district.path)
    second = next(
        (m for m in members if m.pk not in demo_ids and m.resident.scope_path.startswith(wenchang.path)), None
    )
    if second is not None:
        demo_ids.add(second.pk)
    communities = {a.path: a for a in Area.objects.filter(kind="community", path__startswith=district.path)}
    reports, events, unreported = [], [], []
    seen: dict[int, int] = {}
    for k, m in enumerate(members):
        community = communities.get(m.resident.scope_path[: 3 * Area.steplen])
        if community is None:
            continue
        index = seen[community.pk] = seen.get(community.pk, -1) + 1
        if index in (3, 6) and m.pk not in demo_ids:  # two per community not reported yet (1,100+ of 1,150 are)
            unreported.append(m)
            continue
        day = m.report_date or today - dt.timedelta(days=rng.randrange(30, 700))
        reports.append(
            MemberReport(
                member=m,
                community=community,
                status=ReportStatus.CONFIRMED,
                channel=ReportChannel.ONLINE if k % 3 else ReportChannel.RECORDED,
                employer=m.employer,
                skills=rng.choice(["法律咨询", "医疗保健", "文艺特长", "电脑维修", "心理疏导", "治安巡逻", ""]),
                submitted_at=_at(day - dt.timedelta(days=rng.randrange(1, 6))),
                confirmed_at=_at(day, 15),
                scope_path=m.resident.scope_path,
            )  # fmt: skip
        )
    fast_insert(MemberReport, reports)
    for r in reports:
        events.append(MemberReportEvent(report_id=r.pk, action="submit", to_status=ReportStatus.SUBMITTED,
                                        created_at=r.submitted_at, data={"channel": r.channel}))  # fmt: skip
        events.append(MemberReportEvent(report_id=r.pk, action="confirm", from_status=ReportStatus.SUBMITTED,
                                        to_status=ReportStatus.CONFIRMED, created_at=r.confirmed_at))  # fmt: skip
    fast_insert(MemberReportEvent, events)
    # The register's 报到社区 is the confirmed report's: none yet for those who have not reported.
    PartyMember.objects.filter(pk__in=[m.pk for m in unreported]).update(report_community=None, report_date=None)
    if second is not None and not User.objects.filter(username="member_demo2").exists():
        user = User(
            username="member_demo2", display_name=second.name, must_change_password=False,
            password_changed_at=timezone.now(), party_member=second,
        )  # fmt: skip
        user.set_password(password)
        user.save()
        RoleGrant.objects.create(user=user, role="party_member", area=wenchang)
    log(f"双报到：{len(reports)} 名在职党员已报到，{len(unreported)} 名未报到")
    return {"reports": reports, "unreported": unreported, "communities": communities}
