"""Writes of the 诉求 loop. Every path (web, API, Open311, Excel import, background jobs) comes here.

* ``ticket_create`` — intake: validates, routes the location to its grid, numbers the ticket and (by
  default) submits it, which puts it in the grid's 待受理 queue and notifies the grid's people.
* ``ticket_transition`` — **the only code that changes a ticket's status**. It locks the row, checks
  the action against the table in ``states.py`` (else :class:`~jiceng.core.errors.Conflict`, HTTP
  409), checks who may take it (``policy.py``, else ``PermissionDenied``, HTTP 403), validates the
  payload (else ``ValidationError``, HTTP 400, in Chinese), applies it, writes a ``TicketAction`` event
  and an audit row, and queues notifications for after the commit.
* ``ticket_auto_supervise`` / ``ticket_remind`` — what the overdue job does (no actor, no status change).
* ``ticket_reveal_contact`` — one ticket's reporter name and phone for who must call back, with a
  reason, logged like a resident's reveal.
* ``followup_code_*`` — the follow-up code (查询码) of a visitor's ticket: random, stored hashed.
* ``attachment_add``, ``workday_set``, ``handler_org_for_area`` — the small supporting writes.
* ``sla_rule_set`` / ``sla_table_set``, ``workday_clear`` / ``workday_set_many`` — the settings pages
  (时限设置、工作日历), district admin only.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jiceng.accounts.roles import ROLES
from jiceng.audit.services import audit_record, sensitive_access_record
from jiceng.core import workdays
from jiceng.core.crypto import lookup_hash
from jiceng.core.errors import Conflict, OutOfScope
from jiceng.core.services import Result
from jiceng.core.validators import validate_phone
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.models import Organisation
from jiceng.territory.choices import AreaKind
from jiceng.territory.geo import grid_for_point
from jiceng.territory.models import Area, Building

from . import policy
from .choices import (
    OPEN_STATES,
    CategoryKind,
    Channel,
    NotificationKind,
    RejectReason,
    Satisfaction,
    Status,
    SuperviseLevel,
    Urgency,
)
from .models import (
    Category,
    Notification,
    SlaRule,
    Ticket,
    TicketAction,
    TicketAttachment,
    TicketSequence,
    WorkCalendarDay,
)
from .states import TRANSITIONS, UNSATISFIED_TARGET, guard_passes

logger = logging.getLogger(__name__)

STATE_CONFLICT = "当前状态不允许此操作（工单状态为“{status}”），可能已被他人处理，请刷新后重试。"
NOT_YOUR_TURN = "您无权对该工单执行“{label}”。"

# --- SLA ---------------------------------------------------------------------------------------

#: DOMAIN (b): dispatch 1 h 特急 / 2 h 紧急 / 24 h 一般; feedback 咨询 3 working days, others 10 (Anhui).
DEFAULT_DISPATCH_HOURS = {Urgency.CRITICAL: 1, Urgency.URGENT: 2, Urgency.NORMAL: 24}
DEFAULT_FEEDBACK_WORKDAYS = {CategoryKind.CONSULT: 3}
DEFAULT_FEEDBACK_OTHER = 10


def sla_for(category: Category, urgency: str) -> tuple[int, int]:
    """``(dispatch_hours, feedback_workdays)``: the category's own rule, else its kind's, else the defaults."""
    rules = list(
        SlaRule.objects.filter(kind=category.kind, urgency=urgency).filter(
            Q(category__isnull=True) | Q(category=category)
        )
    )
    rule = next((r for r in rules if r.category_id == category.pk), None) or next(
        (r for r in rules if r.category_id is None), None
    )
    if rule is not None:
        return rule.dispatch_hours, rule.feedback_workdays
    return (
        DEFAULT_DISPATCH_HOURS.get(urgency, 24),
        DEFAULT_FEEDBACK_WORKDAYS.get(category.kind, DEFAULT_FEEDBACK_OTHER),
    )


# --- organisations and recipients --------------------------------------------------------------

AREA_ORG_KIND = {
    AreaKind.GRID: OrgKind.GRID,
    AreaKind.COMMUNITY: OrgKind.COMMUNITY,
    AreaKind.STREET: OrgKind.STREET,
    AreaKind.DISTRICT: OrgKind.DISTRICT,
}


def handler_org_for_area(area: Area) -> Organisation:
    """The organisation of a territory node (created on first use; quarters have none — use their grid)."""
    kind = AREA_ORG_KIND.get(area.kind)
    if kind is None:
        raise ValidationError("小区不是承办单位，请选择其所在网格或社区。")
    org, _ = Organisation.objects.get_or_create(area=area, kind=kind, defaults={"name": area.name})
    return org


def org_user_ids(org: Organisation | None) -> set[int]:
    """The people to notify for an organisation: ticket-handling grants on its node, its grid workers,
    or its listed members."""
    from jiceng.accounts.models import RoleGrant
    from jiceng.people.models import Worker

    if org is None:
        return set()
    if not org.is_territory:
        return set(org.members.values_list("pk", flat=True))
    roles = [code for code, role in ROLES.items() if role.has_perm(policy.PERM) and not role.personal]
    ids = set(RoleGrant.objects.filter(area_id=org.area_id, role__in=roles).values_list("user_id", flat=True))
    if org.kind == OrgKind.GRID:
        ids |= set(
            Worker.objects.filter(grids=org.area_id, is_active=True, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
    return ids


def _user_orgs(user) -> list[Organisation]:
    return list(Organisation.objects.filter(members=user)) if user is not None and user.pk else []


def acting_org(user, ticket: Ticket) -> Organisation | None:
    """The organisation on whose behalf ``user`` acts on ``ticket`` (for the event row)."""
    if user is None:
        return None
    for org in (ticket.handler_org, ticket.dispatcher_org, ticket.whistle_org):
        if org is not None and policy.user_in_org(user, org):
            return org
    grants = user.scope.grants_with(policy.PERM)
    covering = [g for g in grants if ticket.scope_path.startswith(g.area_path)]
    if covering:
        area = Area.objects.get(pk=max(covering, key=lambda g: len(g.area_path)).area_id)
        if area.kind in AREA_ORG_KIND:
            return handler_org_for_area(area)
    orgs = _user_orgs(user)
    return orgs[0] if orgs else None


# --- notifications -----------------------------------------------------------------------------


@dataclass
class _Outbox:
    items: list[tuple[set[int], int, str, str]] = field(default_factory=list)

    def add(self, user_ids, ticket: Ticket, text: str, kind: str = NotificationKind.PROGRESS):
        ids = {uid for uid in user_ids if uid}
        if ids:
            self.items.append((ids, ticket.pk, text, kind))

    def send_on_commit(self, exclude: int | None = None):
        items = [(ids - {exclude}, tid, text, kind) for ids, tid, text, kind in self.items]
        if any(ids for ids, *_ in items):
            transaction.on_commit(lambda: deliver_notifications(items))


def deliver_notifications(items) -> int:
    """Write the in-app notifications (after the commit that caused them). Returns how many."""
    rows = [
        Notification(user_id=uid, ticket_id=tid, text=text[:300], kind=kind)
        for ids, tid, text, kind in items
        for uid in sorted(ids)
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notification_mark_read(*, actor, ids: list[int] | None = None, ticket=None) -> int:
    """Mark the actor's notifications read: those of ``ticket`` (the user opened it or acted on it), the
    given ``ids``, or all unread ones when neither is given."""
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if ticket is not None:
        qs = qs.filter(ticket=ticket)
    return qs.update(read_at=timezone.now())


# --- intake ------------------------------------------------------------------------------------

TICKET_FIELDS = {
    "channel", "category", "urgency", "title", "description", "reporter_name", "reporter_phone", "anonymous",
    "external_id", "grid", "building", "address", "lng", "lat", "is_urgent", "is_historic",
}  # fmt: skip
ANONYMOUS_CHANNELS = {Channel.RESIDENT, Channel.OPEN311}


def phone_hash_for(phone: str) -> str:
    return lookup_hash("phone:" + phone)


# --- the anonymous reporter's follow-up code (凭编号查询) -------------------------------------------

#: Crockford's base32 (no I, L, O, U: nothing to misread); 28 characters = 140 random bits, shown in
#: groups of four. Only its keyed hash is stored (``Ticket.followup_code_hash``).
FOLLOWUP_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FOLLOWUP_CODE_LENGTH = 28
_FOLLOWUP_READS_AS = str.maketrans("OIL", "011")


def followup_code_new() -> str:
    raw = "".join(secrets.choice(FOLLOWUP_ALPHABET) for _ in range(FOLLOWUP_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, FOLLOWUP_CODE_LENGTH, 4))


def followup_code_normalise(code: str) -> str:
    """What the reporter typed, as the stored hash saw it: case, spaces and dashes do not matter."""
    text = str(code or "").upper().translate(_FOLLOWUP_READS_AS)
    return "".join(ch for ch in text if ch in FOLLOWUP_ALPHABET)


def followup_code_hash(code: str) -> str:
    return lookup_hash("ticket-followup:" + followup_code_normalise(code))


def followup_code_matches(ticket: Ticket, code: str) -> bool:
    """Whether ``code`` is the follow-up code of ``ticket`` — only ever true for a ticket a visitor
    submitted without an account (a patrol event, a staff or account ticket has no code)."""
    if not ticket.followup_code_hash or ticket.reporter_user_id or ticket.recorded_by_id:
        return False
    if not followup_code_normalise(code):
        return False
    return hmac.compare_digest(ticket.followup_code_hash, followup_code_hash(code))


def _personal_reporter(user) -> bool:
    return user is not None and any(
        ROLES[g.role].personal and ROLES[g.role].has_perm("tickets.add_ticket") for g in user.scope.grants
    )


def _personal_channel(user) -> str:
    """A personal account reports for itself: a resident through 居民上报; a Party member (with no
    resident account) through 党员联户 — what members hear from the households they are linked with."""
    roles = {
        g.role for g in user.scope.grants if ROLES[g.role].personal and ROLES[g.role].has_perm("tickets.add_ticket")
    }
    return Channel.MEMBER_LINK if roles == {"party_member"} else Channel.RESIDENT


def route_location(*, grid=None, building=None, lng=None, lat=None) -> tuple[Area, Building | None, float, float]:
    """Where a ticket goes: the building's grid, else the grid containing the point, else the given grid.

    Returns ``(grid, building, lng, lat)``; raises ``ValidationError`` when nothing locates it.
    """
    if building is not None:
        if not isinstance(building, Building):
            building = Building.objects.filter(pk=building).select_related("grid").first()
            if building is None:
                raise ValidationError({"building": "楼栋不存在。"})
        return (
            building.grid,
            building,
            lng if lng is not None else building.lng,
            lat if lat is not None else building.lat,
        )
    if lng is not None and lat is not None:
        try:
            lng, lat = float(lng), float(lat)
        except (TypeError, ValueError):
            raise ValidationError({"lng": "经纬度必须是数字。"})
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValidationError({"lng": "经纬度超出范围（应为 WGS84 经度、纬度）。"})
        found = grid_for_point(lng, lat)
        if found is None:
            raise ValidationError({"lng": "该位置不在本区任何网格内，请重新选点或选择楼栋。"})
        return found, None, lng, lat
    if grid is not None:
        if not isinstance(grid, Area):
            grid = Area.objects.filter(pk=grid).first()
        if grid is None or grid.kind != AreaKind.GRID:
            raise ValidationError({"grid": "请选择一个网格。"})
        return grid, None, lng, lat
    raise ValidationError({"location": "请在地图上选择位置，或选择楼栋。"})


def next_ticket_no(day: dt.date) -> str:
    """``YYYYMMDD`` + a 4-digit serial of the day, taken under a row lock (no two tickets share one)."""
    with transaction.atomic():
        TicketSequence.objects.get_or_create(day=day)
        seq = TicketSequence.objects.select_for_update().get(pk=day)
        seq.last += 1
        seq.save(update_fields=["last"])
    return f"{day:%Y%m%d}{seq.last:04d}"


@transaction.atomic
def ticket_create(*, actor, submit: bool = True, **data) -> Result[Ticket]:
    """Record a 诉求 or a 巡查 event; routes it to its grid and (unless ``submit=False``) submits it.

    ``actor`` may be ``None`` for an anonymous resident or the Open311 facade (channels 居民上报 and
    Open311 only; a phone number is then required). A resident account reports for itself; staff
    record for others (``recorded_by``) and need ``tickets.add_ticket`` on the target grid.
    """
    unknown = set(data) - TICKET_FIELDS
    if unknown:
        raise ValidationError({k: "该字段不可设置。" for k in sorted(unknown)})
    errors: dict[str, str] = {}
    warnings: list[str] = []
    category = data.get("category")
    if category is not None and not isinstance(category, Category):
        category = Category.objects.filter(pk=category).first()
    if category is None or not category.is_active:
        errors["category"] = "请选择有效的诉求类别。"
    description = (data.get("description") or "").strip()
    if not description:
        errors["description"] = "请填写诉求内容。"
    elif len(description) > 4000:
        errors["description"] = "诉求内容不能超过 4000 字。"
    channel = data.get("channel") or (Channel.RESIDENT if actor is None else Channel.PATROL)
    if actor is not None and not actor.scope.grants_with("tickets.add_ticket"):
        channel = _personal_channel(actor)  # a resident reports for themself, whatever the form said
    if channel not in Channel.values:
        errors["channel"] = "来源渠道无效。"
    urgency = data.get("urgency") or Urgency.NORMAL
    if urgency not in Urgency.values:
        errors["urgency"] = "紧急程度无效。"
    phone = (data.get("reporter_phone") or "").strip()
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            errors["reporter_phone"] = exc.messages[0]
    external_id = (data.get("external_id") or "").strip()
    if channel == Channel.HOTLINE and not external_id:
        errors["external_id"] = "12345 转办的诉求须填写 12345 工单号。"

    personal = _personal_reporter(actor)
    if actor is None:
        if channel not in ANONYMOUS_CHANNELS:
            errors["channel"] = "匿名提交只能是居民上报。"
        if not phone and "reporter_phone" not in errors:
            errors["reporter_phone"] = "匿名提交须留下手机号码，以便回访。"
    try:
        grid, building, lng, lat = route_location(
            grid=data.get("grid"), building=data.get("building"), lng=data.get("lng"), lat=data.get("lat")
        )
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        grid = building = lng = lat = None
    if errors:
        raise ValidationError(errors)

    staff = actor is not None and actor.scope.covers_path(grid.path, "tickets.add_ticket")
    if actor is not None and not staff:
        if not personal:
            raise OutOfScope()
        channel = _personal_channel(actor)  # a resident reports for themself, whatever the form said
    if external_id and Ticket.objects.filter(channel=channel, external_id=external_id).exists():
        raise ValidationError({"external_id": "该外部工单号已登记，请勿重复录入。"})

    reporter_name = (data.get("reporter_name") or "").strip()
    reporter_user = None
    if actor is not None and not staff:
        reporter_user = actor
        member = getattr(actor, "party_member", None)
        resident = getattr(actor, "resident", None) or (member.resident if member is not None else None)
        if resident is not None:
            reporter_name = reporter_name or resident.name
            phone = phone or (resident.phone or "")
        if member is not None:
            reporter_name = reporter_name or member.name
            phone = phone or (member.phone or "")
    # A visitor without an account follows (and may withdraw or rate) the request with a code shown once.
    followup_code = followup_code_new() if actor is None and channel == Channel.RESIDENT else ""
    now = timezone.now()
    ticket = Ticket(
        ticket_no=next_ticket_no(timezone.localdate(now)),
        channel=channel,
        category=category,
        urgency=urgency,
        title=(data.get("title") or "").strip()[:100],
        description=description,
        reporter_name=reporter_name,
        reporter_phone=phone,
        reporter_phone_hash=phone_hash_for(phone) if phone else "",
        reporter_user=reporter_user,
        anonymous=bool(data.get("anonymous")),
        recorded_by=actor if staff else None,
        followup_code_hash=followup_code_hash(followup_code) if followup_code else "",
        external_id=external_id,
        grid=grid,
        building=building,
        address=(data.get("address") or (building.address if building else "") or "").strip()[:200],
        lng=lng,
        lat=lat,
        is_urgent=bool(data.get("is_urgent")) or urgency == Urgency.CRITICAL,
        is_historic=bool(data.get("is_historic")),
        status=Status.DRAFT,
        scope_path=grid.path,
    )
    ticket.full_clean(exclude=["ticket_no", "reporter_phone_hash", "followup_code_hash", "scope_path"])
    ticket.save()
    audit_record(actor=actor, action="create", obj=ticket, detail={"ticket_no": ticket.ticket_no, "channel": channel})
    if submit:
        ticket = ticket_transition(actor=actor, ticket=ticket, action="submit", _system_reporter=actor is None)
    from .selectors import suggest_duplicates

    duplicates = suggest_duplicates(ticket)
    if duplicates:
        warnings.append("附近有相似的未办结诉求：" + "、".join(t.ticket_no for t in duplicates[:5]) + "，可考虑并单。")
    ticket.followup_code = followup_code  # shown once to the visitor; never stored plainly
    return Result(ticket, warnings)


# --- the reporter's contact -------------------------------------------------------------------

#: The ``field`` of the access-log row of a reveal (name and phone of the reporter, one ticket).
REVEAL_FIELD = "reporter_contact"
REVEAL_LABEL = "诉求人联系方式"
REVEAL_REFUSED = "只有受理人员和承办该工单的人员可以查看诉求人的联系方式。"


def ticket_reveal_contact(*, actor, ticket: Ticket, reason: str) -> dict[str, str]:
    """The reporter's full name and phone of one ticket, for calling them back; logged like a resident's
    reveal (``SensitiveAccessLog`` + an audit ``reveal`` row). Needs a reason (≥ 4 characters) and
    ``policy.user_may_reveal_reporter_contact``; a refusal is audited (``reveal_denied``) and raises
    ``PermissionDenied``. Not atomic as a whole: the refusal's audit row must stay written.
    """
    reason = (reason or "").strip()
    if actor is None or not Ticket.objects.restrict(actor, "view").filter(pk=ticket.pk).exists():
        raise OutOfScope("未找到工单，或工单不在您的管辖范围内。")
    if not policy.user_may_reveal_reporter_contact(actor, ticket):
        audit_record(
            actor=actor, action="reveal_denied", obj=ticket, success=False,
            detail={"field": REVEAL_FIELD, "reason": reason[:200]},
        )  # fmt: skip
        raise PermissionDenied(REVEAL_REFUSED)
    if not (ticket.reporter_phone or ticket.reporter_name):
        raise ValidationError({"reason": "该工单没有诉求人联系方式。"})
    if len(reason) < 4:
        raise ValidationError({"reason": "请填写查看理由（至少 4 个字）。"})
    with transaction.atomic():
        sensitive_access_record(actor=actor, obj=ticket, field=REVEAL_FIELD, reason=reason[:200])
    name = ticket.reporter_name if policy.user_reveals_reporter_name(actor, ticket) else "匿名"
    return {"reporter_name": name or "", "reporter_phone": ticket.reporter_phone or ""}


# --- the transition service --------------------------------------------------------------------

OPTIONAL = {
    "reject": {"reason_code"},
    "dispatch": {"co_orgs", "handler_user", "sla_days"},
    "callback_rate": {"comment", "reasonable"},
    "complete": {"comment"},
    "supervise": {"comment", "urgent"},
}
COMMON = {"comment", "attachments"}


@dataclass
class _Ctx:
    actor: object
    ticket: Ticket
    payload: dict
    now: dt.datetime
    outbox: _Outbox
    update: set[str] = field(default_factory=set)
    to_status: str | None = None
    comment: str = ""
    data: dict = field(default_factory=dict)

    def set(self, **values):
        for key, value in values.items():
            setattr(self.ticket, key, value)
            self.update.add(key)


def _text(payload, key, label, *, required=True, max_length=2000) -> str:
    value = payload.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise ValidationError({key: f"请填写{label}。"})
    if len(value) > max_length:
        raise ValidationError({key: f"{label}不能超过 {max_length} 字。"})
    return value


def _datetime(payload, key, label) -> dt.datetime:
    value = payload.get(key)
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time(23, 59, 59))
    else:
        parsed = parse_datetime(str(value or "").strip()) if value else None
        if parsed is None and value:
            try:
                parsed = dt.datetime.combine(dt.date.fromisoformat(str(value).strip()), dt.time(23, 59, 59))
            except ValueError:
                parsed = None
    if parsed is None:
        raise ValidationError({key: f"{label}格式不正确（如 2026-03-01 18:00）。"})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _org(value, key, label) -> Organisation:
    if isinstance(value, Organisation):
        org = value
    else:
        try:
            org = Organisation.objects.select_related("area").get(pk=int(value), is_active=True)
        except (TypeError, ValueError, Organisation.DoesNotExist):
            raise ValidationError({key: f"{label}不存在。"})
    if not org.is_active:
        raise ValidationError({key: f"{label}已停用。"})
    return org


def _may_receive(holder: Organisation, target: Organisation, ticket: Ticket) -> str | None:
    """Why ``holder`` may not dispatch to ``target`` (None: it may)."""
    if target.is_territory:
        if not holder.is_territory:
            return "职能部门承办的事项不得下派给街道、社区或网格。"  # 12345 guidance
        if not policy._org_path(target).startswith(policy._org_path(holder)):
            return "只能派给本级或下级单位，或职能部门、共建单位。"
        if not ticket.scope_path.startswith(policy._org_path(target)):
            return "承办单位须管辖诉求发生地。"
        return None
    if not ticket.scope_path.startswith(policy._org_path(target)):
        return "该单位不服务于诉求发生地。"
    return None


def _lock(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("category", "handler_org__area", "dispatcher_org__area", "whistle_org__area", "lead_org")
        .get(pk=ticket.pk)
    )


#: What an anonymous reporter may do once the caller has proved to be them (the intake itself, or the
#: ticket number + lookup code given at submission): submit, withdraw and rate — nothing else.
ANONYMOUS_REPORTER_ACTIONS = {"submit", "withdraw", "callback_rate"}


def ticket_transition(*, actor, ticket: Ticket, action: str, **payload) -> Ticket:
    """Apply ``action`` to ``ticket`` on behalf of ``actor``; returns the ticket as it now stands.

    ``_system_reporter=True`` with ``actor=None`` means the caller has proved to be the anonymous
    reporter (see ``ANONYMOUS_REPORTER_ACTIONS``); views pass it only after checking the lookup code.

    Raises ``Conflict`` (409) when the current state or flags do not allow the action — including when
    someone else acted first — ``PermissionDenied`` (403) when this actor may not take it, and
    ``ValidationError`` (400) for a bad payload. A refused call writes nothing.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError({"action": f"未知的操作“{action}”。"})
    system_reporter = payload.pop("_system_reporter", False)
    allowed_keys = set(transition.required) | OPTIONAL.get(action, set()) | COMMON
    unknown = set(payload) - allowed_keys
    if unknown:
        raise ValidationError({k: "该操作不支持此参数。" for k in sorted(unknown)})

    with transaction.atomic():
        locked = _lock(ticket)
        if actor is not None and not Ticket.objects.restrict(actor, "view").filter(pk=locked.pk).exists():
            raise OutOfScope("未找到工单，或工单不在您的管辖范围内。")
        status = Status(locked.status)
        if status not in transition.sources:
            raise Conflict(STATE_CONFLICT.format(status=status.label))
        if not guard_passes(transition.guard, locked):
            from .states import GUARD_MESSAGES

            raise Conflict(GUARD_MESSAGES[transition.guard])
        # Only a ticket a visitor submitted without an account (it has a follow-up code; a patrol event,
        # a staff-recorded or an account's ticket has none) can be withdrawn or rated that way.
        anonymous_reporter = (
            system_reporter
            and actor is None
            and action in ANONYMOUS_REPORTER_ACTIONS
            and locked.reporter_user_id is None
            and locked.recorded_by_id is None
            and (action == "submit" or bool(locked.followup_code_hash))
        )
        if not anonymous_reporter and not policy.actor_may(actor, locked, transition):
            raise PermissionDenied(NOT_YOUR_TURN.format(label=transition.label))

        ctx = _Ctx(actor=actor, ticket=locked, payload=payload, now=timezone.now(), outbox=_Outbox())
        ctx.comment = _text(payload, "comment", "说明", required=False)
        attachments = _attachments(actor, locked, payload.get("attachments"))
        org = acting_org(actor, locked)
        HANDLERS[action](ctx)
        to_status = ctx.to_status or transition.target or status
        if to_status != status:
            ctx.set(status=to_status)
        if ctx.update:
            locked.save(update_fields=sorted(ctx.update | {"updated_at"}))
        event = TicketAction.objects.create(
            ticket=locked,
            actor=actor if actor is not None and actor.pk else None,
            actor_name=(str(actor) if actor is not None else "匿名诉求人")[:100],
            org=org,
            action=action,
            from_status=status,
            to_status=to_status,
            comment=ctx.comment,
            data=ctx.data,
        )
        if attachments:
            TicketAttachment.objects.filter(pk__in=[a.pk for a in attachments]).update(action=event)
        audit_record(
            actor=actor,
            action=f"ticket_{action}",
            obj=locked,
            detail={"ticket_no": locked.ticket_no, "from": status, "to": to_status, **ctx.data},
        )
        ctx.outbox.send_on_commit(exclude=actor.pk if actor is not None else None)
        if actor is not None and actor.pk:  # acting on a ticket answers what the bell said about it
            notification_mark_read(actor=actor, ticket=locked)
    locked.refresh_from_db()
    return locked


