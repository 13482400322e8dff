"""The life cycles of a need (三单制: 居民点单、支部下单、党员接单) and of a project, on the shared engine.

Need: ``submitted`` (posted by a resident or member, or recorded by a worker) → ``publish`` by the
quarter branch or the community (to members, units or both) → ``open`` → ``claim`` by ONE member or
unit (a second claim finds the row ``claimed``: ``Conflict``, 409) → ``complete`` by the claimant with
the evidence → ``done`` → ``confirm`` (a rating) by the poster or the worker who recorded it. The
reviewer may ``reject`` a submitted need or turn it into a request (``to_ticket``: the ticket is created
through ``jiceng.tickets.services`` and linked); the poster or the reviewer ``cancel`` before a claim;
the claimant may ``release`` a claim.

Who may claim: any Party member account (``user.party_member``) for a need published to members in the
community they report to, or a liaison (role ``unit_liaison``) of a co-building unit serving the need's
place for a need published to units. Whether the member has *reported* (在职党员双报到) is the sibling
``members`` app's check, not made here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from jiceng.accounts.models import User
from jiceng.audit.services import audit_record
from jiceng.core.errors import OutOfScope
from jiceng.core.workflow import Guard, Transition, Workflow
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area
from jiceng.tickets.models import Category
from jiceng.tickets.services import ticket_create

from .choices import MEMBER_AUDIENCES, UNIT_AUDIENCES, Audience, NeedStatus, ProjectStatus, ProposedBy
from .models import Need, NeedEvent, Project, ProjectEvent

S = NeedStatus
REVIEW_PERM = "needs.change_need"
ALREADY_CLAIMED = "该需求已被认领，请选择其他需求。"


# --- who ------------------------------------------------------------------------------------------


def _covers(actor, path: str, perm: str, quarter_id=None) -> bool:
    return actor is not None and actor.is_authenticated and actor.scope.covers_path(path, perm, quarter_id=quarter_id)


def may_review(actor, need) -> bool:
    """The quarter branch (小区党支部书记, on the need's 小区), the community, the street or the district."""
    return _covers(actor, need.scope_path, REVIEW_PERM, need.quarter_id)


def is_poster(actor, need) -> bool:
    return actor is not None and actor.pk is not None and actor.pk in (need.posted_by_id, need.recorded_by_id)


def poster_or_reviewer(actor, need) -> bool:
    return is_poster(actor, need) or may_review(actor, need)


def _my_units(actor) -> list[Organisation]:
    """The active co-building units ``actor`` is a liaison of, read once per user object (a list page
    asks for every row's actions)."""
    cached = actor.__dict__.get("_needs_units")
    if cached is None:
        units = Organisation.objects.filter(kind=OrgKind.UNIT, members=actor, is_active=True).select_related("area")
        cached = actor.__dict__["_needs_units"] = list(units.order_by("pk"))
    return cached


def units_for(actor, need) -> list[Organisation]:
    """The co-building units ``actor`` is a liaison of that serve the need's place."""
    if actor is None or actor.pk is None:
        return []
    return [u for u in _my_units(actor) if need.scope_path.startswith(u.area.path)]


def as_member(actor, need) -> bool:
    return bool(actor is not None and getattr(actor, "party_member_id", None) and need.audience in MEMBER_AUDIENCES)


def may_claim(actor, need) -> bool:
    if actor is None or is_poster(actor, need):
        return False
    return as_member(actor, need) or (need.audience in UNIT_AUDIENCES and bool(units_for(actor, need)))


def is_claimant(actor, need) -> bool:
    if actor is None or actor.pk is None:
        return False
    if need.claimed_unit_id:
        return any(u.pk == need.claimed_unit_id for u in _my_units(actor))
    return need.claimed_by_id == actor.pk


NEED_ACTORS = {
    "reviewer": may_review,
    "poster": is_poster,
    "poster_or_reviewer": poster_or_reviewer,
    "claimer": may_claim,
    "claimant": is_claimant,
}


# --- handlers -------------------------------------------------------------------------------------


def _text(step, key, label, *, required=True, limit=2000) -> str:
    value = str(step.payload.get(key) or "").strip()
    if required and not value:
        raise ValidationError({key: f"请填写{label}。"})
    if len(value) > limit:
        raise ValidationError({key: f"{label}不能超过 {limit} 字。"})
    return value


def _tell_poster(step, text):
    need = step.obj
    step.outbox.add({need.posted_by_id, need.recorded_by_id}, need, text)


def _publish(step):
    audience = str(step.payload.get("audience") or "").strip()
    if audience not in Audience.values:
        raise ValidationError({"audience": "请选择发布对象（党员、共建单位或两者）。"})
    step.set(audience=audience, published_by=step.actor, published_at=step.now)
    step.data["audience"] = audience
    _tell_poster(step, f"您的需求“{step.obj.title}”已发布，等待认领。")
    step.outbox.add(_audience_users(step.obj, audience), step.obj, f"新的需求待认领：{step.obj.title}")


def _audience_users(need, audience) -> set[int]:
    """The accounts a published need is for: Party members reporting to its community, liaisons of the
    units serving its place."""
    ids: set[int] = set()
    if audience in MEMBER_AUDIENCES:
        ids |= set(
            User.objects.filter(party_member__report_community_id=need.community_id, is_active=True).values_list(
                "pk", flat=True
            )
        )
    if audience in UNIT_AUDIENCES:
        paths = Area.ancestor_paths(need.scope_path)
        units = Organisation.objects.filter(kind=OrgKind.UNIT, is_active=True, area__path__in=paths)
        ids |= set(
            Organisation.members.through.objects.filter(organisation__in=units).values_list("user_id", flat=True)
        )
    return ids - {need.posted_by_id, need.recorded_by_id}


def _reject(step):
    reason = _text(step, "reason", "退回原因", limit=200)
    step.set(cancel_reason=reason)
    step.data["reason"] = reason
    _tell_poster(step, f"您的需求“{step.obj.title}”未通过审核：{reason}")


def _cancel(step):
    reason = _text(step, "reason", "取消原因", required=False, limit=200)
    step.set(cancel_reason=reason)


def _claim(step):
    need, actor = step.obj, step.actor
    if step.replaying:  # a past claim (the demo): who claimed is in ``extra``
        step.set(claimed_by=step.extra.get("user"), claimed_unit=step.extra.get("unit"), claimed_at=step.now)
        return
    unit_id = step.payload.get("unit")
    unit = None
    if unit_id or not as_member(actor, need):
        units = units_for(actor, need) if need.audience in UNIT_AUDIENCES else []
        if unit_id:
            units = [u for u in units if str(u.pk) == str(unit_id)]
            if not units:
                raise ValidationError({"unit": "所选单位不能认领该需求。"})
        if not units:  # ``may_claim`` held: a member of a need not open to units cannot get here
            raise ValidationError({"unit": "所选单位不能认领该需求。"})
        unit = units[0]
    step.set(claimed_by=actor, claimed_unit=unit, claimed_at=step.now)
    step.data["unit"] = unit.pk if unit else None
    who = str(unit) if unit else (actor.display_name or actor.username)
    _tell_poster(step, f"您的需求“{need.title}”已由{who}认领。")


def _release(step):
    step.set(claimed_by=None, claimed_unit=None, claimed_at=None)
    _tell_poster(step, f"您的需求“{step.obj.title}”已被放弃认领，重新等待认领。")


def _complete(step):
    note = _text(step, "note", "完成情况")
    step.set(completion_note=note, completed_at=step.now)
    _tell_poster(step, f"您的需求“{step.obj.title}”已完成，请确认并评价。")


def _confirm(step):
    try:
        rating = int(step.payload.get("rating"))
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": "请给出 1 至 5 星的评价。"})
    feedback = _text(step, "feedback", "评价意见", required=False, limit=500)
    step.set(rating=rating, feedback=feedback, confirmed_at=step.now)
    step.data["rating"] = rating
    need = step.obj
    step.outbox.add({need.claimed_by_id}, need, f"您认领的需求“{need.title}”已确认完成（{rating} 星）。")


def _to_ticket(step):
    """Turn the need into a request (工单) through the tickets' intake; the need keeps the link."""
    need = step.obj
    value = step.payload.get("category")
    value = getattr(value, "pk", value)
    category = None
    if str(value or "").isdigit():
        category = Category.objects.filter(pk=int(value), is_active=True).first()
    if category is None:
        raise ValidationError({"category": "请选择有效的诉求类别。"})
    grid = need.grid
    if grid is None:
        raise ValidationError({"grid": "该需求没有所在网格，请先编辑需求、选择网格后再转为工单。"})
    if step.replaying:
        raise ValidationError({"action": "转为工单不能回放。"})
    try:
        ticket = ticket_create(
            actor=step.actor, category=category, title=need.title, description=need.description, grid=grid
        ).obj
    except OutOfScope:
        raise OutOfScope("您无权在该网格登记工单。") from None
    step.set(ticket=ticket, cancel_reason=f"已转为工单 {ticket.ticket_no}")
    step.data["ticket_no"] = ticket.ticket_no
    _tell_poster(step, f"您的需求“{need.title}”已转为工单 {ticket.ticket_no} 办理。")


NEED_TRANSITIONS = [
    Transition("publish", "审核发布", {S.SUBMITTED}, S.OPEN, "reviewer", required=("audience",)),
    Transition("reject", "退回", {S.SUBMITTED}, S.CANCELLED, "reviewer", required=("reason",)),
    Transition("to_ticket", "转为工单", {S.SUBMITTED, S.OPEN}, S.CANCELLED, "reviewer", required=("category",)),
    Transition("claim", "认领", {S.OPEN}, S.CLAIMED, "claimer", optional=("unit",)),
    Transition("release", "放弃认领", {S.CLAIMED}, S.OPEN, "claimant"),
    Transition("complete", "完成", {S.CLAIMED}, S.DONE, "claimant", required=("note",)),
    Transition(
        "confirm",
        "验收评价",
        {S.DONE},
        None,
        "poster",
        required=("rating",),
        optional=("feedback",),
        guard="unconfirmed",
    ),  # fmt: skip
    Transition("cancel", "取消", {S.SUBMITTED, S.OPEN}, S.CANCELLED, "poster_or_reviewer", optional=("reason",)),
]


NEEDS = Workflow(
    name="need",
    model=Need,
    states=NeedStatus,
    transitions=NEED_TRANSITIONS,
    actors=NEED_ACTORS,
    guards={"unconfirmed": Guard(lambda need: need.confirmed_at is None, "该需求已验收评价过。")},
    handlers={
        "publish": _publish,
        "reject": _reject,
        "cancel": _cancel,
        "claim": _claim,
        "release": _release,
        "complete": _complete,
        "confirm": _confirm,
        "to_ticket": _to_ticket,
    },
    event_model=NeedEvent,
    event_fk="need",
    lock_related=("claimed_unit",),
    audit=audit_record,
    audit_prefix="need_",
    audit_detail=lambda need: {"title": need.title},
    state_conflict="当前状态不允许此操作（状态为“{status}”），可能已被他人认领或处理，请刷新后重试。",
)


# --- projects -------------------------------------------------------------------------------------

P = ProjectStatus
PROJECT_PERM = "needs.change_project"


def _unit_side(actor, project) -> bool:
    return (
        actor is not None and actor.pk is not None and any(u.pk == project.resource.unit_id for u in _my_units(actor))
    )


def _community_side(actor, project) -> bool:
    return _covers(actor, project.scope_path, PROJECT_PERM)


def may_accept(actor, project) -> bool:
    """The side that did not propose the match accepts it (claiming works both ways)."""
    if project.proposed_by == ProposedBy.UNIT:
        return _community_side(actor, project)
    return _unit_side(actor, project)


def either_side(actor, project) -> bool:
    return _community_side(actor, project) or _unit_side(actor, project)


def _finish(step):
    evaluation = _text(step, "evaluation", "项目评价")
    try:
        score = int(step.payload.get("score"))
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": "评分须为 1 至 5。"})
    step.set(evaluation=evaluation, score=score, finished_at=step.now)
    step.data["score"] = score


PROJECT_TRANSITIONS = [
    Transition("accept", "确认对接", {P.PROPOSED}, P.ACTIVE, "accepter"),
    Transition("decline", "谢绝", {P.PROPOSED}, P.DECLINED, "accepter", optional=("reason",)),
    Transition("finish", "完成评价", {P.ACTIVE}, P.FINISHED, "community", required=("evaluation", "score")),
    Transition("cancel", "取消", {P.PROPOSED, P.ACTIVE}, P.CANCELLED, "either", optional=("reason",)),
]

PROJECTS = Workflow(
    name="project",
    model=Project,
    states=ProjectStatus,
    transitions=PROJECT_TRANSITIONS,
    actors={"accepter": may_accept, "community": _community_side, "either": either_side},
    handlers={"finish": _finish},
    event_model=ProjectEvent,
    event_fk="project",
    lock_related=("resource__unit",),
    audit=audit_record,
    audit_prefix="project_",
    audit_detail=lambda project: {"name": project.name},
)
