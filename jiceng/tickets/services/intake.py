"""Intake (受理 of a new 诉求 or 巡查 event), the visitor's follow-up code, and revealing the reporter's
contact to who must call back."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.roles import ROLES
from jiceng.audit.services import audit_record, sensitive_access_record
from jiceng.core.crypto import lookup_hash
from jiceng.core.errors import OutOfScope
from jiceng.core.services import Result
from jiceng.core.validators import validate_phone
from jiceng.territory.choices import AreaKind
from jiceng.territory.geo import grid_for_point
from jiceng.territory.models import Area, Building

from .. import policy
from ..choices import Channel, Status, Urgency
from ..models import Category, Ticket, TicketSequence
from .lifecycle import ticket_transition

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
    from ..selectors import suggest_duplicates

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