def _attachments(actor, ticket, ids) -> list[TicketAttachment]:
    if not ids:
        return []
    if not isinstance(ids, (list, tuple)):
        ids = [ids]
    try:
        ids = [int(i) for i in ids]
    except (TypeError, ValueError):
        raise ValidationError({"attachments": "附件编号无效。"})
    found = list(TicketAttachment.objects.filter(pk__in=ids, ticket=ticket, action__isnull=True, uploaded_by=actor))
    if len(found) != len(set(ids)):
        raise ValidationError({"attachments": "附件不存在，或不属于该工单。"})
    return found


def _reporter(ticket) -> set[int]:
    return {ticket.reporter_user_id} if ticket.reporter_user_id else set()


# --- one function per action (called by ticket_transition only, inside its transaction) --------


def _submit(ctx: _Ctx):
    t = ctx.ticket
    grid_org = handler_org_for_area(t.grid)
    dispatch_hours, _ = sla_for(t.category, t.urgency)
    ctx.set(handler_org=grid_org, submitted_at=ctx.now, dispatch_due_at=ctx.now + dt.timedelta(hours=dispatch_hours))
    ctx.outbox.add(org_user_ids(grid_org), t, f"新诉求待受理：{t.ticket_no} {t.category.name}", NotificationKind.TODO)
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 已提交，等待受理。")


