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
from decimal import Decimal

from django.utils import timezone

from jiceng.accounts.models import RoleGrant, User
from jiceng.core.bulk import fast_insert
from jiceng.core.entities import entity_for
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.models import Organisation
from jiceng.party.models import CentralHousehold, PartyMember
from jiceng.territory.models import Area, Household

from .choices import (
    ApplicationStatus,
    Grade,
    PostCategory,
    RecordStatus,
    ReportChannel,
    ReportStatus,
    ServiceKind,
    VisitKind,
)
from .models import (
    HouseholdLink,
    MemberEvaluation,
    MemberReport,
    MemberReportEvent,
    PostApplication,
    PostApplicationEvent,
    ServicePost,
    ServiceRecord,
    ServiceRecordEvent,
    Visit,
)
from .workflow import REPORTS

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
    _employer_units(reports, members)
    posts = _posts(rng, communities)
    n_app = _applications(rng, reports, posts, today)
    n_rec = _records(rng, reports, posts, today)
    links = _links(rng, reports, communities, today)
    n_visits = _visits(rng, links, today)
    _histories(communities, unreported, today)
    n_eval = _evaluations(rng, reports, today)
    log(
        f"双报到：{len(reports)} 名在职党员已报到，{len(unreported)} 名未报到；{len(posts)} 个服务岗位，{n_app} 份上岗申请，"
        f"{n_rec} 张服务登记卡；党员联系户 {len(links)} 户，走访 {n_visits} 次；上年度评议 {n_eval} 人"
    )
    return {"reports": reports, "unreported": unreported, "communities": communities}


#: (category, name, headcount range) of each community's posts.
POSTS = [
    (PostCategory.ORGANISATION, "党建宣传员", (3, 6)),
    (PostCategory.LEGAL, "法律咨询志愿者", (2, 4)),
    (PostCategory.ASSISTANCE, "助老助残帮扶员", (4, 8)),
    (PostCategory.GOVERNANCE, "楼栋议事协调员", (3, 6)),
    (PostCategory.HEALTH, "健康义诊志愿者", (2, 5)),
    (PostCategory.CULTURE, "文体活动指导员", (2, 5)),
    (PostCategory.SAFETY, "平安巡逻队员", (5, 10)),
    (PostCategory.OTHER, "社区志愿服务岗", (3, 8)),
]


def _employer_units(reports, members):
    """A report names the member's employer as a 共建单位 where it is one (for the quarterly feedback); the
    first reported members of the liaison ``unit_demo``'s street work at that unit."""
    units = list(Organisation.objects.filter(kind=OrgKind.UNIT).order_by("pk"))
    by_name = {u.name.split("（", 1)[0]: u for u in units}
    liaison = User.objects.filter(username="unit_demo").first()
    demo_unit = liaison.organisations.filter(kind=OrgKind.UNIT).order_by("pk").first() if liaison else None
    changed = []
    for r in reports:
        unit = by_name.get(r.employer)
        if (
            unit is None
            and demo_unit is not None
            and r.scope_path.startswith(demo_unit.area.path)
            and len(changed) < 12
        ):
            unit = demo_unit
            r.employer = demo_unit.name.split("（", 1)[0]
            PartyMember.objects.filter(pk=r.member_id).update(
                employer=r.employer, employer_party_org=demo_unit.party_org_name or ""
            )
        if unit is not None:
            r.employer_unit = unit
            changed.append(r)
    MemberReport.objects.bulk_update(changed, ["employer_unit", "employer"])


def _posts(rng, communities) -> list[ServicePost]:
    posts = []
    for community in communities.values():
        for category, name, (low, high) in POSTS:
            posts.append(
                ServicePost(
                    community_id=community.pk,
                    name=name,
                    category=category,
                    headcount=rng.randint(low, high),
                    description=f"{community.name}{name}：按社区安排定期服务。",
                    scope_path=community.path,
                )  # fmt: skip
            )
    fast_insert(ServicePost, posts)
    return posts


