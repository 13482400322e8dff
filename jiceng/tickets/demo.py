"""Demo history of the 诉求 loop: ~3,000 tickets over the last 12 months at the default scale.

Called once at the end of ``jiceng.demo.builder.build``. Deterministic (its own seeded RNG): each
ticket plans a realistic path through the state machine of ``states.py`` with plausible delays and
stops where "now" falls, so the recent ones are still open. The tickets are inserted as drafts and
every planned step is then **replayed through the ticket workflow** (``TICKETS.replay``, in time order
across all tickets): the table's states and guards hold and the handlers set the fields, with the
step's past time as "now"; a replay writes no audit row and sends no notification. Some stall (overdue, with the 黄牌 / 红牌 the overdue job would have given), some are
rated 不满意 and sent back (发回重办), some are merged, escalated or whistled to a department.

Also creates the district's departments and co-building units as ``Organisation`` rows, a handler org
for every district / street / community / grid node, and one department account ``dept_chengguan``
(区城市管理局经办人, role ``unit_handler``) so the 吹哨报到 loop can be tried.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from jiceng.core import workdays
from jiceng.core.crypto import encrypt
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.models import Organisation
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area, Building

from .choices import OPEN_STATES, Channel, Satisfaction, Status, SuperviseLevel, Urgency
from .models import Category, Ticket, TicketAction, TicketSequence
from .services import DEFAULT_DISPATCH_HOURS, DEFAULT_FEEDBACK_OTHER, DEFAULT_FEEDBACK_WORKDAYS, phone_hash_for
from .workflow import TICKETS

#: The fields a ticket has at intake (the rest is set by the workflow's handlers during the replay).
INTAKE_FIELDS = (
    "ticket_no", "channel", "category", "urgency", "is_urgent", "description", "title", "reporter_name",
    "reporter_phone", "reporter_phone_hash", "anonymous", "external_id", "grid", "building_id", "address", "lng",
    "lat", "scope_path",
)  # fmt: skip

DEPARTMENTS = [
    (OrgKind.DEPARTMENT, "区城市管理局"),
    (OrgKind.DEPARTMENT, "区住房和城乡建设局"),
    (OrgKind.DEPARTMENT, "区市场监督管理局"),
    (OrgKind.DEPARTMENT, "区生态环境分局"),
    (OrgKind.DEPARTMENT, "区水务局"),
    (OrgKind.UNIT, "国网南谯供电公司"),
    (OrgKind.UNIT, "滁州华润燃气公司"),
]
TICKETS_AT_DEFAULT_SCALE = 3000
DEFAULT_SCALE = 20000
AREA_ORG = {AreaKind.GRID: OrgKind.GRID, AreaKind.COMMUNITY: OrgKind.COMMUNITY, AreaKind.STREET: OrgKind.STREET,
            AreaKind.DISTRICT: OrgKind.DISTRICT}  # fmt: skip
DESCRIPTIONS = {
    "consult": ["咨询居住证办理需要哪些材料", "咨询高龄津贴申领条件", "咨询社区养老服务站开放时间"],
    "help": ["独居老人家中水管漏水无人维修", "残疾人申请轮椅需要帮助", "家中老人走失请求协助寻找"],
    "complaint": ["小区物业长期不清理楼道垃圾", "夜间广场舞噪音扰民", "小区消防通道被车辆占用", "楼下餐馆油烟扰民"],
    "report": ["楼顶有人私搭乱建", "楼道内电动车充电存在安全隐患", "小区内有群租房"],
    "suggestion": ["建议在小区增设休息座椅", "建议延长社区图书室开放时间", "建议增加垃圾分类投放点"],
    "event": ["路面井盖缺失", "人行道占道经营", "积存垃圾未清运", "非法小广告张贴", "工地渣土遗撒"],
}


def _ensure_orgs(district_code: str) -> tuple[dict[int, Organisation], list[Organisation]]:
    district = Area.objects.get(code=district_code)
    areas = list(Area.objects.filter(path__startswith=district.path, kind__in=list(AREA_ORG)))
    existing = {o.area_id for o in Organisation.objects.filter(kind__in=list(AREA_ORG.values()))}
    Organisation.objects.bulk_create(
        [Organisation(kind=AREA_ORG[a.kind], name=a.name, area=a) for a in areas if a.pk not in existing]
    )
    by_area = {o.area_id: o for o in Organisation.objects.filter(kind__in=list(AREA_ORG.values()))}
    departments = []
    for kind, name in DEPARTMENTS:
        org, _ = Organisation.objects.get_or_create(kind=kind, name=name, defaults={"area": district})
        departments.append(org)
    return by_area, departments


def _department_account(district: Area, department: Organisation, password: str):
    from jiceng.accounts.models import RoleGrant, User

    user, created = User.objects.get_or_create(
        username="dept_chengguan",
        defaults={
            "display_name": "区城管局经办人",
            "must_change_password": False,
            "password_changed_at": timezone.now(),
        },
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    RoleGrant.objects.get_or_create(user=user, role="unit_handler", area=district)
    department.members.add(user)


def seed_ticket_history(
    *, scale: int, today: dt.date, password: str, seed: int = 20260101, log=print, district_code="341103"
) -> int:
    """Create the demo ticket history; returns the number of tickets. ``password`` is the demo accounts'
    (``jiceng.demo.accounts.DEMO_PASSWORD``, passed in: nothing imports the demo), for the department account created here."""
    rng = random.Random(seed + 311)
    now = timezone.now()
    by_area, departments = _ensure_orgs(district_code)
    district = Area.objects.get(code=district_code)
    _department_account(district, departments[0], password)
    grids = list(Area.objects.filter(kind=AreaKind.GRID, path__startswith=district.path).order_by("path"))
    parents = {a.path: a for a in Area.objects.filter(kind__in=[AreaKind.COMMUNITY, AreaKind.STREET])}
    buildings: dict[int, list[tuple]] = {}
    for b in Building.objects.values_list("pk", "grid_id", "lng", "lat", "address"):
        buildings.setdefault(b[1], []).append(b)
    categories = list(Category.objects.filter(is_active=True))
    total = max(40, round(TICKETS_AT_DEFAULT_SCALE * scale / DEFAULT_SCALE))
    # Weight towards recent months so the current screens are busy.
    starts = sorted(
        now - dt.timedelta(days=365 * (rng.random() ** 1.6), minutes=rng.randrange(600)) for _ in range(total)
    )
    tickets: list[Ticket] = []
    plans: list[list[tuple]] = []
    serials: dict[dt.date, int] = {}
    for submitted in starts:
        grid = rng.choice(grids)
        category = rng.choice(categories)
        t, plan = _plan(rng, now, submitted, grid, category, by_area, parents, departments, buildings)
        day = timezone.localdate(submitted)
        serials[day] = serials.get(day, 0) + 1
        t.ticket_no = f"{day:%Y%m%d}{serials[day]:04d}"
        tickets.append(t)
        plans.append(plan)
    # A merged ticket is a duplicate of an earlier one: same grid, category and place (a few metres
    # away). Its merge step names the target's row when it is replayed (a plain rejection if none is open).
    targets: dict[int, int] = {}
    for i, t in enumerate(tickets):
        if t.status == Status.MERGED and i > 0:
            j = i - rng.randrange(1, min(i, 15) + 1)
            # 并单 needs a target still open when the duplicate is merged: the drawn one, else the nearest
            # earlier one that is.
            merged_at = plans[i][-1][3]
            j = next((k for k in range(j, -1, -1) if _status_at(plans[k], merged_at) in OPEN_STATES), j)
            target = tickets[j]
            t.grid, t.category, t.scope_path, t.building_id = (
                target.grid,
                target.category,
                target.scope_path,
                target.building_id,
            )
            t.title, t.description, t.address = target.title, target.description, target.address
            t.lng, t.lat = (
                round(target.lng + rng.uniform(-3e-4, 3e-4), 6),
                round(target.lat + rng.uniform(-3e-4, 3e-4), 6),
            )
            targets[i] = j
    rows = [Ticket(**{name: getattr(t, name) for name in INTAKE_FIELDS}, status=Status.DRAFT) for t in tickets]
    Ticket.objects.bulk_create(rows, batch_size=500)
    TicketSequence.objects.bulk_create(
        [TicketSequence(day=d, last=n) for d, n in serials.items()], ignore_conflicts=True
    )
    steps = sorted(
        (step[3], i, n, step)
        for i, plan in enumerate(plans)
        for n, step in enumerate(plan)
        if step[0] != "auto_supervise"
    )
    fetched: set[int] = set()  # rows as the last replay returned them (this build is the only writer)
    for _, i, _, (action, _, _, at, org, comment, payload) in steps:
        row = rows[i]
        if action == "merge":
            target = rows[targets[i]] if i in targets else None
            if target is not None and Ticket.objects.filter(pk=target.pk, status__in=OPEN_STATES).exists():
                payload = {"into": target.pk}
            else:  # nothing earlier (or still open) to merge into: a plain rejection
                action, comment, payload = "reject", "", {"reason": "重复诉求，不予受理"}
            org = by_area[row.grid_id]
        extra = {"org": org, "actor_name": f"{org.name}工作人员" if org else "诉求人"}
        payload = {**payload, "comment": comment} if comment else payload
        rows[i] = TICKETS.replay(obj=row, action=action, at=at, payload=payload, extra=extra, current=i in fetched)
        fetched.add(i)
    _mark_stalled(tickets, rows, plans)
    actions = TicketAction.objects.filter(ticket__in=rows).count()
    log(f"诉求工单：{len(tickets)} 件（流转记录 {actions} 条）")
    return len(tickets)


def _status_at(plan, at: dt.datetime) -> str:
    """The status a planned ticket has at ``at`` (the last of its steps up to then)."""
    status = Status.DRAFT
    for step in plan:
        if step[3] > at:
            break
        status = step[2]
    return status


def _mark_stalled(plans_tickets, rows, plans):
    """What the overdue job would have done to the stalled ones (黄牌, 红牌: a mark, not a status), and
    the 历史遗留 flag of the suspended ones (an intake field, set when the suspension was approved)."""
    historic = [row.pk for t, row in zip(plans_tickets, rows, strict=True) if t.is_historic]
    Ticket.objects.filter(pk__in=historic).update(is_historic=True)
    notes = []
    for t, row, plan in zip(plans_tickets, rows, plans, strict=True):
        marks = [step for step in plan if step[0] == "auto_supervise"]
        if not marks:
            continue
        Ticket.objects.filter(pk=row.pk).update(
            supervise_level=t.supervise_level, yellow_card_at=t.yellow_card_at, red_card_at=t.red_card_at
        )
        status = Ticket.objects.filter(pk=row.pk).values_list("status", flat=True).get()
        for action, _, _, at, _, comment, _ in marks:
            notes.append(
                TicketAction(
                    ticket_id=row.pk,
                    actor_name="系统",
                    action=action,
                    from_status=status,
                    to_status=status,
                    comment=comment,
                    created_at=at,
                )  # fmt: skip
            )
    TicketAction.objects.bulk_create(notes, batch_size=1000)


class _Walk:
    """A ticket walking through the state machine; stops at the first step that would lie in the future."""

    def __init__(self, ticket: Ticket, now: dt.datetime):
        self.t = ticket
        self.now = now
        self.clock = ticket.submitted_at
        self.plan = [("submit", Status.DRAFT, Status.PENDING_ACCEPT, self.clock, None, "", {})]

    def step(self, action, to_status, hours, org, comment="", **payload) -> bool:
        """Plan ``action`` ``hours`` after the previous step, by ``org``, with the workflow payload."""
        at = self.clock + dt.timedelta(hours=hours)
        if at >= self.now:
            return False
        self.plan.append((action, self.t.status, to_status, at, org, comment, payload))
        self.t.status = to_status
        self.clock = at
        return True

    def note(self, action, at, comment):
        """An event without a status change (the overdue job's 督办)."""
        self.plan.append((action, self.t.status, self.t.status, at, None, comment, {}))


def _plan(rng, now, submitted, grid, category, by_area, parents, departments, buildings):
    """One ticket and the events that took it to where it stands now."""
    grid_org = by_area[grid.pk]
    community = parents.get(grid.path[: -Area.steplen])
    street = parents.get(grid.path[: -2 * Area.steplen])
    urgency = rng.choices([Urgency.NORMAL, Urgency.URGENT, Urgency.CRITICAL], [85, 12, 3])[0]
    kind = category.kind
    patrol = kind == "event"
    channel = (
        Channel.PATROL
        if patrol
        else rng.choices(
            [Channel.RESIDENT, Channel.HOTLINE, Channel.PAVILION, Channel.MEMBER_LINK, Channel.VISIT, Channel.OPEN311],
            [40, 30, 8, 8, 10, 4],
        )[0]
    )
    phone = f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}"
    building = None
    if buildings.get(grid.pk) and rng.random() < 0.4:
        building = rng.choice(buildings[grid.pk])
    lng = building[2] if building and building[2] else rng.uniform(grid.min_lng, grid.max_lng)
    lat = building[3] if building and building[3] else rng.uniform(grid.min_lat, grid.max_lat)
    name = rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["先生", "女士"])
    t = Ticket(
        channel=channel, category=category, urgency=urgency, is_urgent=urgency == Urgency.CRITICAL,
        description=rng.choice(DESCRIPTIONS.get(kind, DESCRIPTIONS["event"])), title=category.name,
        reporter_name="" if patrol else encrypt(name), reporter_phone="" if patrol else encrypt(phone),
        reporter_phone_hash="" if patrol else phone_hash_for(phone),
        anonymous=channel == Channel.OPEN311 and rng.random() < 0.3,
        external_id=f"12345{submitted:%y%m%d}{rng.randrange(10000, 99999)}" if channel == Channel.HOTLINE else "",
        grid=grid, building_id=building[0] if building else None, address=(building[4] if building else "")[:200],
        lng=round(lng, 6), lat=round(lat, 6), scope_path=grid.path, submitted_at=submitted,
        dispatch_due_at=submitted + dt.timedelta(hours=DEFAULT_DISPATCH_HOURS[urgency]),
        handler_org=grid_org, status=Status.PENDING_ACCEPT,
    )  # fmt: skip
    w = _Walk(t, now)
    fate = rng.random()
    if fate < 0.04:
        w.step("withdraw", Status.CANCELLED, rng.uniform(0.2, 5), None, "问题已自行解决")
        return t, w.plan
    if fate < 0.08:
        if w.step(
            "reject", Status.REJECTED, rng.uniform(0.5, 10), grid_org, "", reason="不属受理范围，已告知诉求人相关渠道"
        ):
            t.responded_at = w.clock
        return t, w.plan
    if fate < 0.11:
        if w.step("merge", Status.MERGED, rng.uniform(0.5, 10), grid_org, "与同类诉求并单办理"):
            t.responded_at = w.clock
        return t, w.plan
    if not w.step("accept", Status.ACCEPTED, rng.uniform(0.2, DEFAULT_DISPATCH_HOURS[urgency] * 1.3), grid_org):
        return t, w.plan
    t.accepted_at = t.responded_at = w.clock
    t.sla_due_at = workdays.add_working_days(w.clock, DEFAULT_FEEDBACK_WORKDAYS.get(kind, DEFAULT_FEEDBACK_OTHER))
    verifier = by_area.get(community.pk) if community else grid_org
    if kind == "consult" and rng.random() < 0.5:
        reply = "已电话答复诉求人，告知办理材料与地点。"
        if w.step("answer_directly", Status.RESOLVED, rng.uniform(0.1, 4), grid_org, "已电话答复", reply=reply):
            t.completed_at = w.clock
            t.reply = reply
            _close_and_rate(rng, w, verifier)
        return t, w.plan
    lead = grid_org
    route = rng.random()
    if route < 0.15 and community is not None:
        lead = by_area[community.pk]
    elif route < 0.22 and street is not None:
        street_org = by_area[street.pk]
        if not w.step("escalate", Status.ACCEPTED, rng.uniform(1, 24), grid_org, "", to_org=street_org.pk,
                      reason="超出网格处置能力，上报街道"):  # fmt: skip
            return t, w.plan
        t.handler_org, t.dispatcher_org = street_org, grid_org
        dept = rng.choice([d for d in departments if d.kind == OrgKind.DEPARTMENT])
        hours = rng.uniform(1, 24)
        deadline = w.clock + dt.timedelta(hours=hours + 48)
        if not w.step("whistle", Status.ACCEPTED, hours, street_org, "", department=dept.pk, deadline=deadline,
                      reason=f"街道吹哨，请{dept.name}报到"):  # fmt: skip
            return t, w.plan
        t.dispatcher_org, t.handler_org, t.whistle_org = street_org, dept, dept
        t.whistle_deadline = w.clock + dt.timedelta(hours=48)
        if not w.step("report", Status.IN_PROGRESS, rng.uniform(2, 40), dept, "已报到，到现场处置"):
            return t, w.plan
        t.whistle_reported_at = t.dispatched_at = w.clock
        t.lead_org = dept
        _handle(rng, w, dept, verifier)
        return t, w.plan
    hours, dispatcher = rng.uniform(0.2, 8), grid_org
    if lead is not grid_org:  # a grid cannot dispatch upwards: it reports up, and the community leads itself
        if not w.step("escalate", Status.ACCEPTED, hours / 2, grid_org, "", to_org=lead.pk, reason="需社区统筹协调"):
            return t, w.plan
        hours, dispatcher = hours / 2, lead
    if not w.step("dispatch", Status.DISPATCHED, hours, dispatcher, f"派{lead.name}办理", lead_org=lead.pk):
        return t, w.plan
    t.dispatcher_org, t.handler_org, t.lead_org, t.dispatched_at = dispatcher, lead, lead, w.clock
    if w.step("sign", Status.IN_PROGRESS, rng.uniform(0.2, 6), lead):
        _handle(rng, w, lead, verifier)
    return t, w.plan