def _accept(ctx: _Ctx):
    t = ctx.ticket
    _, days = sla_for(t.category, t.urgency)
    ctx.set(
        accepted_at=ctx.now,
        responded_at=t.responded_at or ctx.now,
        sla_due_at=workdays.add_working_days(ctx.now, days),
        handler_user=ctx.actor,
    )
    ctx.data["sla_due_at"] = t.sla_due_at.isoformat()
    ctx.outbox.add(
        _reporter(t), t, f"您的诉求 {t.ticket_no} 已受理，办理时限 {timezone.localtime(t.sla_due_at):%m月%d日}。"
    )


def _reject(ctx: _Ctx):
    t = ctx.ticket
    reason = _text(ctx.payload, "reason", "不予受理的理由")
    code = ctx.payload.get("reason_code") or RejectReason.OTHER
    if code not in RejectReason.values:
        raise ValidationError({"reason_code": "不予受理的理由类别无效。"})
    ctx.comment = ctx.comment or reason
    ctx.data.update(reason=reason, reason_code=code)
    ctx.set(responded_at=t.responded_at or ctx.now, reply=reason)
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 不予受理：{reason}")


def _merge(ctx: _Ctx):
    t = ctx.ticket
    into = ctx.payload.get("into")
    into_id = into.pk if isinstance(into, Ticket) else into
    try:
        into_id = int(into_id)
    except (TypeError, ValueError):
        raise ValidationError({"into": "请选择要并入的工单。"})
    if into_id == t.pk:
        raise ValidationError({"into": "不能并入自身。"})
    visible = Ticket.objects.restrict(ctx.actor, "view") if ctx.actor is not None else Ticket.objects.none()
    target = visible.select_for_update(of=("self",)).filter(pk=into_id).first()
    if target is None:
        raise ValidationError({"into": "要并入的工单不存在，或不在您的管辖范围内。"})
    if target.status not in OPEN_STATES:
        raise ValidationError({"into": f"并单目标须为未办结的工单（目标工单状态为“{target.get_status_display()}”）。"})
    ctx.set(merged_into=target, responded_at=t.responded_at or ctx.now)
    ctx.data["into"] = target.ticket_no
    TicketAction.objects.create(
        ticket=target, actor=ctx.actor, actor_name=str(ctx.actor)[:100], action="merged_in",
        from_status=target.status, to_status=target.status, comment=f"并入工单 {t.ticket_no}", data={"from": t.ticket_no},
    )  # fmt: skip
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 已与同类诉求 {target.ticket_no} 合并办理。")


