"""Demo needs (微心愿 and the communities' needs), resources and projects.

For each community: needs in every state in its first grid (in the first three of 文昌花园 and 陡岗,
the personas' sibling communities) and two at the community itself; a
community resource, a resource in each of those grids and one per street from its co-building unit;
projects matching open or claimed needs with a resource. ``member_demo`` (文昌花园社区) has claimed some
of its community's needs; ``unit_demo``'s unit some of the first street's. The history is replayed
through ``workflow.NEEDS`` (events with their past times; no audit rows, no notices)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.accounts.models import RoleGrant, User
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.models import Organisation
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area

from .choices import Audience, NeedCategory, NeedSource, NeedStatus, ProjectStatus, ProposedBy, ResourceKind
from .models import Need, Project, ProjectEvent, Resource
from .workflow import NEEDS

WISHES = [
    ("为独居老人更换厨房水龙头", NeedCategory.REPAIR, "老人行动不便，水龙头漏水多日。"),
    ("孩子暑期数学辅导", NeedCategory.EDUCATION, "家长上班，希望有人每周辅导两次。"),
    ("陪同老人到医院复诊", NeedCategory.HEALTH, "每月一次到区人民医院复诊，需要陪同。"),
    ("楼道杂物清理", NeedCategory.ENVIRONMENT, "三单元楼道堆放杂物，存在消防隐患。"),
    ("咨询劳动合同纠纷", NeedCategory.LEGAL, "被拖欠工资，想了解如何维权。"),
    ("一套儿童绘本", NeedCategory.EDUCATION, "困难家庭儿童的微心愿。"),
    ("帮助失业青年找工作", NeedCategory.EMPLOYMENT, "希望推荐适合的岗位并指导写简历。"),
    ("老年合唱队排练场地", NeedCategory.CULTURE, "每周二下午需要一间活动室。"),
]
#: The life of each demo need, by its position in a grid: the actions replayed after posting.
PLANS = [
    [],
    ["publish"],
    ["publish", "claim"],
    ["publish", "claim", "complete"],
    ["publish", "claim", "complete", "confirm"],
    ["reject"],
    ["publish", "cancel"],
]
PERSONA_COMMUNITIES = ("文昌花园社区", "陡岗社区")
RESOURCES = [
    ("党员志愿服务队", ResourceKind.VOLUNTEERS, NeedCategory.CARE, "每周六上午"),
    ("法律顾问坐班", ResourceKind.SKILLS, NeedCategory.LEGAL, "每月第一个周三"),
    ("单位会议室", ResourceKind.VENUE, NeedCategory.CULTURE, "工作日晚间、周末"),
    ("微心愿专项资金", ResourceKind.FUNDS, NeedCategory.EDUCATION, "全年"),
    ("维修工具箱", ResourceKind.EQUIPMENT, NeedCategory.REPAIR, "随时借用"),
]


def _payload(action, i):
    return {
        "reject": {"reason": "不属于微心愿范围，已引导走诉求渠道。"},
        "cancel": {"reason": "居民已自行解决。"},
        "complete": {"note": "已上门完成，现场照片已留存。"},
        "confirm": {"rating": 5 - i % 2, "feedback": "非常感谢！"},
    }.get(action, {})


def seed_needs(district: Area, today: dt.date | None = None, log=print) -> int:
    """The demo rows; returns the number of needs."""
    now = timezone.now()
    member = User.objects.filter(username="member_demo").first()
    resident = User.objects.filter(username="resident_demo").first()
    unit_liaison = User.objects.filter(username="unit_demo").first()
    workers = {g.area_id: g.user for g in RoleGrant.objects.filter(role="community_worker").select_related("user")}
    fallback = User.objects.filter(username="qu_admin").first()
    units = {
        o.area.path: o for o in Organisation.objects.filter(kind=OrgKind.UNIT).select_related("area").order_by("-pk")
    }
    liaison_units = set(unit_liaison.organisations.values_list("pk", flat=True)) if unit_liaison else set()
    streets = list(Area.objects.filter(kind=AreaKind.STREET, path__startswith=district.path).order_by("path"))
    street_unit = {s.path: units.get(s.path) for s in streets}
    communities = list(Area.objects.filter(kind=AreaKind.COMMUNITY, path__startswith=district.path).order_by("path"))
    grids: dict[str, list[Area]] = {}
    for grid in Area.objects.filter(kind=AreaKind.GRID, path__startswith=district.path).order_by("path"):
        grids.setdefault(grid.path[: len(grid.path) - grid.steplen], []).append(grid)

    needs, plans, claimers = [], [], []
    resources = []
    n = 0
    for c_index, community in enumerate(communities):
        street_path = community.path[: len(community.path) - community.steplen]
        unit = street_unit.get(street_path)
        recorder = workers.get(community.pk, fallback)
        # Every state in the first three grids of the personas' communities, in the first grid elsewhere
        # (a few hundred replayed steps in all).
        busy = 3 if community.name in PERSONA_COMMUNITIES else 1
        places = [(g, i) for g in grids.get(community.path, [])[:busy] for i in range(len(PLANS))]
        places += [(None, 1), (None, 2)]  # two community needs (需求清单) at the community itself
        for grid, i in places:
            title, category, text = WISHES[n % len(WISHES)]
            personal = member is not None and community.name == "文昌花园社区" and grid is not None and i in (0, 1)
            need = Need(
                title=title, category=category, description=text, quantity=1 + n % 3,
                deadline=(today or timezone.localdate()) + dt.timedelta(days=7 + n % 30),
                community=community, grid=grid, scope_path=(grid or community).path,
                source=NeedSource.RESIDENT if grid is not None else NeedSource.COMMUNITY,
                posted_by=resident if personal else None, recorded_by=None if personal else recorder,
            )  # fmt: skip
            needs.append(need)
            plans.append(PLANS[i])
            # member_demo claims the members' needs of 文昌花园; the street's unit the others (unit_demo's first).
            if community.name == "文昌花园社区" and member is not None:
                claimer = {"user": member, "unit": None, "audience": [Audience.MEMBERS, Audience.BOTH][n % 2]}
            else:
                liaison = unit_liaison if unit is not None and unit.pk in liaison_units else None
                claimer = {"user": liaison, "unit": unit, "audience": [Audience.UNITS, Audience.BOTH][n % 2]}
            claimers.append(claimer)
            n += 1
        if unit is not None:
            name, kind, category, when = RESOURCES[c_index % len(RESOURCES)]
            resources.append(Resource(name=f"{community.name.removesuffix('社区')}{name}", unit=unit, kind=kind,
                                      category=category, availability=when, area=community,
                                      scope_path=community.path, quantity=2))  # fmt: skip
            for g_index, grid in enumerate(grids.get(community.path, [])[:3]):
                name, kind, category, when = RESOURCES[(c_index + g_index + 1) % len(RESOURCES)]
                resources.append(Resource(name=f"{grid.name}{name}", unit=unit, kind=kind, category=category,
                                          availability=when, area=grid, scope_path=grid.path))  # fmt: skip
    for street in streets:
        unit = street_unit.get(street.path)
        if unit is not None:
            for name, kind, category, when in RESOURCES[:2]:
                resources.append(Resource(name=f"{unit.name.split('（')[0]}{name}", unit=unit, kind=kind,
                                          category=category, availability=when, area=street,
                                          scope_path=street.path, quantity=5))  # fmt: skip
    Need.objects.bulk_create(needs)
    Resource.objects.bulk_create(resources)

    for i, (need, plan, claimer) in enumerate(zip(needs, plans, claimers, strict=True)):
        at = now - dt.timedelta(days=len(plan) * 3 + i % 5 + 1)
        NEEDS.event_model.objects.create(need=need, action="post", to_status=NeedStatus.SUBMITTED, created_at=at)
        for action in plan:
            at += dt.timedelta(days=1, hours=i % 7)
            payload = {"audience": claimer["audience"]} if action == "publish" else _payload(action, i)
            need = NEEDS.replay(obj=need, action=action, at=at, payload=payload, extra=claimer, current=True)
        needs[i] = need

    by_path: dict[str, list[Resource]] = {}
    for r in resources:
        by_path.setdefault(r.scope_path, []).append(r)
    projects = []
    live = [x for x in needs if x.status in (NeedStatus.OPEN, NeedStatus.CLAIMED) and x.grid_id is not None]
    for i, need in enumerate(live):
        community_path = need.community.path
        choices = by_path.get(need.scope_path, []) + by_path.get(community_path, [])
        if not choices:
            continue
        resource = choices[i % len(choices)]
        status = [ProjectStatus.PROPOSED, ProjectStatus.ACTIVE, ProjectStatus.FINISHED][i % 3]
        projects.append(Project(
            name=f"{need.title}·{resource.unit.name.split('（')[0]}", need=need, resource=resource,
            owner=["王建国", "李秀英", "张伟", "刘洋"][i % 4], deadline=need.deadline, scope_path=need.scope_path,
            status=status, proposed_by=[ProposedBy.UNIT, ProposedBy.COMMUNITY][i % 2],
            evaluation="按期完成，居民满意。" if status == ProjectStatus.FINISHED else "",
            score=5 if status == ProjectStatus.FINISHED else None,
            finished_at=now if status == ProjectStatus.FINISHED else None,
        ))  # fmt: skip
    Project.objects.bulk_create(projects)
    events = []
    for p in projects:
        events.append(ProjectEvent(project=p, action="propose", to_status=ProjectStatus.PROPOSED))
        if p.status != ProjectStatus.PROPOSED:
            events.append(ProjectEvent(project=p, action="accept", from_status="proposed", to_status="active"))
        if p.status == ProjectStatus.FINISHED:
            events.append(ProjectEvent(project=p, action="finish", from_status="active", to_status="finished"))
    ProjectEvent.objects.bulk_create(events)
    log(f"三单制：{len(needs)} 个需求、{len(resources)} 项资源、{len(projects)} 个项目")
    return len(needs)