def _applications(rng, reports, posts, today) -> int:
    by_community: dict[int, list[ServicePost]] = {}
    for p in posts:
        by_community.setdefault(p.community_id, []).append(p)
    taken: dict[int, int] = {}
    rows = []
    for r in reports:
        choices = by_community.get(r.community_id, [])
        for post in rng.sample(choices, k=min(len(choices), rng.choice([1, 1, 2]))):
            full = taken.get(post.pk, 0) >= post.headcount
            status = ApplicationStatus.PENDING if full or rng.random() < 0.1 else ApplicationStatus.CONFIRMED
            if status == ApplicationStatus.CONFIRMED:
                taken[post.pk] = taken.get(post.pk, 0) + 1
            decided = r.confirmed_at + dt.timedelta(days=3) if status == ApplicationStatus.CONFIRMED else None
            rows.append(PostApplication(post_id=post.pk, member_id=r.member_id, status=status, decided_at=decided,
                                        scope_path=post.scope_path))  # fmt: skip
    fast_insert(PostApplication, rows)
    events = []
    for a in rows:
        events.append(PostApplicationEvent(application_id=a.pk, action="apply", to_status=ApplicationStatus.PENDING))
        if a.decided_at:
            events.append(PostApplicationEvent(application_id=a.pk, action="confirm", from_status="pending",
                                               to_status=a.status, created_at=a.decided_at))  # fmt: skip
    fast_insert(PostApplicationEvent, events)
    return len(rows)


SERVICE_CONTENT = {
    ServiceKind.POST: ["在岗值守", "政策宣讲", "法律咨询接待", "义诊量血压", "夜间巡逻"],
    ServiceKind.HOUSEHOLD: ["帮独居老人代购药品", "陪同就医", "上门维修水电", "协助办理医保"],
    ServiceKind.ACTIVITY: ["垃圾分类宣传", "文明创建清扫", "社区文艺汇演服务", "反诈宣传"],
    ServiceKind.NEED: ["认领微心愿：儿童书包", "认领需求：楼道灯维修"],
}


def _records(rng, reports, posts, today) -> int:
    """A year of services (most confirmed; some waiting, a few not confirmed); member rosters' posts first."""
    post_of = {}
    for p in posts:
        post_of.setdefault(p.community_id, p)
    rows = []
    for r in reports:
        days = sorted({today - dt.timedelta(days=rng.randrange(0, 365)) for _ in range(rng.randint(2, 10))})
        for day in days:
            kind = rng.choice(
                [ServiceKind.POST, ServiceKind.POST, ServiceKind.HOUSEHOLD, ServiceKind.ACTIVITY, ServiceKind.NEED]
            )
            roll = rng.random()
            status = (
                RecordStatus.CONFIRMED if roll < 0.85 or day < today - dt.timedelta(days=30) else RecordStatus.PENDING
            )
            if roll > 0.97:
                status = RecordStatus.REJECTED
            rows.append(
                ServiceRecord(
                    member_id=r.member_id,
                    community_id=r.community_id,
                    date=day,
                    hours=Decimal(rng.choice(["1", "1.5", "2", "2.5", "3", "4"])),
                    kind=kind,
                    post_id=post_of[r.community_id].pk if kind == ServiceKind.POST else None,
                    content=rng.choice(SERVICE_CONTENT[kind]),
                    status=status,
                    confirmed_at=_at(day, 18) if status == RecordStatus.CONFIRMED else None,
                    scope_path=r.scope_path,
                )  # fmt: skip
            )
    fast_insert(ServiceRecord, rows)
    events = []
    for rec in rows:
        events.append(
            ServiceRecordEvent(record_id=rec.pk, action="record", to_status="pending", created_at=_at(rec.date, 17))
        )
        if rec.status != RecordStatus.PENDING:
            action = "confirm" if rec.status == RecordStatus.CONFIRMED else "reject"
            events.append(ServiceRecordEvent(record_id=rec.pk, action=action, from_status="pending", to_status=rec.status,
                                             created_at=_at(rec.date, 18)))  # fmt: skip
    fast_insert(ServiceRecordEvent, events)
    return len(rows)