def _answer_directly(ctx: _Ctx):
    t = ctx.ticket
    reply = _text(ctx.payload, "reply", "答复内容", max_length=4000)
    ctx.set(
        reply=reply, completed_by=ctx.actor, completed_at=ctx.now, responded_at=t.responded_at or ctx.now,
        accepted_at=t.accepted_at or ctx.now, handler_user=ctx.actor,
    )  # fmt: skip
    ctx.outbox.add(_reporter(t), t, f"您的咨询 {t.ticket_no} 已答复：{reply[:100]}")


def _handle_on_spot(ctx: _Ctx):
    """当场处置: the grid worker who found it settles it at once — 受理 and 办结 in one step, with the
    handling note (and photos, through ``attachments``). It lands in 已办结待核查 like ``complete``, and
    the verifier is never this user (``Actor.VERIFIER``): the grid's and the community's people are told."""
    t = ctx.ticket
    reply = _text(ctx.payload, "reply", "处置情况", max_length=4000)
    _, days = sla_for(t.category, t.urgency)
    ctx.set(
        reply=reply, completed_by=ctx.actor, completed_at=ctx.now, handler_user=ctx.actor, lead_org=t.handler_org,
        accepted_at=t.accepted_at or ctx.now, responded_at=t.responded_at or ctx.now,
        sla_due_at=t.sla_due_at or workdays.add_working_days(ctx.now, days),
    )  # fmt: skip
    verifiers = org_user_ids(t.handler_org)
    community = Area.objects.filter(path=t.scope_path[: -Area.steplen], kind=AreaKind.COMMUNITY).first()
    if community is not None:
        verifiers |= org_user_ids(handler_org_for_area(community))
    ctx.outbox.add(verifiers, t, f"网格员当场处置，待核查：{t.ticket_no}", NotificationKind.TODO)
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 已当场处置：{reply[:100]}")


