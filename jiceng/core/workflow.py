"""The shared workflow engine: a life cycle as data, and the one function that moves an object along it.

An app with a life cycle declares one :class:`Workflow` in its ``workflow.py``: the model, the state
field, the :class:`Transition` table (from which states an action is allowed, the state it leads to,
who may take it, the guard on the object's flags, the required and optional payload), the "who"
predicates, the guards, the handlers and how an event row is written. ``Workflow.transition`` is then
the only code that changes that state; ``Workflow.allowed_actions`` tells the UI and the API what a
user may do now. ``docs/decisions/workflow.md`` explains the design; a declaration in a few lines::

    NEEDS = Workflow(
        name="need", model=Need, states=NeedStatus, event_model=NeedEvent, event_fk="need",
        transitions=[
            Transition("review", "审核", {"posted"}, "reviewed", "reviewer"),
            Transition("publish", "发布", {"reviewed"}, "published", "reviewer"),
            Transition("claim", "认领", {"published"}, "claimed", "member", optional=("note",)),
            Transition("finish", "完成", {"claimed"}, "done", "claimer", required=("comment",)),
            Transition("confirm", "确认", {"done"}, "confirmed", "poster"),
        ],
        actors={"reviewer": may_review, "member": is_member, "claimer": is_claimer, "poster": is_poster},
        handlers={"claim": _claim},  # the others only move the state
        audit=audit_record,
    )

One call, in order (a refused call writes nothing):

1. unknown action or payload key → ``ValidationError`` (400);
2. lock the row (``select_for_update``), then the scope check: an actor who cannot see the row gets
   ``OutOfScope`` (403) — as if it did not exist;
3. the state must be a source of the action, and the guard must pass → ``Conflict`` (409: someone
   else acted first, or the flags changed);
4. the actor must be the "who" of the action → ``PermissionDenied`` (403);
5. the ``prepare`` hook, then the action's handler (validates its payload → ``ValidationError``, sets
   fields through ``step.set``, queues notifications in ``step.outbox``, may choose another target state);
6. save the changed fields, write the event row and the audit row (``<audit_prefix><action>``), queue
   the outbox for after the commit (``transaction.on_commit``), run the ``after`` hook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from .errors import Conflict, OutOfScope

__all__ = ["Guard", "Outbox", "Step", "Transition", "Workflow"]

STATE_CONFLICT = "当前状态不允许此操作（状态为“{status}”），可能已被他人处理，请刷新后重试。"
NOT_YOUR_TURN = "您无权执行“{label}”。"
UNKNOWN_ACTION = "未知的操作“{action}”。"
UNKNOWN_PARAMETER = "该操作不支持此参数。"
OUT_OF_SCOPE = "未找到记录，或记录不在您的管辖范围内。"


@dataclass(frozen=True)
class Transition:
    """One row of a life cycle: ``action`` from any of ``sources`` to ``target`` (``None``: the state
    stays, e.g. a progress note), taken by ``who``, when ``guard`` (a name in ``Workflow.guards``) holds."""

    action: str
    label: str
    sources: frozenset
    target: str | None
    who: str
    required: tuple[str, ...] = ()
    guard: str | None = None
    note: str = ""
    optional: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))
        object.__setattr__(self, "required", tuple(self.required))
        object.__setattr__(self, "optional", tuple(self.optional))

    def accepts(self, common: Iterable[str] = ()) -> set[str]:
        """The payload keys this action takes: its required and optional ones and the workflow's common ones."""
        return {*self.required, *self.optional, *common}


@dataclass(frozen=True)
class Guard:
    """A condition on the object's flags (not its state); ``message`` is the 409 when it fails."""

    test: Callable[[Any], bool]
    message: str


_deliverer: Callable[[list], int] | None = None


def register_deliverer(deliver: Callable[[list], int]) -> None:
    """``deliver(items)``: write the in-app notices for the outbox items ``(user_ids, target, text, kind)``
    and return how many. The notices belong to ``jiceng.notices``, which fills this in
    ``NoticesConfig.ready()``, so that core imports no notice model."""
    global _deliverer
    _deliverer = deliver