def _links(rng, reports, communities, today) -> list[HouseholdLink]:
    """Each reported member looks after 3–10 households of their community (not their own, not those their
    党员中心户 already links); the first and third grid of every community have at least one."""
    households: dict[int, list[Household]] = {}
    for h in Household.objects.filter(building__grid__isnull=False).select_related("building").order_by("pk"):
        community = communities.get(h.scope_path[: 3 * Area.steplen])
        if community is not None:
            households.setdefault(community.pk, []).append(h)
    through = CentralHousehold.linked_households.through
    central = set(through.objects.values_list("centralhousehold__member_id", "household_id"))
    homes = dict(
        PartyMember.objects.filter(pk__in=[r.member_id for r in reports]).values_list("pk", "resident__household_id")
    )
    rows, seen = [], set()

    def add(member_id, h, since):
        key = (member_id, h.pk)
        if key in seen or key in central or homes.get(member_id) == h.pk:
            return False
        seen.add(key)
        rows.append(HouseholdLink(member_id=member_id, household_id=h.pk, since=since, scope_path=h.scope_path))
        return True

    by_community: dict[int, list[MemberReport]] = {}
    for r in reports:
        by_community.setdefault(r.community_id, []).append(r)
        pool = households.get(r.community_id, [])
        since = r.confirmed_at.date() + dt.timedelta(days=7)
        want, added = rng.randint(3, 10), 0
        for h in rng.sample(pool, k=min(len(pool), 12)):  # a few spare: the member's own home is skipped
            if added < want and add(r.member_id, h, since):
                added += 1
    for community_id, pool in households.items():
        members = by_community.get(community_id, [])
        covered = {h.building.grid_id for h in pool if any((r.member_id, h.pk) in seen for r in members)}
        for index in (0, 2):
            grid_id = _nth_grid(community_id, index)
            if members and grid_id is not None and grid_id not in covered:
                h = next((x for x in pool if x.building.grid_id == grid_id), None)
                if h is not None:
                    add(members[0].member_id, h, today - dt.timedelta(days=60))
    fast_insert(HouseholdLink, rows)
    return rows


def _nth_grid(community_id, index):
    community = Area.objects.get(pk=community_id)
    grids = list(
        Area.objects.filter(kind="grid", path__startswith=community.path)
        .order_by("path")
        .values_list("pk", flat=True)[: index + 1]
    )
    return grids[index] if len(grids) > index else None


def _visits(rng, links, today) -> int:
    rows = []
    for link in links:
        for _ in range(rng.choice([0, 1, 1, 2])):
            rows.append(
                Visit(
                    member_id=link.member_id,
                    household_id=link.household_id,
                    date=today - dt.timedelta(days=rng.randrange(1, 180)),
                    kind=rng.choice(list(VisitKind.values)),
                    notes=rng.choice(
                        ["家中一切正常", "老人身体尚好，叮嘱按时服药", "反映楼道灯不亮，已告知物业", "了解孩子上学情况"]
                    ),
                    scope_path=link.scope_path,
                )  # fmt: skip
            )
    fast_insert(Visit, rows)
    return len(rows)


def _histories(communities, unreported, today):
    """A few reports with a history through the service and the workflow (outside 文昌花园 and 银花街道, whose
    unreported members the tests and the write matrix use): one waiting, one returned."""
    dougang = next((c for c in communities.values() if c.name == "陡岗社区"), None)
    worker = User.objects.filter(username="dougang_worker").first()
    if dougang is None or worker is None:
        return
    waiting = [m for m in unreported if m.resident.scope_path.startswith(dougang.path)]
    service = entity_for(MemberReport).service
    for k, m in enumerate(waiting[:2]):
        report = service.create(actor=worker, member=m, community=dougang, skills="治安巡逻").obj
        if k == 1:
            REPORTS.transition(actor=worker, obj=report, action="return", reason="请补充工作单位党组织联系方式")


def _evaluations(rng, reports, today) -> int:
    """Last year's 年度评议 of the members reported before its end (mostly 合格, some 优秀, a few lower)."""
    year = today.year - 1
    grades = [Grade.EXCELLENT] * 2 + [Grade.QUALIFIED] * 7 + [Grade.BASIC]
    rows = [
        MemberEvaluation(
            member_id=r.member_id,
            community_id=r.community_id,
            year=year,
            grade=rng.choice(grades),
            comment="积极参加社区服务" if rng.random() < 0.5 else "",
            scope_path=r.scope_path,
        )  # fmt: skip
        for r in reports
        if r.confirmed_at.year <= year
    ]
    fast_insert(MemberEvaluation, rows)
    return len(rows)