def _dispatch(ctx: _Ctx):
    t = ctx.ticket
    holder = t.handler_org
    lead = _org(ctx.payload.get("lead_org"), "lead_org", "牵头单位")
    why = _may_receive(holder, lead, t)
    if why:
        raise ValidationError({"lead_org": why})
    co_ids = ctx.payload.get("co_orgs") or []
    if not isinstance(co_ids, (list, tuple)):
        co_ids = [co_ids]
    co_orgs = []
    for value in co_ids:
        org = _org(value, "co_orgs", "协办单位")
        why = _may_receive(holder, org, t)
        if why:
            raise ValidationError({"co_orgs": why})
        if org.pk != lead.pk and org not in co_orgs:
            co_orgs.append(org)
    handler_user = None
    if ctx.payload.get("handler_user"):
        from jiceng.accounts.models import User

        handler_user = User.objects.filter(pk=ctx.payload["handler_user"], is_active=True).first()
        if handler_user is None or not policy.user_in_org(handler_user, lead):
            raise ValidationError({"handler_user": "经办人须是牵头单位的人员。"})
    sla_days = ctx.payload.get("sla_days")
    if sla_days not in (None, ""):
        try:
            sla_days = int(sla_days)
        except (TypeError, ValueError):
            raise ValidationError({"sla_days": "办理时限须为工作日天数（整数）。"})
        if not 1 <= sla_days <= 60:
            raise ValidationError({"sla_days": "办理时限须在 1 至 60 个工作日之间。"})
        ctx.set(sla_due_at=workdays.add_working_days(ctx.now, sla_days))
    ctx.set(
        dispatcher_org=holder, handler_org=lead, lead_org=lead, handler_user=handler_user,
        dispatched_at=t.dispatched_at or ctx.now,
    )  # fmt: skip
    t.co_orgs.set(co_orgs)
    ctx.data.update(lead_org=lead.name, co_orgs=[o.name for o in co_orgs], sla_days=sla_days)
    due = timezone.localtime(t.due_at).strftime("%m月%d日") if t.due_at else "—"
    ctx.outbox.add(org_user_ids(lead), t, f"派单待签收：{t.ticket_no}（牵头），时限 {due}", NotificationKind.TODO)
    for org in co_orgs:
        ctx.outbox.add(org_user_ids(org), t, f"派单协办：{t.ticket_no}，牵头单位 {lead.name}", NotificationKind.TODO)


def _sign(ctx: _Ctx):
    t = ctx.ticket
    ctx.set(handler_user=t.handler_user or ctx.actor)
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 已由 {t.handler_org} 签收办理。")


def _return(ctx: _Ctx):
    t = ctx.ticket
    reason = _text(ctx.payload, "reason", "退单理由")
    ctx.comment = ctx.comment or reason
    back_to = t.dispatcher_org or t.handler_org
    ctx.data.update(reason=reason, back_to=back_to.name)
    ctx.set(handler_org=back_to, lead_org=None, handler_user=None)
    t.co_orgs.clear()
    ctx.outbox.add(
        org_user_ids(back_to), t, f"工单被退回，请审核后改派：{t.ticket_no}（{reason}）", NotificationKind.TODO
    )


def _escalate(ctx: _Ctx):
    t = ctx.ticket
    reason = _text(ctx.payload, "reason", "上报理由")
    target = _org(ctx.payload.get("to_org"), "to_org", "上报单位")
    holder = t.handler_org
    holder_path = policy._org_path(holder)
    if not target.is_territory:
        raise ValidationError({"to_org": "上报须报给上级街道或区；请求职能部门处置请用“吹哨”。"})
    target_path = policy._org_path(target)
    higher = holder_path.startswith(target_path) and (len(target_path) < len(holder_path) or not holder.is_territory)
    if not higher:
        raise ValidationError({"to_org": "只能上报给上级单位。"})
    ctx.comment = ctx.comment or reason
    ctx.data.update(reason=reason, to_org=target.name)
    ctx.set(handler_org=target, dispatcher_org=holder, handler_user=None, lead_org=None)
    t.co_orgs.clear()
    ctx.outbox.add(org_user_ids(target), t, f"下级上报待处理：{t.ticket_no}（{reason}）", NotificationKind.TODO)


def _whistle(ctx: _Ctx):
    t = ctx.ticket
    reason = _text(ctx.payload, "reason", "吹哨事由")
    dept = _org(ctx.payload.get("department"), "department", "报到部门")
    if dept.kind != OrgKind.DEPARTMENT:
        raise ValidationError({"department": "吹哨须指定一个职能部门。"})
    if not t.scope_path.startswith(policy._org_path(dept)):
        raise ValidationError({"department": "该部门不服务于诉求发生地。"})
    deadline = _datetime(ctx.payload, "deadline", "报到时限")
    if deadline <= ctx.now:
        raise ValidationError({"deadline": "报到时限须晚于当前时间。"})
    ctx.comment = ctx.comment or reason
    ctx.data.update(reason=reason, department=dept.name, deadline=deadline.isoformat())
    ctx.set(
        handler_org=dept, dispatcher_org=t.handler_org, whistle_org=dept, whistle_deadline=deadline,
        whistle_reported_at=None, handler_user=None, lead_org=None,
    )  # fmt: skip
    ctx.outbox.add(
        org_user_ids(dept), t,
        f"街道吹哨，请于 {timezone.localtime(deadline):%m月%d日 %H:%M} 前报到：{t.ticket_no}（{reason}）",
        NotificationKind.TODO,
    )  # fmt: skip


def _report(ctx: _Ctx):
    t = ctx.ticket
    ctx.set(whistle_reported_at=ctx.now, lead_org=t.whistle_org, handler_user=ctx.actor,
            dispatched_at=t.dispatched_at or ctx.now)  # fmt: skip
    ctx.data["on_time"] = bool(t.whistle_deadline and ctx.now <= t.whistle_deadline)
    ctx.outbox.add(org_user_ids(t.dispatcher_org), t, f"{t.whistle_org} 已报到：{t.ticket_no}")


def _progress(ctx: _Ctx):
    ctx.comment = _text(ctx.payload, "comment", "办理情况")
    ctx.outbox.add(_reporter(ctx.ticket), ctx.ticket, f"您的诉求 {ctx.ticket.ticket_no} 有新进展：{ctx.comment[:80]}")


def _request_extension(ctx: _Ctx):
    t = ctx.ticket
    reason = _text(ctx.payload, "reason", "延期理由")
    until = _datetime(ctx.payload, "until", "延期至")
    due = t.due_at
    if due is not None and ctx.now >= due:
        raise ValidationError({"until": "已超过办理时限，不能再申请延期（须在到期前申请）。"})
    if due is not None and until <= due:
        raise ValidationError({"until": "延期后的时限须晚于当前时限。"})
    ctx.comment = ctx.comment or reason
    ctx.data.update(reason=reason, until=until.isoformat())
    ctx.set(extension_pending=True, extension_requested_until=until)
    approvers = org_user_ids(t.dispatcher_org) if t.dispatcher_org else set()
    ctx.outbox.add(approvers, t, f"延期申请待审批：{t.ticket_no}（{reason}）", NotificationKind.TODO)


def _approve_extension(ctx: _Ctx):
    t = ctx.ticket
    ctx.data["until"] = t.extension_requested_until.isoformat()
    ctx.set(extended_until=t.extension_requested_until, extension_pending=False, extension_requested_until=None,
            reminded_at=None)  # fmt: skip
    ctx.outbox.add(org_user_ids(t.handler_org), t, f"延期申请已批准：{t.ticket_no}")