def _handle(rng, w: _Walk, lead, verifier):
    t = w.t
    recent = w.now - t.submitted_at < dt.timedelta(days=60)
    if rng.random() < (0.1 if recent else 0.01):  # stalls: overdue, supervised as the overdue job would have
        w.step("progress", Status.IN_PROGRESS, rng.uniform(4, 48), lead, "已联系相关方，正在协调")
        if t.sla_due_at and t.sla_due_at < w.now:
            t.supervise_level = SuperviseLevel.YELLOW
            t.yellow_card_at = t.sla_due_at + dt.timedelta(minutes=15)
            w.note("auto_supervise", t.yellow_card_at, "超过办理时限，自动黄牌督办")
            red_at = workdays.add_working_days(t.yellow_card_at, 5)
            if red_at < w.now:
                t.supervise_level = SuperviseLevel.RED
                t.red_card_at = red_at
                w.note("auto_supervise", red_at, "黄牌后 5 个工作日仍未办结，自动红牌督办")
        return
    if rng.random() < 0.02:
        reason = "涉及历史遗留产权问题，需长期协调"
        if w.step("apply_suspend", Status.IN_PROGRESS, rng.uniform(24, 72), lead, "", reason=reason):
            t.suspend_pending = True
            if w.step("approve_suspend", Status.SUSPENDED, rng.uniform(2, 24), t.dispatcher_org):
                t.suspend_pending = False
                t.suspended_at = w.clock
                t.is_historic = True
        return
    reply = "经现场核实，问题已处置完毕，已向诉求人反馈。"
    if not w.step("complete", Status.RESOLVED, rng.uniform(0.5, 12) * 24, lead, "已处置完毕", reply=reply):
        return
    t.completed_at = w.clock
    t.reply = reply
    _close_and_rate(rng, w, verifier)


