"""Demo of the big Party committee: part-time members from co-building units on the 12 community 大党委
and the 3 street 大工委 (180+ at the default scale), a duty roster per committee, two or three joint
meetings per community (one or two per street) with action items in every state, and the community
workers' last assessment and their history.

Members, rosters, assessments and history are bulk rows; the meetings and their items go through the
services (a later meeting's agenda carries the open items of the one before) and the items' steps through
the workflow's ``replay`` (a past history: no audit row, no notice)."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import uscc

from jiceng.accounts.models import User
from jiceng.core.entities import entity_for
from jiceng.orgs.choices import OrgKind, UnitCategory
from jiceng.party.models import PartyOrg
from jiceng.people.choices import WorkerPost
from jiceng.people.models import Worker

from .choices import INDICATORS, AssessmentGrade, DutyPeriod, HistoryKind
from .models import (
    ActionItem,
    CommitteeUnit,
    DutyRoster,
    JointMeeting,
    PartTimeMember,
    WorkerAssessment,
    WorkerHistory,
    period_end,
)
from .services import HISTORY_VALUES, next_period_start
from .workflow import ACTION_ITEMS

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
GIVEN = "建国明华志强海燕文静立新国庆红梅晓东丽娟振宇春生秀英德福玉兰永刚桂芳小军淑珍"
UNIT_KINDS = [
    ("区税务局{}分局", UnitCategory.PARTY_GOVERNMENT, "党支部"),
    ("{}派出所", UnitCategory.PARTY_GOVERNMENT, "党支部"),
    ("{}中心小学", UnitCategory.PUBLIC_INSTITUTION, "党支部"),
    ("{}卫生服务中心", UnitCategory.PUBLIC_INSTITUTION, "党支部"),
    ("国网南谯供电{}营业所", UnitCategory.STATE_OWNED, "党支部"),
    ("滁州{}建设发展有限公司", UnitCategory.NON_PUBLIC, "党支部"),
    ("{}社会工作服务中心", UnitCategory.SOCIAL, "党支部"),
]
POSTS = ["党委书记", "党支部书记", "副书记", "党务专干", "工会主席", "办公室主任"]
MEETING_TOPICS = ["老旧小区改造协调", "文明创建共建", "为民办实事项目", "安全生产联合检查", "暑期青少年关爱"]
ITEM_TOPICS = [
    "协调解决小区停车难问题", "联合开展消防安全检查", "组织党员志愿者结对帮扶", "推进加装电梯意见征集",
    "开展健康义诊进社区", "整治背街小巷环境卫生", "筹办邻里文化节", "排查独居老人安全隐患",
]  # fmt: skip
#: The serials of the units this demo adds (the other demo units count from 1).
UNIT_SERIAL_FROM = 700000


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))


def _units_for(committee, wanted: int, serial: list[int]) -> list[CommitteeUnit]:
    """Units at the committee's node or below it (so that its own people may pick them), more made up
    when there are too few."""
    area = committee.area
    units = list(CommitteeUnit.objects.filter(kind=OrgKind.UNIT, area__path__startswith=area.path).order_by("pk"))[
        :wanted
    ]
    short = area.name.removesuffix("社区").removesuffix("街道")
    new = []
    for i in range(wanted - len(units)):
        template, category, org_suffix = UNIT_KINDS[(len(units) + i) % len(UNIT_KINDS)]
        name = template.format(short)
        first17 = f"91341103MB{serial[0]:07d}"
        serial[0] += 1
        new.append(CommitteeUnit(
            kind=OrgKind.UNIT, name=name, area=area, uscc=first17 + uscc.calc_check_digit(first17),
            unit_category=category, party_org_name=f"{name}{org_suffix}", party_secretary="", party_member_count=8 + i * 3,
        ))  # fmt: skip
    CommitteeUnit.objects.bulk_create(new)
    return units + new


def seed_committee(
    district, *, scale: int = 20000, today: dt.date | None = None, seed: int = 20260101, log=print
) -> dict:
    today = today or timezone.localdate()
    rng = random.Random(seed + 12)
    actor = User.objects.get(username="qu_admin")
    committees = list(
        PartyOrg.objects.filter(is_big_committee=True, scope_path__startswith=district.path)
        .select_related("area")
        .order_by("scope_path")
    )
    per_committee = 13 if scale >= 20000 else max(3, math.ceil(13 * scale / 20000))
    n_units = max(3, math.ceil(per_committee * 0.6))
    serial = [UNIT_SERIAL_FROM]
    members, rosters, units_of = [], [], {}
    for committee in committees:
        units = units_of[committee.pk] = _units_for(committee, n_units, serial)
        for i in range(per_committee):
            unit = units[i % len(units)]
            members.append(PartTimeMember(
                committee=committee, name=_name(rng), unit=unit, post=POSTS[i % len(POSTS)] if i >= len(units) else POSTS[0],
                term_start=committee.term_start or today - dt.timedelta(days=400), scope_path=committee.scope_path,
            ))  # fmt: skip
        period = DutyPeriod.MONTH if committee.area.kind == "community" else DutyPeriod.QUARTER
        start = next_period_start(today - dt.timedelta(days=180 if period == DutyPeriod.MONTH else 270), period)
        for i in range(12 if period == DutyPeriod.MONTH else 6):
            end = period_end(start, period)
            rosters.append(DutyRoster(committee=committee, period=period, start=start, end=end, chair=units[i % len(units)],
                                      scope_path=committee.scope_path))  # fmt: skip
            start = end + dt.timedelta(days=1)
    PartTimeMember.objects.bulk_create(members)
    DutyRoster.objects.bulk_create(rosters)
    by_committee: dict[int, list[PartTimeMember]] = {}
    for m in members:
        by_committee.setdefault(m.committee_id, []).append(m)
    meetings = items = 0
    meeting_service, item_service = entity_for(JointMeeting).service, entity_for(ActionItem).service
    for committee in committees:
        n = (3 if scale >= 20000 else 2) if committee.area.kind == "community" else (2 if scale >= 20000 else 1)
        for k in range(n):
            day = today - dt.timedelta(days=30 * (n - k) + 10)
            topic = MEETING_TOPICS[(committee.pk + k) % len(MEETING_TOPICS)]
            meeting = meeting_service.create(
                actor=actor, committee=committee, name=f"{committee.area.name}{day:%Y年%m月}联席会议（{topic}）", date=day,
                venue=f"{committee.area.name}党群服务中心", agenda=f"研究{topic}工作", minutes=f"会议围绕{topic}议定事项如下。",
            ).obj  # fmt: skip
            meetings += 1
            people = by_committee.get(committee.pk, [])
            for j in range(4):
                owner_member = people[(k + j) % len(people)] if j == 3 and people else None
                item = item_service.create(
                    actor=actor, meeting=meeting, name=ITEM_TOPICS[(committee.pk + k * 4 + j) % len(ITEM_TOPICS)],
                    owner_unit=None if owner_member else units_of[committee.pk][j % len(units_of[committee.pk])],
                    owner_member=owner_member, deadline=day + dt.timedelta(days=(20, 45, 60, 90)[j]),
                ).obj  # fmt: skip
                items += 1
                _advance(item, j, k == n - 1, day)
    _worker_records(district, today, rng)
    log(
        f"大党委：{len(committees)} 个，兼职委员 {len(members)} 名，轮值 {len(rosters)} 期，联席会议 {meetings} 次，议定事项 {items} 项"
    )
    return {"part_time_members": len(members), "meetings": meetings, "items": items}


def _advance(item, j: int, last: bool, day: dt.date) -> None:
    """Items in every state: done, cancelled, in progress (overdue on an older meeting), open."""
    at = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=3), dt.time(9)))
    plan = {0: ["start", "complete"], 1: ["cancel"] if not last else ["start"], 2: ["start"], 3: []}[j]
    payloads = {
        "complete": {"result": "已按期办结，居民满意。"},
        "cancel": {"reason": "经会议研究，并入其他事项办理。"},
    }
    for step, action in enumerate(plan):
        item = ACTION_ITEMS.replay(
            obj=item, action=action, at=at + dt.timedelta(days=step * 5), payload=payloads.get(action)
        )


def _worker_records(district, today: dt.date, rng) -> None:
    """Last year's assessment of every active worker, and the history of post, grade and qualification."""
    workers = list(Worker.objects.filter(scope_path__startswith=district.path, is_active=True).order_by("pk"))
    year = today.year - 1
    assessments, history = [], []
    post_label = dict(WorkerPost.choices)
    for w in workers:
        scores = {f: Decimal(rng.randrange(72, 99)) for f, _, _ in INDICATORS}
        a = WorkerAssessment(worker=w, year=year, **scores, assessor="社区考核小组", assessed_on=dt.date(year + 1, 1, 15),
                             scope_path=w.scope_path)  # fmt: skip
        a.total = a.compute_total()
        a.grade = AssessmentGrade.EXCELLENT if a.total >= 90 else AssessmentGrade.COMPETENT
        assessments.append(a)
        hired = w.hire_date or today - dt.timedelta(days=800)
        history.append(WorkerHistory(worker=w, kind=HistoryKind.POST, name=post_label[w.post], effective_date=hired,
                                     document="入职", scope_path=w.scope_path))  # fmt: skip
        grade_names = HISTORY_VALUES[HistoryKind.GRADE]
        history.append(WorkerHistory(worker=w, kind=HistoryKind.GRADE, name=grade_names[0], effective_date=hired,
                                     scope_path=w.scope_path))  # fmt: skip
        if w.grade and w.grade != "1" and (today - hired).days > 400:
            history.append(WorkerHistory(worker=w, kind=HistoryKind.GRADE, name=grade_names[int(w.grade) - 1],
                                         effective_date=hired + dt.timedelta(days=365), document="南谯民〔年度〕定级",
                                         scope_path=w.scope_path))  # fmt: skip
        if w.qualification:
            label = dict(
                (k, v)
                for k, v in zip(
                    ["", "assistant", "social_worker", "senior"],
                    HISTORY_VALUES[HistoryKind.QUALIFICATION],
                    strict=False,
                )
            )[w.qualification]
            history.append(WorkerHistory(worker=w, kind=HistoryKind.QUALIFICATION, name=label,
                                         effective_date=hired + dt.timedelta(days=200), scope_path=w.scope_path))  # fmt: skip
    WorkerAssessment.objects.bulk_create(assessments)
    WorkerHistory.objects.bulk_create(history)