def _reject_extension(ctx: _Ctx):
    t = ctx.ticket
    ctx.set(extension_pending=False, extension_requested_until=None)
    ctx.outbox.add(org_user_ids(t.handler_org), t, f"延期申请被驳回：{t.ticket_no} {ctx.comment}")


def _apply_suspend(ctx: _Ctx):
    t = ctx.ticket
    reason = _text(ctx.payload, "reason", "挂账理由")
    ctx.comment = ctx.comment or reason
    ctx.data["reason"] = reason
    ctx.set(suspend_pending=True)
    approvers = org_user_ids(t.dispatcher_org) if t.dispatcher_org else set()
    ctx.outbox.add(approvers, t, f"挂账申请待审批：{t.ticket_no}（{reason}）", NotificationKind.TODO)


def _approve_suspend(ctx: _Ctx):
    t = ctx.ticket
    ctx.set(suspend_pending=False, suspended_at=ctx.now)
    ctx.outbox.add(org_user_ids(t.handler_org), t, f"挂账申请已批准：{t.ticket_no}")


def _reject_suspend(ctx: _Ctx):
    ctx.set(suspend_pending=False)
    ctx.outbox.add(org_user_ids(ctx.ticket.handler_org), ctx.ticket, f"挂账申请被驳回：{ctx.ticket.ticket_no}")


def _resume(ctx: _Ctx):
    """The SLA clock stopped while 挂账: push the deadlines by the working days spent suspended."""
    t = ctx.ticket
    paused = workdays.working_days_between(t.suspended_at, ctx.now) if t.suspended_at else 0
    if paused:
        if t.sla_due_at:
            ctx.set(sla_due_at=workdays.add_working_days(t.sla_due_at, paused))
        if t.extended_until:
            ctx.set(extended_until=workdays.add_working_days(t.extended_until, paused))
    ctx.data["paused_workdays"] = paused
    ctx.set(suspended_at=None)
    ctx.outbox.add(org_user_ids(t.handler_org), t, f"挂账工单恢复办理：{t.ticket_no}", NotificationKind.TODO)


def _complete(ctx: _Ctx):
    t = ctx.ticket
    reply = _text(ctx.payload, "reply", "答复内容", max_length=4000)
    ctx.set(reply=reply, completed_by=ctx.actor, completed_at=ctx.now)
    verifiers = org_user_ids(t.dispatcher_org) if t.dispatcher_org else org_user_ids(handler_org_for_area(t.grid))
    ctx.outbox.add(verifiers, t, f"工单已办结待核查：{t.ticket_no}", NotificationKind.TODO)
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 已办结：{reply[:100]}")


def _verify_pass(ctx: _Ctx):
    t = ctx.ticket
    ctx.set(closed_at=ctx.now)
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 已结案，请对办理结果作出评价。", NotificationKind.TODO)
    for child in t.merged_tickets.filter(reporter_user__isnull=False):
        ctx.outbox.add({child.reporter_user_id}, child, f"与您的诉求 {child.ticket_no} 合并办理的工单已结案。")


def _verify_fail(ctx: _Ctx):
    t = ctx.ticket
    reason = _text(ctx.payload, "reason", "核查不通过的理由")
    ctx.comment = ctx.comment or reason
    ctx.data["reason"] = reason
    ctx.set(reopen_count=F("reopen_count") + 1, completed_at=None)
    ctx.outbox.add(
        org_user_ids(t.handler_org), t, f"核查不通过，请重新办理：{t.ticket_no}（{reason}）", NotificationKind.TODO
    )


def _callback_rate(ctx: _Ctx):
    t = ctx.ticket
    value = ctx.payload.get("satisfaction")
    if value not in Satisfaction.values:
        labels = "、".join(Satisfaction.labels)
        raise ValidationError({"satisfaction": f"请选择评价：{labels}。"})
    reasonable = ctx.payload.get("reasonable", True)
    if isinstance(reasonable, str):
        reasonable = reasonable.strip().lower() not in {"0", "false", "no", "否"}
    comment = _text(ctx.payload, "comment", "评价意见", required=False, max_length=500)
    ctx.data.update(satisfaction=value, reasonable=bool(reasonable))
    ctx.set(satisfaction=value, satisfaction_comment=comment, rated_at=ctx.now)
    if value == Satisfaction.UNSATISFIED and reasonable:
        # 发回重办 + 督办 (Anhui rule): back to the lead organisation with a fresh time limit.
        _, days = sla_for(t.category, t.urgency)
        level = max(SuperviseLevel.NORMAL, min(t.supervise_level + 1, SuperviseLevel.RED))
        back_to = t.lead_org or t.handler_org
        ctx.to_status = UNSATISFIED_TARGET
        ctx.set(
            reopen_count=F("reopen_count") + 1, supervise_level=level, handler_org=back_to,
            sla_due_at=workdays.add_working_days(ctx.now, days), extended_until=None, closed_at=None,
            completed_at=None, reminded_at=None,
        )  # fmt: skip
        if level >= SuperviseLevel.YELLOW and not t.yellow_card_at:
            ctx.set(yellow_card_at=ctx.now)
        ctx.data["sent_back"] = True
        ctx.outbox.add(
            org_user_ids(back_to), t, f"群众不满意，发回重办（{SuperviseLevel(level).label}）：{t.ticket_no}",
            NotificationKind.SUPERVISE,
        )  # fmt: skip


def _record_callback_attempt(ctx: _Ctx):
    ctx.data["attempt"] = ctx.ticket.callback_attempts + 1
    ctx.set(callback_attempts=F("callback_attempts") + 1)


def _archive(ctx: _Ctx):
    ctx.data["unrated"] = ctx.ticket.status == Status.CLOSED


def _withdraw(ctx: _Ctx):
    t = ctx.ticket
    if t.handler_org_id:
        ctx.outbox.add(org_user_ids(t.handler_org), t, f"诉求人已撤销诉求：{t.ticket_no}")


def _close_forcibly(ctx: _Ctx):
    t = ctx.ticket
    reason = _text(ctx.payload, "reason", "终止理由")
    ctx.comment = ctx.comment or reason
    ctx.data["reason"] = reason
    ctx.set(extension_pending=False, suspend_pending=False)
    ctx.outbox.add(org_user_ids(t.handler_org) | _reporter(t), t, f"工单已终止办理：{t.ticket_no}（{reason}）")


def _supervise(ctx: _Ctx):
    t = ctx.ticket
    try:
        level = SuperviseLevel(int(ctx.payload.get("level")))
    except (TypeError, ValueError):
        raise ValidationError({"level": "督办等级须为 1（普通）、2（黄牌）或 3（红牌）。"})
    if level == SuperviseLevel.NONE:
        ctx.data["level"] = 0
        ctx.set(supervise_level=SuperviseLevel.NONE)
        return
    ctx.set(supervise_level=level)
    if level >= SuperviseLevel.YELLOW and not t.yellow_card_at:
        ctx.set(yellow_card_at=ctx.now)
    if level >= SuperviseLevel.RED and not t.red_card_at:
        ctx.set(red_card_at=ctx.now)
    if ctx.payload.get("urgent"):
        ctx.set(is_urgent=True)
    ctx.data["level"] = int(level)
    ctx.outbox.add(
        org_user_ids(t.handler_org), t, f"{level.label}：{t.ticket_no} {ctx.comment}", NotificationKind.SUPERVISE
    )


def _instruct(ctx: _Ctx):
    ctx.comment = _text(ctx.payload, "comment", "批示内容")
    ctx.outbox.add(org_user_ids(ctx.ticket.handler_org), ctx.ticket, f"领导批示：{ctx.ticket.ticket_no} {ctx.comment[:80]}",
                   NotificationKind.SUPERVISE)  # fmt: skip