class Outbox:
    """Notifications queued during a transition and written after its commit (never for a rollback).

    ``add(user_ids, target, text, kind)`` queues one text for several users about ``target`` (any saved
    model instance); ``send_on_commit`` hands the items ``(user_ids, target, text, kind)`` to ``deliver``
    once the transaction commits. ``deliver`` is the registered deliverer (``register_deliverer``); an app
    sets its ``default_kind`` (or overrides ``deliver``).
    """

    default_kind = ""

    def __init__(self):
        self.items: list[tuple[set[int], Any, str, str]] = []

    def add(self, user_ids, target, text: str, kind: str | None = None):
        ids = {uid for uid in user_ids if uid}
        if ids:
            self.items.append((ids, target, text, kind or self.default_kind))

    def send_on_commit(self, exclude: int | None = None):
        items = [(ids - {exclude}, target, text, kind) for ids, target, text, kind in self.items]
        if any(ids for ids, *_ in items):
            deliver = self.deliver
            transaction.on_commit(lambda: deliver(items))

    def deliver(self, items) -> int:
        if _deliverer is None:
            raise ImproperlyConfigured("没有登记站内通知的投递函数（jiceng.notices 未安装）。")
        return _deliverer(items)


@dataclass
class Step:
    """What a handler sees and changes: the locked object, the payload, the time, the outbox."""

    workflow: Workflow
    actor: Any
    obj: models.Model
    transition: Transition
    payload: dict
    now: dt.datetime
    outbox: Outbox
    from_state: str = ""
    update: set[str] = field(default_factory=set)
    to_state: str | None = None  # a handler may send the object elsewhere than ``transition.target``
    comment: str = ""
    data: dict = field(default_factory=dict)  # goes into the event row and the audit detail
    extra: dict = field(default_factory=dict)  # what the app's hooks pass between themselves
    replaying: bool = False  # ``Workflow.replay``: a past event, no live actor (``now`` is its time)
    event: Any = None  # the event row, once written

    def set(self, **values):
        for key, value in values.items():
            setattr(self.obj, key, value)
            self.update.add(key)


def _no_handler(step: Step) -> None:
    """An action that only moves the state."""


def _visible_default(model):
    return lambda actor: model.objects.restrict(actor, "view")


