"""The ticket workflow's handlers: one function per action of ``states.py`` (called by the engine only,
inside its transaction, on the locked ticket), and the hooks ``tickets/workflow.py`` names (the shared
payload before a handler, the event row, linking photos and marking notifications read after it)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jiceng.core import workdays
from jiceng.core.workflow import Step
from jiceng.notices.choices import NotificationKind
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.models import Organisation
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area

from .. import policy
from ..choices import OPEN_STATES, RejectReason, Satisfaction, Status, SuperviseLevel
from ..models import Ticket, TicketAction, TicketAttachment
from ..states import TRANSITIONS, UNSATISFIED_TARGET
from .attachments import attachments_for_event
from .config import sla_for
from .notifications import acting_org, handler_org_for_area, notification_mark_read, org_user_ids


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


#: What an anonymous reporter may do once the caller has proved to be them (the intake itself, or the
#: ticket number + lookup code given at submission): submit, withdraw and rate — nothing else.
ANONYMOUS_REPORTER_ACTIONS = {"submit", "withdraw", "callback_rate"}


def anonymous_reporter_may(ticket: Ticket, transition) -> bool:
    """Only a ticket a visitor submitted without an account (it has a follow-up code; a patrol event, a
    staff-recorded or an account's ticket has none) can be withdrawn or rated that way."""
    return (
        transition.action in ANONYMOUS_REPORTER_ACTIONS
        and ticket.reporter_user_id is None
        and ticket.recorded_by_id is None
        and (transition.action == "submit" or bool(ticket.followup_code_hash))
    )


# --- the hooks of the ticket workflow (``tickets/workflow.py``) -------------------------------------


def prepare(step: Step):
    """Before the handler: the free comment, the photos the payload lists, the acting organisation."""
    step.comment = _text(step.payload, "comment", "说明", required=False)
    step.extra["attachments"] = attachments_for_event(step.actor, step.obj, step.payload.get("attachments"))
    if "org" not in step.extra:  # a replayed past event names its organisation
        step.extra["org"] = acting_org(step.actor, step.obj)


def record_event(step: Step, to_status: str) -> TicketAction:
    actor = step.actor
    return TicketAction.objects.create(
        ticket=step.obj,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(step.extra.get("actor_name") or (str(actor) if actor is not None else "匿名诉求人"))[:100],
        org=step.extra.get("org"),
        action=step.transition.action,
        from_status=step.from_state,
        to_status=to_status,
        comment=step.comment,
        data=step.data,
        **({"created_at": step.now} if step.replaying else {}),
    )


def after(step: Step, event: TicketAction):
    """Link the photos to the event; acting on a ticket answers what the bell said about it."""
    attachments = step.extra.get("attachments")
    if attachments:
        TicketAttachment.objects.filter(pk__in=[a.pk for a in attachments]).update(action=event)
    if step.actor is not None and step.actor.pk:
        notification_mark_read(actor=step.actor, ticket=step.obj)


def _reporter(ticket) -> set[int]:
    return {ticket.reporter_user_id} if ticket.reporter_user_id else set()


# --- one function per action (called by ticket_transition only, inside its transaction) --------


def _submit(ctx: Step):
    t = ctx.obj
    grid_org = handler_org_for_area(t.grid)
    dispatch_hours, _ = sla_for(t.category, t.urgency)
    ctx.set(handler_org=grid_org, submitted_at=ctx.now, dispatch_due_at=ctx.now + dt.timedelta(hours=dispatch_hours))
    ctx.outbox.add(org_user_ids(grid_org), t, f"新诉求待受理：{t.ticket_no} {t.category.name}", NotificationKind.TODO)
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 已提交，等待受理。")


def _accept(ctx: Step):
    t = ctx.obj
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


def _reject(ctx: Step):
    t = ctx.obj
    reason = _text(ctx.payload, "reason", "不予受理的理由")
    code = ctx.payload.get("reason_code") or RejectReason.OTHER
    if code not in RejectReason.values:
        raise ValidationError({"reason_code": "不予受理的理由类别无效。"})
    ctx.comment = ctx.comment or reason
    ctx.data.update(reason=reason, reason_code=code)
    ctx.set(responded_at=t.responded_at or ctx.now, reply=reason)
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 不予受理：{reason}")


def _merge(ctx: Step):
    t = ctx.obj
    into = ctx.payload.get("into")
    into_id = into.pk if isinstance(into, Ticket) else into
    try:
        into_id = int(into_id)
    except (TypeError, ValueError):
        raise ValidationError({"into": "请选择要并入的工单。"})
    if into_id == t.pk:
        raise ValidationError({"into": "不能并入自身。"})
    if ctx.replaying:  # a past event has no live actor to scope by
        visible = Ticket.objects.all()
    else:
        visible = Ticket.objects.restrict(ctx.actor, "view") if ctx.actor is not None else Ticket.objects.none()
    target = visible.select_for_update(of=("self",)).filter(pk=into_id).first()
    if target is None:
        raise ValidationError({"into": "要并入的工单不存在，或不在您的管辖范围内。"})
    if target.status not in OPEN_STATES:
        raise ValidationError({"into": f"并单目标须为未办结的工单（目标工单状态为“{target.get_status_display()}”）。"})
    ctx.set(merged_into=target, responded_at=t.responded_at or ctx.now)
    ctx.data["into"] = target.ticket_no
    TicketAction.objects.create(
        ticket=target, actor=ctx.actor, actor_name=(ctx.extra.get("actor_name") or str(ctx.actor))[:100],
        action="merged_in", from_status=target.status, to_status=target.status, comment=f"并入工单 {t.ticket_no}",
        data={"from": t.ticket_no}, **({"created_at": ctx.now} if ctx.replaying else {}),
    )  # fmt: skip
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 已与同类诉求 {target.ticket_no} 合并办理。")


def _answer_directly(ctx: Step):
    t = ctx.obj
    reply = _text(ctx.payload, "reply", "答复内容", max_length=4000)
    ctx.set(
        reply=reply, completed_by=ctx.actor, completed_at=ctx.now, responded_at=t.responded_at or ctx.now,
        accepted_at=t.accepted_at or ctx.now, handler_user=ctx.actor,
    )  # fmt: skip
    ctx.outbox.add(_reporter(t), t, f"您的咨询 {t.ticket_no} 已答复：{reply[:100]}")


def _handle_on_spot(ctx: Step):
    """当场处置: the grid worker who found it settles it at once — 受理 and 办结 in one step, with the
    handling note (and photos, through ``attachments``). It lands in 已办结待核查 like ``complete``, and
    the verifier is never this user (``Actor.VERIFIER``): the grid's and the community's people are told."""
    t = ctx.obj
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


def _dispatch(ctx: Step):
    t = ctx.obj
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


def _sign(ctx: Step):
    t = ctx.obj
    ctx.set(handler_user=t.handler_user or ctx.actor)
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 已由 {t.handler_org} 签收办理。")


def _return(ctx: Step):
    t = ctx.obj
    reason = _text(ctx.payload, "reason", "退单理由")
    ctx.comment = ctx.comment or reason
    back_to = t.dispatcher_org or t.handler_org
    ctx.data.update(reason=reason, back_to=back_to.name)
    ctx.set(handler_org=back_to, lead_org=None, handler_user=None)
    t.co_orgs.clear()
    ctx.outbox.add(
        org_user_ids(back_to), t, f"工单被退回，请审核后改派：{t.ticket_no}（{reason}）", NotificationKind.TODO
    )


def _escalate(ctx: Step):
    t = ctx.obj
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


def _whistle(ctx: Step):
    t = ctx.obj
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


def _report(ctx: Step):
    t = ctx.obj
    ctx.set(whistle_reported_at=ctx.now, lead_org=t.whistle_org, handler_user=ctx.actor,
            dispatched_at=t.dispatched_at or ctx.now)  # fmt: skip
    ctx.data["on_time"] = bool(t.whistle_deadline and ctx.now <= t.whistle_deadline)
    ctx.outbox.add(org_user_ids(t.dispatcher_org), t, f"{t.whistle_org} 已报到：{t.ticket_no}")


def _progress(ctx: Step):
    ctx.comment = _text(ctx.payload, "comment", "办理情况")
    ctx.outbox.add(_reporter(ctx.obj), ctx.obj, f"您的诉求 {ctx.obj.ticket_no} 有新进展：{ctx.comment[:80]}")


def _request_extension(ctx: Step):
    t = ctx.obj
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


def _approve_extension(ctx: Step):
    t = ctx.obj
    ctx.data["until"] = t.extension_requested_until.isoformat()
    ctx.set(extended_until=t.extension_requested_until, extension_pending=False, extension_requested_until=None,
            reminded_at=None)  # fmt: skip
    ctx.outbox.add(org_user_ids(t.handler_org), t, f"延期申请已批准：{t.ticket_no}")


def _reject_extension(ctx: Step):
    t = ctx.obj
    ctx.set(extension_pending=False, extension_requested_until=None)
    ctx.outbox.add(org_user_ids(t.handler_org), t, f"延期申请被驳回：{t.ticket_no} {ctx.comment}")


def _apply_suspend(ctx: Step):
    t = ctx.obj
    reason = _text(ctx.payload, "reason", "挂账理由")
    ctx.comment = ctx.comment or reason
    ctx.data["reason"] = reason
    ctx.set(suspend_pending=True)
    approvers = org_user_ids(t.dispatcher_org) if t.dispatcher_org else set()
    ctx.outbox.add(approvers, t, f"挂账申请待审批：{t.ticket_no}（{reason}）", NotificationKind.TODO)


def _approve_suspend(ctx: Step):
    t = ctx.obj
    ctx.set(suspend_pending=False, suspended_at=ctx.now)
    ctx.outbox.add(org_user_ids(t.handler_org), t, f"挂账申请已批准：{t.ticket_no}")


def _reject_suspend(ctx: Step):
    ctx.set(suspend_pending=False)
    ctx.outbox.add(org_user_ids(ctx.obj.handler_org), ctx.obj, f"挂账申请被驳回：{ctx.obj.ticket_no}")


def _resume(ctx: Step):
    """The SLA clock stopped while 挂账: push the deadlines by the working days spent suspended."""
    t = ctx.obj
    paused = workdays.working_days_between(t.suspended_at, ctx.now) if t.suspended_at else 0
    if paused:
        if t.sla_due_at:
            ctx.set(sla_due_at=workdays.add_working_days(t.sla_due_at, paused))
        if t.extended_until:
            ctx.set(extended_until=workdays.add_working_days(t.extended_until, paused))
    ctx.data["paused_workdays"] = paused
    ctx.set(suspended_at=None)
    ctx.outbox.add(org_user_ids(t.handler_org), t, f"挂账工单恢复办理：{t.ticket_no}", NotificationKind.TODO)


def _complete(ctx: Step):
    t = ctx.obj
    reply = _text(ctx.payload, "reply", "答复内容", max_length=4000)
    ctx.set(reply=reply, completed_by=ctx.actor, completed_at=ctx.now)
    verifiers = org_user_ids(t.dispatcher_org) if t.dispatcher_org else org_user_ids(handler_org_for_area(t.grid))
    ctx.outbox.add(verifiers, t, f"工单已办结待核查：{t.ticket_no}", NotificationKind.TODO)
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 已办结：{reply[:100]}")


def _verify_pass(ctx: Step):
    t = ctx.obj
    ctx.set(closed_at=ctx.now)
    ctx.outbox.add(_reporter(t), t, f"您的诉求 {t.ticket_no} 已结案，请对办理结果作出评价。", NotificationKind.TODO)
    for child in t.merged_tickets.filter(reporter_user__isnull=False):
        ctx.outbox.add({child.reporter_user_id}, child, f"与您的诉求 {child.ticket_no} 合并办理的工单已结案。")


def _verify_fail(ctx: Step):
    t = ctx.obj
    reason = _text(ctx.payload, "reason", "核查不通过的理由")
    ctx.comment = ctx.comment or reason
    ctx.data["reason"] = reason
    ctx.set(reopen_count=F("reopen_count") + 1, completed_at=None)
    ctx.outbox.add(
        org_user_ids(t.handler_org), t, f"核查不通过，请重新办理：{t.ticket_no}（{reason}）", NotificationKind.TODO
    )


def _callback_rate(ctx: Step):
    t = ctx.obj
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
        ctx.to_state = UNSATISFIED_TARGET
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


def _record_callback_attempt(ctx: Step):
    ctx.data["attempt"] = ctx.obj.callback_attempts + 1
    ctx.set(callback_attempts=F("callback_attempts") + 1)


def _archive(ctx: Step):
    ctx.data["unrated"] = ctx.obj.status == Status.CLOSED


def _withdraw(ctx: Step):
    t = ctx.obj
    if t.handler_org_id:
        ctx.outbox.add(org_user_ids(t.handler_org), t, f"诉求人已撤销诉求：{t.ticket_no}")


def _close_forcibly(ctx: Step):
    t = ctx.obj
    reason = _text(ctx.payload, "reason", "终止理由")
    ctx.comment = ctx.comment or reason
    ctx.data["reason"] = reason
    ctx.set(extension_pending=False, suspend_pending=False)
    ctx.outbox.add(org_user_ids(t.handler_org) | _reporter(t), t, f"工单已终止办理：{t.ticket_no}（{reason}）")


def _supervise(ctx: Step):
    t = ctx.obj
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


def _instruct(ctx: Step):
    ctx.comment = _text(ctx.payload, "comment", "批示内容")
    ctx.outbox.add(org_user_ids(ctx.obj.handler_org), ctx.obj, f"领导批示：{ctx.obj.ticket_no} {ctx.comment[:80]}",
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
assert set(HANDLERS) == set(TRANSITIONS), "every transition of states.py has its handler"