HANDLERS = {
    "submit": _submit, "accept": _accept, "reject": _reject, "merge": _merge, "answer_directly": _answer_directly,
    "handle_on_spot": _handle_on_spot, "dispatch": _dispatch, "sign": _sign, "return": _return, "escalate": _escalate, "whistle": _whistle,
    "report": _report, "progress": _progress, "request_extension": _request_extension,
    "approve_extension": _approve_extension, "reject_extension": _reject_extension, "apply_suspend": _apply_suspend,
    "approve_suspend": _approve_suspend, "reject_suspend": _reject_suspend, "resume": _resume,
    "complete": _complete, "verify_pass": _verify_pass, "verify_fail": _verify_fail,
    "callback_rate": _callback_rate, "record_callback_attempt": _record_callback_attempt, "archive": _archive,
    "withdraw": _withdraw, "close_forcibly": _close_forcibly, "supervise": _supervise, "instruct": _instruct,
}  # fmt: skip
assert set(HANDLERS) == set(TRANSITIONS), "every transition of states.py needs its handler"


# --- what the overdue job does -----------------------------------------------------------------


@transaction.atomic
def ticket_auto_supervise(*, ticket_id: int, level: int, reason: str, now: dt.datetime | None = None) -> bool:
    """Raise a ticket's 督办 level automatically (no actor). Returns False when nothing changed.

    Idempotent: a ticket already at ``level`` or above, or no longer running its SLA, is left alone.
    Notifies the holder and the organisations above it (自动上报督办).
    """
    from .choices import SLA_RUNNING_STATES

    t = _lock(Ticket(pk=ticket_id))
    if t.status not in SLA_RUNNING_STATES or t.supervise_level >= level:
        return False
    now = now or timezone.now()
    fields = {"supervise_level": level}
    if level >= SuperviseLevel.YELLOW and not t.yellow_card_at:
        fields["yellow_card_at"] = now
    if level >= SuperviseLevel.RED and not t.red_card_at:
        fields["red_card_at"] = now
    for key, value in fields.items():
        setattr(t, key, value)
    t.save(update_fields=[*fields, "updated_at"])
    label = SuperviseLevel(level).label
    TicketAction.objects.create(
        ticket=t, actor_name="系统", action="auto_supervise", from_status=t.status, to_status=t.status,
        comment=f"{reason}，自动{label}", data={"level": level},
    )  # fmt: skip
    audit_record(action="ticket_auto_supervise", obj=t, username="system", detail={"level": level})
    outbox = _Outbox()
    outbox.add(
        org_user_ids(t.handler_org), t, f"{label}：{t.ticket_no} 已超期，请尽快办理。", NotificationKind.SUPERVISE
    )
    for area in _ancestors_to_notify(t, level):
        outbox.add(
            org_user_ids(handler_org_for_area(area)),
            t,
            f"{label}（下级超期）：{t.ticket_no}",
            NotificationKind.SUPERVISE,
        )
    outbox.send_on_commit()
    return True


def _ancestors_to_notify(ticket: Ticket, level: int) -> list[Area]:
    """黄牌 goes one level above the holder, 红牌 two levels (the escalation of attention)."""
    holder = ticket.handler_org
    if holder is None:
        return []
    path = policy._org_path(holder)
    if not holder.is_territory:
        return [Area.objects.get(path=path)]
    steps = 1 if level < SuperviseLevel.RED else 2
    prefixes = [path[: len(path) - Area.steplen * i] for i in range(1, steps + 1) if len(path) > Area.steplen * i]
    return list(Area.objects.filter(path__in=prefixes))


@transaction.atomic
def ticket_remind(*, ticket_id: int, text: str, now: dt.datetime | None = None) -> bool:
    """Send the 临期提醒 (催办) once per deadline; ``reminded_at`` makes it idempotent."""
    t = _lock(Ticket(pk=ticket_id))
    if t.reminded_at is not None:
        return False
    t.reminded_at = now or timezone.now()
    t.save(update_fields=["reminded_at", "updated_at"])
    TicketAction.objects.create(
        ticket=t, actor_name="系统", action="remind", from_status=t.status, to_status=t.status, comment=text
    )
    outbox = _Outbox()
    outbox.add(org_user_ids(t.handler_org), t, text, NotificationKind.REMINDER)
    outbox.send_on_commit()
    return True


# --- attachments and the calendar --------------------------------------------------------------

IMAGE_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
MAX_ATTACHMENT_BYTES = getattr(settings, "JICENG_TICKET_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
MAX_ATTACHMENTS_PER_TICKET = 20


def _sniff(head: bytes) -> str | None:
    for content_type, signatures in IMAGE_SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            if content_type == "image/webp" and head[8:12] != b"WEBP":
                continue
            return content_type
    return None


@transaction.atomic
def attachment_add(*, actor, ticket: Ticket, file, at_intake: bool = False) -> TicketAttachment:
    """Store a photo for a ticket. The type is read from the file's bytes (not its name); ≤ 10 MB.

    Anyone who may view the ticket may add a photo; it is linked to the next event they record when
    that event's payload lists it (``attachments=[id]``). ``at_intake=True`` is for the intake path
    that has just created the ticket in the same transaction (an anonymous resident's photos): the
    ticket must still be waiting to be accepted.
    """
    if at_intake:
        if ticket.status not in {Status.DRAFT, Status.PENDING_ACCEPT} or ticket.actions.count() > 1:
            raise OutOfScope("只能在提交诉求时附上照片。")
    elif actor is None or not Ticket.objects.restrict(actor, "view").filter(pk=ticket.pk).exists():
        raise OutOfScope("未找到工单，或工单不在您的管辖范围内。")
    if file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": f"图片不能超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB。"})
    if file.size == 0:
        raise ValidationError({"file": "文件为空。"})
    head = file.read(16)
    file.seek(0)
    content_type = _sniff(head)
    if content_type is None:
        raise ValidationError({"file": "只能上传 JPEG、PNG、GIF 或 WebP 图片。"})
    if TicketAttachment.objects.filter(ticket=ticket).count() >= MAX_ATTACHMENTS_PER_TICKET:
        raise ValidationError({"file": f"每个工单最多 {MAX_ATTACHMENTS_PER_TICKET} 张图片。"})
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}[content_type]
    import uuid

    original = str(getattr(file, "name", "") or "")[:200]
    file.name = f"{uuid.uuid4().hex}.{extension}"  # never trust the uploaded name on disk
    attachment = TicketAttachment.objects.create(
        ticket=ticket, file=file, original_name=original, content_type=content_type, size=file.size,
        uploaded_by=actor,
    )  # fmt: skip
    audit_record(actor=actor, action="ticket_attachment", obj=ticket, detail={"attachment": attachment.pk})
    return attachment


@transaction.atomic
def workday_set(*, actor, date: dt.date, is_workday: bool, note: str = "") -> WorkCalendarDay:
    """Enter or correct one day of the working-day calendar (e.g. next year's holidays once announced)."""
    from jiceng.core.services import require_perm

    require_perm(actor, "tickets.change_workcalendarday")
    note = (note or "").strip()
    problem = workday_problem(date, note)
    if problem:
        raise ValidationError({"date": problem})
    old = WorkCalendarDay.objects.filter(date=date).first()
    before = {"is_workday": old.is_workday, "note": old.note} if old else {}
    day, _ = WorkCalendarDay.objects.update_or_create(date=date, defaults={"is_workday": is_workday, "note": note})
    audit_record(
        actor=actor, action="workday_set", obj=day, before=before, after={"is_workday": is_workday, "note": note},
        detail={"date": date.isoformat(), "is_workday": is_workday, "note": note},
    )  # fmt: skip
    transaction.on_commit(workdays.clear_cache)
    workdays.clear_cache()
    return day


# --- settings: time limits and the working-day calendar (district admin: ``tickets.configure_ticket``) --

