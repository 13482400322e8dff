"""Demo 单位包保: 54 co-building units with valid 统一社会信用代码 pairing all 366 grids, their activities
over the last year, their 报到单 to the communities (confirmed, awaiting, returned — through the workflow's
``replay``) and last year's evaluations. ``seed_organisations`` made the streets' units and ``tickets.demo``
two district units; this seed adds the others up to 54, each serving one community."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from jiceng.accounts.models import RoleGrant
from jiceng.orgs.choices import UnitCategory
from jiceng.orgs.demo import demo_uscc
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area

from .choices import ActivityKind, Grade, ReportStatus
from .models import Pairing, UnitActivity, UnitEvaluation, UnitReport, UnitReportEvent
from .workflow import REPORTS

TOTAL_UNITS = 54
START = dt.date(2019, 3, 1)  # 单位包保 since 2019
C = UnitCategory
#: (name, category, Party organisation suffix, members): the community units, in order.
UNITS = [
    ("南谯区委办公室", C.PARTY_GOVERNMENT, "党支部", 18), ("南谯区人大常委会机关", C.PARTY_GOVERNMENT, "党支部", 15),
    ("南谯区政协机关", C.PARTY_GOVERNMENT, "党支部", 14), ("南谯区纪委监委机关", C.PARTY_GOVERNMENT, "党支部", 22),
    ("南谯区委组织部", C.PARTY_GOVERNMENT, "党支部", 16), ("南谯区委宣传部", C.PARTY_GOVERNMENT, "党支部", 12),
    ("南谯区财政局", C.PARTY_GOVERNMENT, "党支部", 20), ("南谯区民政局", C.PARTY_GOVERNMENT, "党支部", 17),
    ("南谯区人社局", C.PARTY_GOVERNMENT, "党支部", 19), ("南谯区教育体育局", C.PARTY_GOVERNMENT, "党总支", 33),
    ("南谯区卫生健康委", C.PARTY_GOVERNMENT, "党支部", 21), ("南谯区司法局", C.PARTY_GOVERNMENT, "党支部", 15),
    ("南谯区数据资源管理局", C.PARTY_GOVERNMENT, "党支部", 13), ("南谯区生态环境分局", C.PARTY_GOVERNMENT, "党支部", 11),
    ("南谯区退役军人事务局", C.PARTY_GOVERNMENT, "党支部", 10), ("南谯区税务局", C.PARTY_GOVERNMENT, "党委", 48),
    ("南谯区公安分局", C.PARTY_GOVERNMENT, "党委", 95), ("南谯区人民法院", C.PARTY_GOVERNMENT, "党组", 41),
    ("南谯区人民检察院", C.PARTY_GOVERNMENT, "党组", 30), ("南谯区妇幼保健院", C.PUBLIC_INSTITUTION, "党支部", 26),
    ("南谯区中医院", C.PUBLIC_INSTITUTION, "党总支", 38), ("南谯区第一小学", C.PUBLIC_INSTITUTION, "党支部", 19),
    ("南谯区实验小学", C.PUBLIC_INSTITUTION, "党支部", 17), ("滁州市第五中学", C.PUBLIC_INSTITUTION, "党总支", 36),
    ("南谯区图书馆", C.PUBLIC_INSTITUTION, "党支部", 8), ("南谯区疾控中心", C.PUBLIC_INSTITUTION, "党支部", 14),
    ("南谯区融媒体中心", C.PUBLIC_INSTITUTION, "党支部", 12), ("滁州职业技术学院", C.PUBLIC_INSTITUTION, "党委", 120),
    ("国网滁州供电公司南谯分部", C.STATE_OWNED, "党支部", 27), ("中国移动滁州分公司", C.STATE_OWNED, "党委", 52),
    ("中国电信南谯分局", C.STATE_OWNED, "党支部", 23), ("中国邮政南谯分公司", C.STATE_OWNED, "党支部", 21),
    ("中国建设银行南谯支行", C.STATE_OWNED, "党支部", 19), ("中国工商银行南谯支行", C.STATE_OWNED, "党支部", 18),
    ("滁州公交集团", C.STATE_OWNED, "党委", 44), ("滁州市燃气集团", C.STATE_OWNED, "党支部", 25),
    ("滁州交通投资集团", C.STATE_OWNED, "党委", 39), ("滁州市水务集团", C.STATE_OWNED, "党支部", 24),
    ("安徽滁州农商行南谯支行", C.STATE_OWNED, "党支部", 16), ("滁州苏宁广场", C.NON_PUBLIC, "党支部", 9),
    ("滁州万达广场", C.NON_PUBLIC, "党支部", 11), ("安徽金禾实业南谯公司", C.NON_PUBLIC, "党支部", 14),
    ("滁州惠科光电", C.NON_PUBLIC, "党委", 62), ("滁州康佳科技园", C.NON_PUBLIC, "党支部", 15),
    ("安徽天长律师事务所南谯所", C.NON_PUBLIC, "党支部", 6), ("滁州华联超市", C.NON_PUBLIC, "党支部", 7),
    ("南谯区个体劳动者协会", C.SOCIAL, "党支部", 9), ("南谯区义工联合会", C.SOCIAL, "党支部", 12),
    ("南谯区慈善协会", C.SOCIAL, "党支部", 8),
]  # fmt: skip
SECRETARIES = "王建国 李红梅 张志强 刘桂芳 陈晓东 杨丽 赵卫东 黄秀英 周明 吴敏 徐静 孙立新 马超 朱海燕 胡军".split()
DUTIES = [
    "参与网格环境整治和文明创建，每季度至少组织一次志愿服务。",
    "结对帮扶困难家庭，协助网格员走访独居老人。",
    "开放单位场地和资源，支持网格议事和居民活动。",
    "参与矛盾纠纷排查化解和平安建设巡逻。",
]
ACTIVITIES = [
    ("楼道清理志愿服务", ActivityKind.ENVIRONMENT, "清理楼道杂物、小广告，整治飞线充电。"),
    ("走访慰问困难家庭", ActivityKind.ASSISTANCE, "走访网格内困难家庭和独居老人，送去米面油。"),
    ("政策宣讲进网格", ActivityKind.PUBLICITY, "宣讲医保、养老政策，现场解答居民咨询。"),
    ("文明创建劝导", ActivityKind.CIVILITY, "劝导电动车规范停放，宣传垃圾分类。"),
    ("爱心捐赠", ActivityKind.DONATION, "为网格儿童之家捐赠图书和文体用品。"),
    ("义诊进社区", ActivityKind.VOLUNTEER, "组织医护人员测血压、血糖，开展健康咨询。"),
]


def _ensure_units(district: Area, communities: list[Area]) -> list[Organisation]:
    """The units up to :data:`TOTAL_UNITS`: the existing ones get a code and a category where they lack
    them; the new ones serve one community each (round robin)."""
    units = list(Organisation.objects.filter(kind="unit").order_by("pk"))
    taken = set(Organisation.objects.exclude(uscc=None).values_list("uscc", flat=True))
    serial = 900

    def next_code():
        nonlocal serial
        while demo_uscc(serial) in taken:
            serial += 1
        code = demo_uscc(serial)
        taken.add(code)
        return code

    for unit in units:
        if not unit.uscc or not unit.unit_category:
            unit.uscc = unit.uscc or next_code()
            unit.unit_category = unit.unit_category or C.STATE_OWNED
            unit.party_org_name = unit.party_org_name or f"{unit.name}党支部"
            unit.save(update_fields=["uscc", "unit_category", "party_org_name"])
    existing = {u.name for u in units}
    new = []
    for i, (name, category, suffix, members) in enumerate(UNITS[: max(0, TOTAL_UNITS - len(units))]):
        if name in existing:
            continue
        community = communities[i % len(communities)]
        new.append(Organisation(
            kind="unit", name=name, area=community, uscc=next_code(), unit_category=category,
            party_org_name=f"{name}{suffix}", party_secretary=SECRETARIES[i % len(SECRETARIES)],
            party_member_count=members, contact_name=SECRETARIES[(i + 5) % len(SECRETARIES)],
            contact_phone=f"0550-3{i:06d}", address=community.address,
        ))  # fmt: skip
    Organisation.objects.bulk_create(new)
    return list(Organisation.objects.filter(kind="unit").select_related("area").order_by("pk"))


def seed_cobuild(district: Area, log=print, *, today: dt.date | None = None, seed: int = 20260101) -> dict:
    """Units, pairings, activities, reports and evaluations of the demo district (bulk where many)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    if Pairing.objects.exists():
        return {}
    communities = list(Area.objects.filter(path__startswith=district.path, kind="community").order_by("path"))
    units = _ensure_units(district, communities)
    grids_of = {
        c.pk: list(Area.objects.filter(kind="grid", path__startswith=c.path).order_by("path")) for c in communities
    }
    by_community = {c.pk: [u for u in units if u.area_id == c.pk] for c in communities}
    above = [u for u in units if u.area.kind in ("street", "district")]

    pairings = []

    def pair(unit, grid, i):
        pairings.append(Pairing(
            unit=unit, grid=grid, scope_path=grid.path, start_date=START, responsibilities=DUTIES[i % len(DUTIES)],
            contact_name=unit.contact_name or unit.party_secretary or "联络员", contact_phone=unit.contact_phone,
        ))  # fmt: skip

    for ci, community in enumerate(communities):
        own = by_community[community.pk] or units[ci % len(units) : ci % len(units) + 1]
        for gi, grid in enumerate(grids_of[community.pk]):
            pair(own[gi % len(own)], grid, gi)
        # the units serving a street (or the district) pair two grids of each community of their street
        for unit in above:
            if community.path.startswith(unit.area.path) and unit.area.kind == "street":
                for gi, grid in enumerate(grids_of[community.pk][:2]):
                    pair(unit, grid, gi + 1)
    for k, unit in enumerate(u for u in above if u.area.kind == "district"):
        community = communities[k % len(communities)]
        for gi, grid in enumerate(grids_of[community.pk][2:4]):
            pair(unit, grid, gi + 2)
    Pairing.objects.bulk_create(pairings)
    pairings = list(Pairing.objects.select_related("unit", "grid").order_by("pk"))

    activities = []
    for i, p in enumerate(pairings):
        for k in range(1 + i % 2):
            name, kind, content = ACTIVITIES[(i + k) % len(ACTIVITIES)]
            activities.append(UnitActivity(
                pairing=p, scope_path=p.scope_path, name=name, kind=kind, content=content,
                date=today - dt.timedelta(days=rng.randint(1, 360)), participants=rng.randint(3, 25),
                hours=rng.choice([1.5, 2, 2.5, 3, 4]), community_wide=(k == 1),
            ))  # fmt: skip
    UnitActivity.objects.bulk_create(activities)

    reports = _seed_reports(pairings, communities, today, rng)
    log(f"单位包保：{len(units)} 个共建单位，{len(pairings)} 条包保关系，{len(activities)} 次活动，{reports} 份报到单")
    return {"units": len(units), "pairings": len(pairings), "activities": len(activities), "reports": reports}