@dataclass
class Workflow:
    """A life cycle declared by an app (see the module docstring). Only ``name``, ``model``,
    ``transitions`` and ``actors`` are required."""

    name: str
    model: type[models.Model]
    transitions: Sequence[Transition]
    actors: Mapping[str, Callable[[Any, Any], bool]]
    handlers: Mapping[str, Callable[[Step], None]] = field(default_factory=dict)
    guards: Mapping[str, Guard] = field(default_factory=dict)
    states: type[models.TextChoices] | None = None  # for the labels in messages
    state_field: str = "status"
    #: Payload keys every action takes (e.g. a free comment, photos).
    common: tuple[str, ...] = ("comment",)
    #: The event rows: ``event_model(**{event_fk: obj}, actor, action, from_status, to_status, comment,
    #: data)``, or an app's own ``record_event(step, to_state)`` returning the row.
    event_model: type[models.Model] | None = None
    event_fk: str = ""
    record_event: Callable[[Step, str], models.Model] | None = None
    #: Related rows the lock query fetches with the object (the guards and the "who" read them).
    lock_related: tuple[str, ...] = ()
    #: Rows the actor may see (the scope check); default ``model.objects.restrict(actor, "view")``.
    visible: Callable[[Any], models.QuerySet] | None = None
    #: When a caller with no account (``actor=None``) has proved who they are (``anonymous=True``),
    #: which actions they may still take (e.g. a visitor withdrawing their own request).
    anonymous_may: Callable[[Any, Transition], bool] | None = None
    prepare: Callable[[Step], None] | None = None  # before the handler (shared payload, e.g. photos)
    after: Callable[[Step, models.Model], None] | None = None  # after the event row (link photos, mark read)
    outbox: type[Outbox] = Outbox
    #: The audit writer, ``audit(actor=, action=, obj=, detail=)`` (``jiceng.audit.services.audit_record``;
    #: passed in because ``core`` sits below ``audit``).
    audit: Callable[..., Any] | None = None
    audit_prefix: str = ""
    audit_detail: Callable[[Any], dict] | None = None  # leading keys of the audit detail (e.g. the number)
    touch: tuple[str, ...] = ("updated_at",)  # saved with every change (``auto_now`` fields)
    state_conflict: str = STATE_CONFLICT
    not_your_turn: str = NOT_YOUR_TURN
    out_of_scope: str = OUT_OF_SCOPE

    def __post_init__(self):
        self.transitions = list(self.transitions)
        self.by_action: dict[str, Transition] = {t.action: t for t in self.transitions}
        if len(self.by_action) != len(self.transitions):
            raise ValueError(f"{self.name}: two transitions share an action name")
        for t in self.transitions:
            if t.who not in self.actors:
                raise ValueError(f"{self.name}.{t.action}: no actor predicate for “{t.who}”")
            if t.guard is not None and t.guard not in self.guards:
                raise ValueError(f"{self.name}.{t.action}: unknown guard “{t.guard}”")
        unknown = set(self.handlers) - set(self.by_action)
        if unknown:
            raise ValueError(f"{self.name}: handlers without a transition: {sorted(unknown)}")
        if self.record_event is None and self.event_model is None:
            raise ValueError(f"{self.name}: give event_model (and event_fk) or record_event")
        if self.audit is None:
            raise ValueError(f"{self.name}: give the audit writer (audit=audit_record)")
        if self.visible is None:
            self.visible = _visible_default(self.model)
        if not self.audit_prefix:
            self.audit_prefix = f"{self.name}_"

    # --- reading the table ----------------------------------------------------------------------

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def state_label(self, state) -> str:
        if self.states is not None:
            try:
                return self.states(state).label
            except ValueError:
                pass
        return str(state)

    def transitions_from(self, state) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def guard_passes(self, name: str | None, obj) -> bool:
        return name is None or self.guards[name].test(obj)

    def may(self, actor, obj, transition: Transition) -> bool:
        """The "who" column for this actor and this object (the state is checked elsewhere)."""
        return self.actors[transition.who](actor, obj)

    def allowed_actions(self, actor, obj) -> list[str]:
        """The actions ``actor`` may take on ``obj`` now: state, guard and who all allow it."""
        state = self.state_of(obj)
        return [
            t.action
            for t in self.transitions
            if state in t.sources and self.guard_passes(t.guard, obj) and self.may(actor, obj, t)
        ]

    def precheck(self, actor, obj, action: str) -> None:
        """The state, guard and "who" checks of ``action`` on ``obj`` as loaded, without the lock: for a
        caller that checks a payload next (a form), so that "not now" (409) and "not you" (403) answer
        before "bad input" (400). ``transition`` checks them again under the lock."""
        transition = self.by_action.get(action)
        if transition is None:
            raise ValidationError({"action": UNKNOWN_ACTION.format(action=action)})
        self._check_state(obj, transition)
        if not self.may(actor, obj, transition):
            raise PermissionDenied(self.not_your_turn.format(label=transition.label))

    # --- the one writer -------------------------------------------------------------------------

    def lock(self, obj):
        qs = self.model.objects.select_for_update(of=("self",))
        if self.lock_related:
            qs = qs.select_related(*self.lock_related)
        return qs.get(pk=obj.pk)

    def transition(self, *, actor, obj, action: str, **payload):
        """Apply ``action`` to ``obj`` for ``actor``; returns the object as it now stands (see the module
        docstring for the order of the checks and what each refusal raises)."""
        return self.apply(actor=actor, obj=obj, action=action, payload=payload)

    def apply(self, *, actor, obj, action: str, payload: dict, anonymous: bool = False):
        """``transition`` with the payload as a dict. ``anonymous=True`` with ``actor=None``: the caller
        has proved to be the object's owner without an account (``anonymous_may`` says what they may do);
        never set it from user input."""
        transition = self.by_action.get(action)
        if transition is None:
            raise ValidationError({"action": UNKNOWN_ACTION.format(action=action)})
        payload = dict(payload)
        unknown = set(payload) - transition.accepts(self.common)
        if unknown:
            raise ValidationError({key: UNKNOWN_PARAMETER for key in sorted(unknown)})

        with transaction.atomic():
            locked = self.lock(obj)
            if actor is not None and not self.visible(actor).filter(pk=locked.pk).exists():
                raise OutOfScope(self.out_of_scope)
            state = self._check_state(locked, transition)
            proven = anonymous and actor is None and self.anonymous_may is not None
            if not (proven and self.anonymous_may(locked, transition)) and not self.may(actor, locked, transition):
                raise PermissionDenied(self.not_your_turn.format(label=transition.label))
            step = Step(
                workflow=self, actor=actor, obj=locked, transition=transition, payload=payload,
                now=timezone.now(), outbox=self.outbox(), from_state=state,
            )  # fmt: skip
            to_state = self._run(step)
            detail = self.audit_detail(locked) if self.audit_detail is not None else {}
            self.audit(
                actor=actor,
                action=f"{self.audit_prefix}{action}",
                obj=locked,
                detail={**detail, "from": state, "to": to_state, **step.data},
            )
            step.outbox.send_on_commit(exclude=actor.pk if actor is not None else None)
            if self.after is not None:
                self.after(step, step.event)
        locked.refresh_from_db()
        return locked

    def replay(
        self,
        *,
        obj,
        action: str,
        at: dt.datetime,
        payload: dict | None = None,
        extra: dict | None = None,
        current: bool = False,
    ):
        """Record a **past** event through the table: for building a history the system itself holds
        (the demo, an import of another system's records). The state and the guard are checked and the
        handler runs exactly as for ``transition``, with ``step.now = at``; there is no live actor, so no
        scope or "who" check, no audit row (nobody acts now) and no notification (nobody is to be told
        now). ``extra`` pre-fills ``step.extra`` (e.g. the acting organisation, a name for the event).

        ``current=True``: ``obj`` is the row as the previous ``replay`` returned it, inside the caller's
        own transaction that nothing else writes (a bulk build): it is not fetched again, and only the
        fields a handler set to an expression (``F("n") + 1``) are re-read."""
        transition = self.by_action.get(action)
        if transition is None:
            raise ValidationError({"action": UNKNOWN_ACTION.format(action=action)})
        payload = dict(payload or {})
        unknown = set(payload) - transition.accepts(self.common)
        if unknown:
            raise ValidationError({key: UNKNOWN_PARAMETER for key in sorted(unknown)})
        with transaction.atomic():
            locked = obj if current else self.lock(obj)
            state = self._check_state(locked, transition)
            step = Step(
                workflow=self, actor=None, obj=locked, transition=transition, payload=payload, now=at,
                outbox=self.outbox(), from_state=state, extra=dict(extra or {}), replaying=True,
            )  # fmt: skip
            self._run(step)
        if not current:
            locked.refresh_from_db()
        else:
            computed = [name for name in step.update if hasattr(getattr(locked, name), "resolve_expression")]
            if computed:
                locked.refresh_from_db(fields=computed)
        return locked

    def _check_state(self, locked, transition: Transition) -> str:
        state = self.state_of(locked)
        if state not in transition.sources:
            raise Conflict(self.state_conflict.format(status=self.state_label(state)))
        if not self.guard_passes(transition.guard, locked):
            raise Conflict(self.guards[transition.guard].message)
        return state

    def _run(self, step: Step) -> str:
        """Prepare, handle, save the changed fields and write the event row; returns the new state."""
        step.comment = str(step.payload.get("comment") or "").strip()  # ``prepare`` may validate it
        if self.prepare is not None:
            self.prepare(step)
        self.handlers.get(step.transition.action, _no_handler)(step)
        to_state = step.to_state or step.transition.target or step.from_state
        if to_state != step.from_state:
            step.set(**{self.state_field: to_state})
        if step.update:
            step.obj.save(update_fields=sorted(step.update | set(self.touch)))
        step.event = self._record_event(step, to_state)
        return to_state

    def _record_event(self, step: Step, to_state: str):
        if self.record_event is not None:
            return self.record_event(step, to_state)
        actor = step.actor if step.actor is not None and step.actor.pk else None
        return self.event_model.objects.create(
            **{self.event_fk: step.obj},
            actor=actor,
            **({"created_at": step.now} if step.replaying else {}),
            action=step.transition.action,
            from_status=step.from_state,
            to_status=to_state,
            comment=step.comment,
            data=step.data,
        )
