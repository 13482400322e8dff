"""Table-driven tests of a workflow (``jiceng.core.workflow``): every allowed and every forbidden
``(state, action, actor)`` pair, from the workflow's own table.

An app's test module declares its fixtures once and takes the three generated tests::

    MATRIX = WorkflowMatrix(
        NEEDS,
        fixtures=("world",),                      # pytest fixtures the callables receive (a namespace)
        setup=_setup,                             # (fx, transition, state) -> (obj, actor, payload)
        make=lambda fx, state: make_need(state),  # a plain row in ``state`` (the forbidden-state cases)
        actor=persona,                            # a name -> a user
        refused={"reviewer": ["member_a", "sibling_admin"], ...},  # per "who": names that must be refused
    )
    test_allowed, test_wrong_state, test_wrong_actor = MATRIX.tests()

* **allowed** — for each action and each of its source states: the row ``setup`` built offers the
  action (``allowed_actions``), taking it moves the row to the target state, writes one event (action,
  from, to, actor) and one audit row;
* **wrong state** — for each action and each state that is *not* a source: ``Conflict`` (409), and
  nothing is written;
* **wrong actor** — for each action, on the row of its first source state, each name ``refused``
  lists for its "who": the action is not offered, taking it is ``PermissionDenied`` (403, or
  ``OutOfScope`` for a sibling subtree), and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from jiceng.audit.models import AuditLog
from jiceng.core.errors import Conflict
from jiceng.core.workflow import Transition, Workflow

__all__ = ["WorkflowMatrix"]


@dataclass
class WorkflowMatrix:
    workflow: Workflow
    setup: Callable[[SimpleNamespace, Transition, str], tuple]
    make: Callable[[SimpleNamespace, str], object]
    actor: Callable[[str], object]
    refused: Mapping[str, Sequence[str]]
    fixtures: Sequence[str] = ()
    #: Who calls in the forbidden-state cases (the state is checked before the actor) and with what.
    stale_actor: str | None = None
    stale_payload: Mapping | None = None
    #: How the action is taken (default: the workflow's ``transition``), e.g. through the app's service.
    apply: Callable[..., object] | None = None
    #: The state conflict's message must match this (default: the workflow's message up to its first field).
    conflict_match: str | None = None

    def __post_init__(self):
        wf = self.workflow
        states = list(wf.states) if wf.states is not None else sorted({s for t in wf.transitions for s in t.sources})
        self.states = states
        self.allowed = [(t.action, s) for t in wf.transitions for s in sorted(t.sources)]
        self.wrong_state = [(t.action, s) for t in wf.transitions for s in states if s not in t.sources]
        if wf.event_model is None or not wf.event_fk:
            raise ValueError(f"{wf.name}: the matrix reads the events through event_model and event_fk")
        missing = {t.who for t in wf.transitions} - set(self.refused)
        if missing:
            raise ValueError(f"refused: name who must be refused for {sorted(missing)}")
        self.wrong_actor = [
            (t.action, sorted(t.sources)[0], name) for t in wf.transitions for name in self.refused[t.who]
        ]

    # --- helpers ------------------------------------------------------------------------------------

    def _fx(self, request) -> SimpleNamespace:
        return SimpleNamespace(**{name: request.getfixturevalue(name) for name in self.fixtures})

    def _take(self, *, actor, obj, action, payload):
        if self.apply is not None:
            return self.apply(actor=actor, obj=obj, action=action, **payload)
        return self.workflow.transition(actor=actor, obj=obj, action=action, **payload)

    def _events(self, obj):
        wf = self.workflow
        return wf.event_model.objects.filter(**{wf.event_fk: obj})

    def _snapshot(self, obj):
        """The row as stored and every event row (a refused call writes none, on no object)."""
        wf = self.workflow
        return wf.model.objects.filter(pk=obj.pk).values().get(), wf.event_model.objects.count()

    def _conflict_match(self) -> str:
        if self.conflict_match is not None:
            return self.conflict_match
        return re.escape(self.workflow.state_conflict.split("{", 1)[0].split("（", 1)[0])

    # --- the tests ----------------------------------------------------------------------------------

    def tests(self):
        """``(test_allowed, test_wrong_state, test_wrong_actor)``, parametrised over the table."""
        matrix = self

        @pytest.mark.parametrize(("action", "state"), self.allowed, ids=[f"{a}-{s}" for a, s in self.allowed])
        def test_allowed(request, action, state):
            wf = matrix.workflow
            transition = wf.by_action[action]
            obj, actor, payload = matrix.setup(matrix._fx(request), transition, state)
            assert action in wf.allowed_actions(actor, obj)
            result = matrix._take(actor=actor, obj=obj, action=action, payload=payload)
            expected = transition.target or state
            assert wf.state_of(result) == expected
            event = matrix._events(obj).latest("id")
            assert (event.action, event.from_status, event.to_status, event.actor_id) == (
                action,
                state,
                expected,
                actor.pk,
            )
            audit = AuditLog.objects.filter(action=f"{wf.audit_prefix}{action}", object_id=str(obj.pk))
            assert audit.count() == 1

        @pytest.mark.parametrize(("action", "state"), self.wrong_state, ids=[f"{a}-{s}" for a, s in self.wrong_state])
        def test_wrong_state(request, action, state):
            wf = matrix.workflow
            obj = matrix.make(matrix._fx(request), state)
            actor = matrix.actor(matrix.stale_actor) if matrix.stale_actor else None
            before = matrix._snapshot(obj)
            assert action not in wf.allowed_actions(actor, obj)
            with pytest.raises(Conflict, match=matrix._conflict_match()):
                matrix._take(actor=actor, obj=obj, action=action, payload=dict(matrix.stale_payload or {}))
            assert matrix._snapshot(obj) == before

        @pytest.mark.parametrize(
            ("action", "state", "name"), self.wrong_actor, ids=[f"{a}-{s}-{n}" for a, s, n in self.wrong_actor]
        )
        def test_wrong_actor(request, action, state, name):
            wf = matrix.workflow
            obj, _, payload = matrix.setup(matrix._fx(request), wf.by_action[action], state)
            outsider = matrix.actor(name)
            before = matrix._snapshot(obj)
            assert action not in wf.allowed_actions(outsider, obj)
            with pytest.raises(PermissionDenied):
                matrix._take(actor=outsider, obj=obj, action=action, payload=payload)
            assert matrix._snapshot(obj) == before

        return test_allowed, test_wrong_state, test_wrong_actor