def _seed_reports(pairings, communities, today, rng) -> int:
    """One report per (unit, community) of the pairings, but every fifth: confirmed mostly, some awaiting,
    some returned (each through the workflow's ``replay``); last year's evaluation of the confirmed."""
    by_path = {c.path: c for c in communities}
    grants = list(
        RoleGrant.objects.filter(role__in=("community_worker", "street_admin", "district_admin"))
        .order_by("-area__depth", "pk")
        .values_list("area__path", "user_id")
    )
    worker_of = {c.pk: next((u for path, u in grants if c.path.startswith(path)), None) for c in communities}
    seen, rows, times = set(), [], []
    for p in pairings:
        community = by_path[p.scope_path[: -Area.steplen]]
        key = (p.unit_id, community.pk)
        if key in seen:
            continue
        seen.add(key)
        if len(seen) % 5 == 0:
            continue  # not reported yet
        times.append(timezone.now() - dt.timedelta(days=rng.randint(30, 300)))
        rows.append(UnitReport(
            pairing=p, unit_id=p.unit_id, community=community, scope_path=community.path,
            content=f"{p.unit.name}报到：{DUTIES[len(rows) % len(DUTIES)]}",
            contact_name=p.contact_name, contact_phone=p.contact_phone,
        ))  # fmt: skip
    UnitReport.objects.bulk_create(rows)
    for report, at in zip(rows, times, strict=True):  # created_at is auto_now_add: set the past times after
        report.created_at = at
        UnitReport.objects.filter(pk=report.pk).update(created_at=at, updated_at=at)
    UnitReportEvent.objects.bulk_create(
        [
            UnitReportEvent(report=r, action="submit", to_status=ReportStatus.SUBMITTED, created_at=r.created_at)
            for r in rows
        ]
    )
    evaluations = []
    for i, report in enumerate(rows):
        at = report.created_at + dt.timedelta(days=3)
        if i % 7 == 3:
            continue  # awaiting confirmation
        if i % 7 == 5:
            REPORTS.replay(obj=report, action="return", at=at, payload={"reason": "报到事项不具体，请补充可提供的服务。"},
                           current=True)  # fmt: skip
            continue
        worker = worker_of.get(report.community_id)
        REPORTS.replay(obj=report, action="confirm", at=at, extra={"confirmer": worker}, current=True)
        evaluations.append(UnitEvaluation(
            report=report, unit_id=report.unit_id, community_id=report.community_id, scope_path=report.scope_path,
            year=today.year - 1, grade=[Grade.EXCELLENT, Grade.GOOD, Grade.GOOD, Grade.PASS][i % 4],
            score=[95, 88, 85, 72][i % 4], comment="积极参与社区治理，报到事项落实较好。",
        ))  # fmt: skip
    UnitEvaluation.objects.bulk_create(evaluations)
    return len(rows)
