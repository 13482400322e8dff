"""Scope on writes: every write service × a user of a sibling subtree → OutOfScope, and nothing changes.

Creating into, editing in, and moving one's own object into the sibling's subtree are all refused; the row
counts of every business and audit table stay the same and the target row re-fetched is unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from jiceng.audit.services import snapshot
from jiceng.core import entities
from jiceng.core.errors import OutOfScope
from jiceng.party import services as party
from jiceng.party.models import CommitteeSeat, PartyGroup, PartyMember, PartyOrg
from jiceng.people import services as people
from jiceng.people.models import Resident, ResidentTag, Worker
from jiceng.territory import services as territory
from jiceng.territory.models import Area, Building, Household

from .helpers import make_id, row_counts

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@dataclass
class Ctx:
    actor: object
    foreign: Area  # the sibling's node
    own: Area  # the actor's node
    party_node: Area  # where the sibling's Party organisation lives

    def first(self, model, node=None, **filters):
        node = node or self.foreign
        return model.objects.filter(scope_path__startswith=node.path, **filters).order_by("pk").first()

    def area_in(self, kind, node=None):
        node = node or self.foreign
        if node.kind == kind:
            return node
        if kind == "community" and node.kind == "grid":
            return Area.objects.get_parent(node)
        return Area.objects.filter(kind=kind, path__startswith=node.path).order_by("path").first()


PAIRS = {
    "street": ("longpan_admin", "341103004000", "341103003000", "341103004000"),  # 龙蟠 → 银花
    "community": ("dougang_worker", "341103003012", "341103003009", "341103003012"),  # 陡岗 → 文昌花园
    "grid": ("grid_wc01", "34110300301203", "34110300301201", "341103003012"),  # 第1网格 → 第3网格
}


def _branch(ctx):
    return ctx.first(PartyOrg, ctx.party_node, org_type="branch")


CASES = {
    "area_create": lambda c: (
        lambda: territory.area_create(
            actor=c.actor, parent=c.area_in("community"), kind="grid", code=c.area_in("community").code + "77", name="x"
        ),
        None,
    ),
    "area_update": lambda c: (
        lambda: territory.area_update(actor=c.actor, area=c.area_in("grid"), name="越权"),
        c.area_in("grid"),
    ),
    "building_create": lambda c: (
        lambda: territory.building_create(actor=c.actor, grid=c.area_in("grid"), number="77"),
        None,
    ),
    "building_update": lambda c: (
        lambda: territory.building_update(actor=c.actor, building=c.first(Building), name="越权"),
        c.first(Building),
    ),
    "building_move": lambda c: (
        lambda: territory.building_update(
            actor=c.actor, building=c.first(Building, c.own), grid=c.area_in("grid"), quarter=None, number="77"
        ),
        c.first(Building, c.own),
    ),
    "household_create": lambda c: (
        lambda: territory.household_create(actor=c.actor, building=c.first(Building), room="77-701"),
        None,
    ),
    "household_update": lambda c: (
        lambda: territory.household_update(actor=c.actor, household=c.first(Household), room="77-702"),
        c.first(Household),
    ),
    "household_move": lambda c: (
        lambda: territory.household_update(
            actor=c.actor, household=c.first(Household, c.own), building=c.first(Building)
        ),
        c.first(Household, c.own),
    ),
    "resident_create": lambda c: (
        lambda: people.resident_create(
            actor=c.actor, name="越权", id_number=make_id("19880808", seq="977"), household=c.first(Household)
        ),
        None,
    ),
    "resident_update": lambda c: (
        lambda: people.resident_update(actor=c.actor, resident=c.first(Resident), name="越权"),
        c.first(Resident),
    ),
    "resident_move": lambda c: (
        lambda: people.resident_update(actor=c.actor, resident=c.first(Resident, c.own), household=c.first(Household)),
        c.first(Resident, c.own),
    ),
    "tag_create": lambda c: (
        lambda: people.tag_create(actor=c.actor, resident=c.first(Resident), tag_type="veteran"),
        None,
    ),
    "tag_update": lambda c: (
        lambda: people.tag_update(actor=c.actor, tag=c.first(ResidentTag), risk_level="high"),
        c.first(ResidentTag),
    ),
    "worker_create": lambda c: (
        lambda: people.worker_create(actor=c.actor, name="越权", community=c.area_in("community")),
        None,
    ),
    "worker_update": lambda c: (
        lambda: people.worker_update(actor=c.actor, worker=c.first(Worker, c.area_in("community")), name="越权"),
        c.first(Worker, c.area_in("community")),
    ),
    "party_org_create": lambda c: (
        lambda: party.party_org_create(
            actor=c.actor, name="越权支部", org_type="branch", parent=_branch(c).parent, area=_branch(c).area
        ),
        None,
    ),
    "party_org_update": lambda c: (
        lambda: party.party_org_update(actor=c.actor, org=_branch(c), name="越权"),
        _branch(c),
    ),
    "member_create": lambda c: (
        lambda: party.member_create(actor=c.actor, name="越权", org=_branch(c), join_date=dt.date(2015, 7, 1)),
        None,
    ),
    "member_update": lambda c: (
        lambda: party.member_update(
            actor=c.actor, member=c.first(PartyMember, c.party_node, org__isnull=False), name="越权"
        ),
        c.first(PartyMember, c.party_node, org__isnull=False),
    ),
    "seat_create": lambda c: (
        lambda: party.seat_create(
            actor=c.actor,
            org=_branch(c),
            member=c.first(PartyMember, c.party_node, org=_branch(c), status="full"),
            role="member",
            start=TODAY,
        ),
        None,
    ),  # fmt: skip
    "seat_update": lambda c: (
        lambda: party.seat_update(actor=c.actor, seat=c.first(CommitteeSeat, c.party_node), end=TODAY),
        c.first(CommitteeSeat, c.party_node),
    ),
    "group_create": lambda c: (lambda: party.group_create(actor=c.actor, branch=_branch(c), name="越权"), None),
    "group_update": lambda c: (
        lambda: party.group_update(actor=c.actor, group=c.first(PartyGroup, c.party_node), name="越权"),
        c.first(PartyGroup, c.party_node),
    ),
    "central_household_create": lambda c: (
        lambda: party.central_household_create(
            actor=c.actor,
            member=c.first(PartyMember, c.party_node, resident__isnull=False, central_household__isnull=True),
            household=c.first(
                PartyMember, c.party_node, resident__isnull=False, central_household__isnull=True
            ).resident.household,
        ),
        None,
    ),
}


def _entity_cases(entity):
    """The rows every declared entity adds (``core.entities``): create into, edit, delete in, and move one's
    own row into the sibling's subtree — all through the entity's service."""
    service, model, key = entity.service, entity.model, entity.label.replace(".", "_")
    cases = {
        f"{key}_create": lambda c: (
            lambda: service.create(actor=c.actor, **entity.sample(c.foreign, name="越权")),
            None,
        ),
        f"{key}_update": lambda c: (
            lambda: service.update(actor=c.actor, obj=c.first(model), name="越权"),
            c.first(model),
        ),
        f"{key}_move": lambda c: (
            lambda: service.update(actor=c.actor, obj=c.first(model, c.own), **entity.sample_links(c.foreign)),
            c.first(model, c.own),
        ),
        f"{key}_delete": lambda c: (lambda: service.delete(actor=c.actor, obj=c.first(model)), c.first(model)),
    }
    return {name: case for name, case in cases.items() if name.rsplit("_", 1)[1] in entity.write_matrix}


ENTITY_CASES = {name: case for entity in entities.entities() for name, case in _entity_cases(entity).items()}
CASES.update(ENTITY_CASES)


@pytest.fixture
def ctx_for(personas):
    def build(pair):
        username, foreign, own, party_node = PAIRS[pair]
        nodes = {a.code: a for a in Area.objects.filter(code__in=[foreign, own, party_node])}
        ctx = Ctx(getattr(personas, username), nodes[foreign], nodes[own], nodes[party_node])
        # a tag in the sibling's subtree to try to edit (written by the district before counting)
        if not ctx.first(ResidentTag):
            people.tag_create(actor=personas.qu_admin, resident=ctx.first(Resident), tag_type="disabled")
        return ctx

    return build


@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize("case", CASES)
def test_sibling_write_is_refused_and_changes_nothing(ctx_for, pair, case):
    ctx = ctx_for(pair)
    call, target = CASES[case](ctx)
    if case in ENTITY_CASES and not case.endswith("_create"):
        assert target is not None, f"演示数据中 {ctx.foreign} / {ctx.own} 缺少 {case} 的对象"
    if target is not None:
        target = type(target)._default_manager.get(pk=target.pk)
        before = snapshot(target)
    counts = row_counts()
    with pytest.raises(OutOfScope):
        call()
    assert row_counts() == counts
    if target is not None:
        assert snapshot(type(target)._default_manager.get(pk=target.pk)) == before


def test_the_same_writes_succeed_for_the_owner_and_each_writes_one_audit_row(personas):
    """Control: the actors above are refused because of scope, not because the calls are malformed.

    Every successful service write leaves exactly one audit row, with the diff of before and after.
    """
    from jiceng.audit.models import AuditLog

    nodes = (Area.objects.get(code=c) for c in ("341103004000", "341103003000", "341103004000"))
    ctx = Ctx(personas.yinhua_admin, *nodes)
    people.tag_create(actor=personas.qu_admin, resident=ctx.first(Resident), tag_type="disabled")
    for name in ("area_create", "area_update", "building_create", "building_update", "household_create",
                 "household_update", "resident_create", "resident_update", "tag_create", "tag_update",
                 "worker_create", "worker_update", "party_org_create", "party_org_update", "member_create",
                 "member_update", "seat_update", "group_create", "group_update"):  # fmt: skip
        call, _ = CASES[name](ctx)
        last = AuditLog.objects.order_by("-id").values_list("id", flat=True).first()
        result = call()
        rows = list(AuditLog.objects.filter(id__gt=last))
        assert len(rows) == 1, name
        row = rows[0]
        assert row.action == ("create" if name.endswith("_create") else "update"), name
        assert row.username == "yinhua_admin" and row.success
        assert (row.object_type, row.object_id) == (result.obj._meta.label, str(result.obj.pk)), name
        assert row.detail["changes"], name
        if name.endswith("_update"):
            assert any(v["before"] != v["after"] for v in row.detail["changes"].values())
    for name in ENTITY_CASES:  # a declared entity's service: create, update, move within, delete; one row each
        if name.endswith("_move"):
            continue
        call, _ = CASES[name](Ctx(ctx.actor, ctx.foreign, ctx.own, ctx.party_node))
        last = AuditLog.objects.order_by("-id").values_list("id", flat=True).first()
        result = call()
        rows = list(AuditLog.objects.filter(id__gt=last))
        assert [(r.action, r.username) for r in rows] == [(name.rsplit("_", 1)[1], "yinhua_admin")], name
        if result is not None:
            assert rows[0].object_id == str(result.obj.pk) and rows[0].detail["changes"], name
