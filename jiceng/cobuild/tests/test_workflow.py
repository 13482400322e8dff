"""The 报到单 life cycle, driven by its own table (``jiceng.testing.workflow.WorkflowMatrix``): every
allowed (state, action) works with one event and one audit row; every other state is a 409 ``Conflict``;
the wrong people (a sibling community, a grid worker, the unit itself for the community's actions, another
unit's liaison) are refused — and nothing is written."""

from __future__ import annotations

import pytest

from jiceng.cobuild.models import UnitReport
from jiceng.cobuild.workflow import REPORTS, report_transition
from jiceng.testing.personas import persona
from jiceng.testing.workflow import WorkflowMatrix

from .conftest import no_report_pairing

pytestmark = pytest.mark.django_db

ACTOR = {"community": "wenchang_worker", "liaison": "unit_demo"}
PAYLOAD = {"return": {"reason": "报到事项不具体"}, "resubmit": {"content": "补充了服务事项"}}


def make_report(world, state):
    pairing = no_report_pairing(world.unit, world.wenchang)
    report = UnitReport(pairing=pairing, content="报到事项", status=state)
    report.derive()
    report.scope_path = report.community.path
    report.save()
    return report


def _setup(fx, transition, state):
    return make_report(fx.world, state), persona(ACTOR[transition.who]), dict(PAYLOAD.get(transition.action, {}))


MATRIX = WorkflowMatrix(
    REPORTS,
    fixtures=("world",),
    setup=_setup,
    make=lambda fx, state: make_report(fx.world, state),
    actor=persona,
    refused={
        "community": ["dougang_worker", "grid_wc01", "unit_demo", "unit_other", "yinhua_admin"],
        "liaison": ["wenchang_worker", "unit_other", "longpan_admin"],
    },
    stale_actor="qu_admin",
    stale_payload={"comment": "x"},
    apply=lambda *, actor, obj, action, **payload: report_transition(actor=actor, report=obj, action=action, **payload),
)
test_allowed_transition, test_wrong_state_conflicts_and_writes_nothing, test_wrong_actor_is_refused = MATRIX.tests()


def test_every_state_is_reached_and_left_where_it_should():
    reached = {t.target for t in REPORTS.transitions}
    assert reached == {"confirmed", "returned", "submitted"}
    assert not REPORTS.transitions_from("confirmed")  # a confirmed report is the receipt: final
