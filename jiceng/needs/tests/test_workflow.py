"""The need's and the project's life cycles, from the engine's table (``jiceng.testing.workflow``)."""

from __future__ import annotations

import pytest

from jiceng.needs.choices import NeedStatus, ProjectStatus, ProposedBy
from jiceng.needs.models import Project, Resource
from jiceng.needs.workflow import NEEDS, PROJECTS
from jiceng.testing.personas import persona
from jiceng.testing.workflow import WorkflowMatrix
from jiceng.tickets.models import Category

from .conftest import make_need

pytestmark = pytest.mark.django_db

ACTOR_OF = {
    "reviewer": "wenchang_worker",
    "poster": "resident_demo",
    "poster_or_reviewer": "resident_demo",
    "claimer": "member_demo",
    "claimant": "member_demo",
}
PAYLOAD = {
    "publish": {"audience": "both"},
    "reject": {"reason": "不属于微心愿"},
    "complete": {"note": "已上门完成"},
    "confirm": {"rating": 5},
}


def _need_setup(fx, transition, state):
    payload = dict(PAYLOAD.get(transition.action, {}))
    if transition.action == "to_ticket":
        payload["category"] = Category.objects.filter(is_active=True).order_by("pk").first().pk
    return make_need(fx.world, state), persona(ACTOR_OF[transition.who]), payload


NEED_MATRIX = WorkflowMatrix(
    NEEDS,
    fixtures=("world",),
    setup=_need_setup,
    make=lambda fx, state: make_need(fx.world, state),
    actor=persona,
    refused={
        "reviewer": ["member_demo", "resident_demo", "dougang_worker", "grid_wc02", "unit_demo"],
        "poster": ["wenchang_worker", "member_demo", "dougang_worker"],
        "poster_or_reviewer": ["member_demo", "dougang_worker", "unit_demo"],
        "claimer": ["resident_demo", "wenchang_worker", "dougang_worker"],
        "claimant": ["wenchang_worker", "resident_demo", "unit_demo"],
    },
)
test_need_allowed, test_need_wrong_state, test_need_wrong_actor = NEED_MATRIX.tests()


def _project(world, state, proposed_by=ProposedBy.UNIT):
    need = make_need(world, NeedStatus.OPEN)
    resource = Resource.objects.filter(unit=world.unit, scope_path=world.community.path).first()
    return Project.objects.create(
        name="测试项目", need=need, resource=resource, owner="张三", status=state, proposed_by=proposed_by,
        scope_path=need.scope_path,
    )  # fmt: skip


PROJECT_ACTOR = {"accepter": "wenchang_worker", "community": "wenchang_worker", "either": "unit_demo"}


def _project_setup(fx, transition, state):
    payload = {"evaluation": "按期完成", "score": 4} if transition.action == "finish" else {}
    return _project(fx.world, state), persona(PROJECT_ACTOR[transition.who]), payload


PROJECT_MATRIX = WorkflowMatrix(
    PROJECTS,
    fixtures=("world",),
    setup=_project_setup,
    make=lambda fx, state: _project(fx.world, state),
    actor=persona,
    refused={
        "accepter": ["unit_demo", "dougang_worker", "member_demo"],  # the unit proposed: the community accepts
        "community": ["unit_demo", "dougang_worker", "resident_demo"],
        "either": ["dougang_worker", "member_demo", "resident_demo"],
    },
)
test_project_allowed, test_project_wrong_state, test_project_wrong_actor = PROJECT_MATRIX.tests()


def test_a_match_the_community_asked_for_is_accepted_by_the_unit(world):
    project = _project(world, ProjectStatus.PROPOSED, ProposedBy.COMMUNITY)
    worker, liaison = persona("wenchang_worker"), persona("unit_demo")
    assert "accept" not in PROJECTS.allowed_actions(worker, project)
    assert "accept" in PROJECTS.allowed_actions(liaison, project)
    assert PROJECTS.transition(actor=liaison, obj=project, action="accept").status == ProjectStatus.ACTIVE