def _close_and_rate(rng, w: _Walk, verifier):
    t = w.t
    if not w.step("verify_pass", Status.CLOSED, rng.uniform(2, 40), verifier, "现场核查属实"):
        return
    t.closed_at = w.clock
    if t.channel == Channel.PATROL:  # no reporter to call back: it stays 已结案 (archiving needs a rating)
        rng.uniform(24, 120)  # the delay an archive step drew: the random sequence, hence the demo, stays the same
        return
    roll = rng.random()
    if roll < 0.04:
        for _ in range(3):
            if not w.step("record_callback_attempt", Status.CLOSED, rng.uniform(2, 24), verifier, "回访电话未接通"):
                return
            t.callback_attempts += 1
        w.step("archive", Status.ARCHIVED, rng.uniform(2, 48), verifier, "三次回访未接通，归档")
        return
    value = Satisfaction.SATISFIED if roll < 0.78 else Satisfaction.BASIC if roll < 0.9 else Satisfaction.UNSATISFIED
    if value == Satisfaction.UNSATISFIED and roll < 0.96:  # 属实合理: sent back; above that recorded only
        if not w.step("callback_rate", Status.IN_PROGRESS, rng.uniform(4, 30), verifier, "诉求人不满意，发回重办",
                      satisfaction=value, reasonable=True):  # fmt: skip
            return
        t.satisfaction, t.rated_at = value, w.clock
        t.reopen_count += 1
        t.supervise_level = SuperviseLevel.NORMAL
        t.closed_at = t.completed_at = None
        t.handler_org = t.lead_org or t.handler_org
        if not w.step("complete", Status.RESOLVED, rng.uniform(24, 150), t.handler_org, "重新处置完毕",
                      reply="经重新处置，问题已解决，已向诉求人反馈。"):  # fmt: skip
            return
        t.completed_at = w.clock
        if not w.step("verify_pass", Status.CLOSED, rng.uniform(2, 30), verifier, "复核通过"):
            return
        t.closed_at = w.clock
        value = Satisfaction.BASIC
    comment = f"回访：{value.label}" + ("（经核实诉求不合理，不予重办）" if value == Satisfaction.UNSATISFIED else "")
    reasonable = value != Satisfaction.UNSATISFIED  # 不满意 but 不合理: recorded, not sent back
    if not w.step("callback_rate", Status.EVALUATED, rng.uniform(4, 30), verifier, comment, satisfaction=value,
                  reasonable=reasonable):  # fmt: skip
        return
    t.satisfaction, t.rated_at = value, w.clock
    w.step("archive", Status.ARCHIVED, rng.uniform(24, 200), verifier, "")
