"""The life cycle of an action item (议定事项) on the shared engine (``jiceng.core.workflow``):

    待办理 ──start──▶ 办理中 ──complete──▶ 已办结
       │  └────────────complete──────────▲
       └──cancel──▶ 已取消 ◀──cancel── 办理中        (progress: a note while 办理中)

The owner (a person of the owner unit, the owner's account) or whoever manages the committee's items
takes it forward; only a manager cancels. Completing needs the result, cancelling the reason.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from jiceng.audit.services import audit_record
from jiceng.core.workflow import Outbox, Transition, Workflow
from jiceng.notices.choices import NotificationKind

from .choices import ActionStatus
from .models import ActionItem, ActionItemEvent
from .services import owner_user_ids

S = ActionStatus
OPEN = {S.OPEN, S.IN_PROGRESS}

TRANSITIONS = [
    Transition("start", "开始办理", {S.OPEN}, S.IN_PROGRESS, "owner"),
    Transition("progress", "进展说明", {S.IN_PROGRESS}, None, "owner", required=("note",)),
    Transition("complete", "办结", OPEN, S.DONE, "owner", required=("result",)),
    Transition("cancel", "取消", OPEN, S.CANCELLED, "manager", required=("reason",)),
]


def is_manager(actor, item) -> bool:
    """May change the committee's items where the item lies (community worker, street / district admin)."""
    if actor is None or not actor.is_authenticated:
        return False
    return actor.scope.covers_path(item.scope_path, "committee.change_actionitem")


def is_owner(actor, item) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    return is_manager(actor, item) or actor.pk in owner_user_ids(item)


def _text(step, key: str, label: str) -> str:
    value = str(step.payload.get(key) or "").strip()
    if not value:
        raise ValidationError({key: f"请填写{label}。"})
    if len(value) > 2000:
        raise ValidationError({key: f"{label}不能超过 2000 字。"})
    step.comment = value
    return value


def _progress(step):
    _text(step, "note", "进展说明")


def _complete(step):
    step.set(result=_text(step, "result", "办理结果"), done_at=step.now)
    _tell_owners(step, f"议定事项“{step.obj.name}”已办结。")


def _cancel(step):
    _text(step, "reason", "取消原因")
    _tell_owners(step, f"议定事项“{step.obj.name}”已取消：{step.comment}")


def _tell_owners(step, text: str) -> None:
    if not step.replaying:
        step.outbox.add(owner_user_ids(step.obj), step.obj, text)


class ActionItemOutbox(Outbox):
    default_kind = NotificationKind.PROGRESS


ACTION_ITEMS = Workflow(
    name="action_item",
    model=ActionItem,
    states=ActionStatus,
    state_field="status",
    transitions=TRANSITIONS,
    actors={"owner": is_owner, "manager": is_manager},
    handlers={"progress": _progress, "complete": _complete, "cancel": _cancel},
    event_model=ActionItemEvent,
    event_fk="item",
    lock_related=("owner_unit", "owner_member__unit", "meeting"),
    outbox=ActionItemOutbox,
    audit=audit_record,
    audit_prefix="action_item_",
)


def action_item_transition(*, actor, item, action: str, **payload):
    return ACTION_ITEMS.transition(actor=actor, obj=item, action=action, **payload)