CONFIGURE_PERM = "tickets.configure_ticket"
#: Sensible maxima: a dispatch limit beyond a week or a handling limit beyond 60 working days (the
#: longest statutory period a 诉求 can fall under, 信访条例 art. 33) is a typing error, not a policy.
MAX_DISPATCH_HOURS = 168
MAX_FEEDBACK_WORKDAYS = 60
#: Years whose calendar may be edited: ``chinese-calendar`` starts at 2004; a few years ahead at most.
WORKDAY_YEARS_AHEAD = 5


def workday_problem(date: dt.date, note: str = "") -> str | None:
    """Why ``date`` / ``note`` cannot be entered in the calendar, or ``None``."""
    last = timezone.localdate().year + WORKDAY_YEARS_AHEAD
    if not 2004 <= date.year <= last:
        return f"{date:%Y-%m-%d}：只能调整 2004 年至 {last} 年的日期。"
    if len(note) > 100:
        return f"{date:%Y-%m-%d}：说明不能超过 100 个字。"
    return None


def sla_table() -> dict[tuple[str, str], tuple[int, int, bool]]:
    """The kind-level time limits in force: ``{(kind, urgency): (dispatch_hours, feedback_workdays,
    is_default)}`` for every category kind × urgency (one query)."""
    rules = {(r.kind, r.urgency): r for r in SlaRule.objects.filter(category__isnull=True)}
    table = {}
    for kind in CategoryKind.values:
        for urgency in Urgency.values:
            rule = rules.get((kind, urgency))
            if rule is not None:
                table[kind, urgency] = (rule.dispatch_hours, rule.feedback_workdays, False)
            else:
                table[kind, urgency] = (
                    DEFAULT_DISPATCH_HOURS.get(urgency, 24),
                    DEFAULT_FEEDBACK_WORKDAYS.get(kind, DEFAULT_FEEDBACK_OTHER),
                    True,
                )
    return table


def _limit(value, label: str, maximum: int, unit: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError(f"{label}须为整数。") from None
    if value < 1:
        raise ValidationError(f"{label}须为正整数（至少 1 {unit}）。")
    if value > maximum:
        raise ValidationError(f"{label}不能超过 {maximum} {unit}。")
    return value


def sla_rule_set(
    *, actor, kind: str, urgency: str, dispatch_hours, feedback_workdays, category: Category | None = None
) -> Result[SlaRule | None]:
    """Set the time limits of one category kind (or one category) × urgency; audited with before/after.

    Applies to tickets submitted (dispatch limit) or accepted (handling limit) afterwards: the deadlines
    already set on tickets are not recomputed. Returns ``Result(None)`` when nothing changed.
    """
    from jiceng.core.services import require_perm

    require_perm(actor, CONFIGURE_PERM)
    if kind not in CategoryKind.values:
        raise ValidationError({"kind": "诉求类型无效。"})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": "紧急程度无效。"})
    if category is not None and category.kind != kind:
        raise ValidationError({"category": f"类别“{category.name}”不属于“{CategoryKind(kind).label}”。"})
    errors = {}
    try:
        dispatch_hours = _limit(dispatch_hours, "派单时限", MAX_DISPATCH_HOURS, "小时")
    except ValidationError as exc:
        errors["dispatch_hours"] = exc.messages
    try:
        feedback_workdays = _limit(feedback_workdays, "办结时限", MAX_FEEDBACK_WORKDAYS, "个工作日")
    except ValidationError as exc:
        errors["feedback_workdays"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = SlaRule.objects.select_for_update().filter(kind=kind, urgency=urgency, category=category).first()
        if rule is not None:
            before = {"dispatch_hours": rule.dispatch_hours, "feedback_workdays": rule.feedback_workdays}
        elif category is None:
            hours, days, _ = sla_table()[kind, urgency]
            before = {"dispatch_hours": hours, "feedback_workdays": days, "default": True}
        else:
            before = {}
        after = {"dispatch_hours": dispatch_hours, "feedback_workdays": feedback_workdays}
        if {k: before.get(k) for k in after} == after:
            return Result(None)  # unchanged (including "the default, entered as is")
        if rule is None:
            rule = SlaRule(kind=kind, urgency=urgency, category=category)
        rule.dispatch_hours, rule.feedback_workdays = dispatch_hours, feedback_workdays
        rule.save()
        audit_record(
            actor=actor, action="sla_rule_set", obj=rule, before=before, after=after,
            detail={"kind": kind, "urgency": urgency, "category": category.pk if category else None},
        )  # fmt: skip
    return Result(rule)


def sla_order_warnings(table: dict[tuple[str, str], tuple[int, int, bool]] | None = None) -> list[str]:
    """Soft checks: a more urgent level should not have a longer limit than a less urgent one."""
    table = table or sla_table()
    order = [Urgency.CRITICAL, Urgency.URGENT, Urgency.NORMAL]
    warnings = []
    for kind in CategoryKind:
        for index, label in ((0, "派单时限"), (1, "办结时限")):
            values = [table[kind.value, u.value][index] for u in order]
            if values != sorted(values):
                shown = "、".join(f"{u.label} {v}" for u, v in zip(order, values, strict=True))
                warnings.append(f"“{kind.label}”的{label}不是越紧急越短（{shown}），请核对。")
    return warnings


@transaction.atomic
def sla_table_set(*, actor, values: dict[tuple[str, str], tuple[int, int]]) -> Result[list[SlaRule]]:
    """Set several kind-level rules at once, all or nothing. Errors are keyed
    ``"<kind>-<urgency>-dispatch_hours"`` / ``"…-feedback_workdays"``; warnings check the urgency order."""
    from jiceng.core.services import require_perm

    require_perm(actor, CONFIGURE_PERM)
    changed, errors = [], {}
    for (kind, urgency), (hours, days) in values.items():
        try:
            with transaction.atomic():
                result = sla_rule_set(
                    actor=actor, kind=kind, urgency=urgency, dispatch_hours=hours, feedback_workdays=days
                )
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                errors[f"{kind}-{urgency}-{field_name}"] = messages
            continue
        if result.obj is not None:
            changed.append(result.obj)
    if errors:
        raise ValidationError(errors)
    return Result(changed, warnings=sla_order_warnings() if changed else [])


@transaction.atomic
def workday_clear(*, actor, date: dt.date) -> bool:
    """Remove the override of ``date`` (the day falls back to chinese-calendar, else the weekend rule)."""
    from jiceng.core.services import require_perm

    require_perm(actor, "tickets.change_workcalendarday")
    day = WorkCalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        return False
    before = {"is_workday": day.is_workday, "note": day.note}
    audit_record(actor=actor, action="workday_clear", obj=day, before=before, after={},
                 detail={"date": date.isoformat()})  # fmt: skip
    day.delete()
    transaction.on_commit(workdays.clear_cache)
    workdays.clear_cache()
    return True


@transaction.atomic
def workday_set_many(*, actor, entries: list[tuple[dt.date, bool, str]]) -> list[WorkCalendarDay]:
    """Enter many days at once (a holiday and its 调休 weekends), all or nothing: every bad date is
    reported (one message per date) and nothing is written."""
    from jiceng.core.services import require_perm

    require_perm(actor, "tickets.change_workcalendarday")
    if not entries:
        raise ValidationError("请至少录入一个日期。")
    seen: dict[dt.date, bool] = {}
    problems: list[str] = []
    for date, is_workday, note in entries:
        problem = workday_problem(date, (note or "").strip())
        if problem:
            problems.append(problem)
        elif date in seen and seen[date] != is_workday:
            problems.append(f"{date:%Y-%m-%d}：同时被设为上班和休息，前后矛盾。")
        seen.setdefault(date, is_workday)
    if problems:
        raise ValidationError(list(dict.fromkeys(problems)))
    return [workday_set(actor=actor, date=d, is_workday=w, note=n) for d, w, n in entries]
