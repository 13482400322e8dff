"""Writes of 三单制 and the three lists. Creation is the entity's (``EntityService`` subclasses below,
named by the declarations); a status changes only through ``workflow.NEEDS`` / ``workflow.PROJECTS``.

Personal accounts write too: a resident or a Party member posts a need for themself (to the community
they live in / report to); a unit liaison (单位联络员) publishes their unit's resources and offers one to
a need (a project proposed by the unit). Staff record a need for a resident (``recorded_by``), publish
resources for a unit and ask a unit for a resource (a project proposed by the community).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from jiceng.audit.services import audit_record
from jiceng.core.entities import EntityService, entity_for
from jiceng.core.errors import OutOfScope
from jiceng.core.services import Result, full_clean, reject_unknown
from jiceng.orgs.choices import OrgKind
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area
from jiceng.tickets.models import Ticket

from .choices import UNIT_AUDIENCES, NeedSource, NeedStatus, ProposedBy
from .models import Milestone, Need, Project, Resource, unit_ids_of
from .workflow import NEEDS, PROJECTS


def _personal_only(actor, perm: str) -> bool:
    """``actor`` holds ``perm`` only through a personal role (resident, member, unit liaison)."""
    return (
        actor is not None
        and actor.is_authenticated
        and actor.scope.has_perm(perm)
        and not actor.scope.grants_with(perm)
    )


def _ancestor(path: str, kind: str) -> Area | None:
    return Area.objects.filter(path__in=Area.ancestor_paths(path), kind=kind).first() if path else None


def home_of(actor) -> tuple[Area | None, Area | None, Area | None]:
    """``(community, grid, quarter)`` a resident lives in, or the community a Party member reports to."""
    resident = getattr(actor, "resident", None) if actor.resident_id else None
    if resident is not None:
        quarter = resident.household.building.quarter if resident.household_id else None
        return (
            _ancestor(resident.scope_path, AreaKind.COMMUNITY),
            _ancestor(resident.scope_path, AreaKind.GRID),
            quarter,
        )
    member = getattr(actor, "party_member", None) if actor.party_member_id else None
    if member is not None:
        if member.report_community_id:
            return member.report_community, None, None
        if member.resident_id:
            path = member.resident.scope_path
            return _ancestor(path, AreaKind.COMMUNITY), _ancestor(path, AreaKind.GRID), None
    return None, None, None


def _audit_create(service, actor, obj):
    audit_record(actor=actor, action="create", obj=obj, after=service.snapshot(obj))


# --- needs ----------------------------------------------------------------------------------------


class NeedService(EntityService):
    """A worker records a need (``recorded_by``) in their subtree; a resident or member posts one for
    themself, in their own community (``posted_by``); it starts ``submitted`` either way."""

    def create(self, *, actor, **data) -> Result:
        if not _personal_only(actor, "needs.add_need"):
            return super().create(actor=actor, **data)
        with transaction.atomic():
            reject_unknown(data, set(self.entity.fields))
            community, grid, quarter = home_of(actor)
            if community is None:
                raise ValidationError({"community": "未找到您所住的社区，请联系社区工作人员代为登记。"})
            if data.get("community") not in (None, community):
                raise OutOfScope("只能向您所住（报到）的社区点单。")
            if data.get("grid") not in (None, grid):
                raise OutOfScope("只能选择您所住的网格。")
            if data.get("quarter") not in (None, quarter):
                raise OutOfScope("只能选择您所住的小区。")
            obj = Need(**{**data, "community": community, "grid": grid, "quarter": quarter})
            obj.posted_by, obj.source = actor, NeedSource.RESIDENT
            obj.scope_path = self.entity.path_of(obj)
            full_clean(obj)
            obj.save()
            _audit_create(self, actor, obj)
            return Result(obj, [])

    def validate(self, obj, *, actor):
        if obj.source == NeedSource.TICKET and not obj.ticket_id:
            raise ValidationError({"source": "“来自工单”的需求请在工单页面转入。"})
        if obj.pk is None:
            obj.recorded_by = actor
        elif obj.status not in (NeedStatus.SUBMITTED, NeedStatus.OPEN):
            raise ValidationError("需求已认领或已结束，不能再修改。")


def need_transition(*, actor, need: Need, action: str, **payload) -> Need:
    """The one way a need's status changes (``workflow.NEEDS``)."""
    return NEEDS.transition(actor=actor, obj=need, action=action, **payload)


@transaction.atomic
def need_from_ticket(*, actor, ticket: Ticket, category: str, title: str = "", description: str = "") -> Need:
    """A need (微心愿) made from a request (工单): its grid and community, its text; the link is kept.
    The worker must see the ticket and may record needs in its grid."""
    if not Ticket.objects.restrict(actor, "view").filter(pk=ticket.pk).exists():
        raise OutOfScope("未找到工单，或工单不在您的管辖范围内。")
    if Need.objects.filter(ticket=ticket, source=NeedSource.TICKET).exists():
        raise ValidationError({"ticket": "该工单已转为需求，请勿重复登记。"})
    grid = ticket.grid
    community = _ancestor(grid.path, AreaKind.COMMUNITY)
    need = (
        entity_for(Need)
        .service.create(
            actor=actor,
            title=(title or ticket.title or ticket.description[:30]).strip()[:100],
            category=category,
            description=(description or ticket.description).strip(),
            community=community,
            grid=grid,
        )
        .obj
    )
    Need.objects.filter(pk=need.pk).update(ticket=ticket, source=NeedSource.TICKET)
    need.refresh_from_db()
    audit_record(actor=actor, action="need_from_ticket", obj=need, detail={"ticket_no": ticket.ticket_no})
    return need


# --- resources ------------------------------------------------------------------------------------


class ResourceService(EntityService):
    """Staff publish a resource for a unit in their subtree; a unit liaison publishes their own unit's
    (where it may be used: the unit's node or a node below it, by default the unit's node)."""

    def create(self, *, actor, **data) -> Result:
        if data.get("area") is None and data.get("unit") is not None:
            data["area"] = data["unit"].area  # usable where the unit serves, unless said otherwise
        if not _personal_only(actor, "needs.add_resource"):
            return super().create(actor=actor, **data)
        with transaction.atomic():
            reject_unknown(data, set(self.entity.fields))
            unit = data.get("unit")
            if unit is None or not unit_ids_of(actor.pk).filter(organisation_id=unit.pk).exists():
                raise OutOfScope("只能发布本单位的资源。")
            area = data.get("area") or unit.area
            if not area.path.startswith(unit.area.path):
                raise OutOfScope("可用范围须在本单位的服务范围内。")
            obj = Resource(**{**data, "area": area})
            obj.scope_path = self.entity.path_of(obj)
            full_clean(obj)
            obj.save()
            _audit_create(self, actor, obj)
            return Result(obj, [])

    def validate(self, obj, *, actor):
        if obj.unit_id and obj.unit.kind != OrgKind.UNIT:
            raise ValidationError({"unit": "提供单位须是共建单位。"})


# --- projects -------------------------------------------------------------------------------------


def _need_still_open(project: Project) -> None:
    if project.need_id and project.need.status in (NeedStatus.DONE, NeedStatus.CANCELLED):
        raise ValidationError({"need": "该需求已完成或已取消，不能再立项。"})


class ProjectService(EntityService):
    """A match of a need and a resource. Staff ask a unit for its resource (``proposed_by`` community,
    the unit accepts); a unit liaison offers their resource to a need published to units (``proposed_by``
    unit, the community accepts). The status then moves through ``workflow.PROJECTS``."""

    def create(self, *, actor, **data) -> Result:
        if not _personal_only(actor, "needs.add_project"):
            return super().create(actor=actor, **data)
        with transaction.atomic():
            reject_unknown(data, set(self.entity.fields))
            need, resource = data.get("need"), data.get("resource")
            if resource is None or not unit_ids_of(actor.pk).filter(organisation_id=resource.unit_id).exists():
                raise OutOfScope("只能用本单位的资源对接需求。")
            visible = Need.objects.restrict(actor, "view").filter(pk=getattr(need, "pk", None))
            if need is None or not visible.exists():
                raise OutOfScope("未找到需求，或需求不在您的范围内。")
            if need.audience not in UNIT_AUDIENCES:
                raise ValidationError({"need": "该需求未向共建单位发布。"})
            obj = Project(**data)
            obj.proposed_by = ProposedBy.UNIT
            _need_still_open(obj)
            obj.scope_path = self.entity.path_of(obj)
            full_clean(obj)
            obj.save()
            _audit_create(self, actor, obj)
            return Result(obj, [])

    def validate(self, obj, *, actor):
        if obj.pk is None:
            obj.proposed_by = ProposedBy.COMMUNITY
            _need_still_open(obj)


def project_transition(*, actor, project: Project, action: str, **payload) -> Project:
    """The one way a project's status changes (``workflow.PROJECTS``)."""
    return PROJECTS.transition(actor=actor, obj=project, action=action, **payload)


def _require_project_change(actor, project: Project) -> None:
    if (
        actor is None
        or not actor.is_authenticated
        or not actor.scope.covers_path(project.scope_path, "needs.change_project")
    ):
        raise OutOfScope("未找到项目，或项目不在您的管辖范围内。")


@transaction.atomic
def milestone_add(*, actor, project: Project, title: str, due=None) -> Milestone:
    """A milestone of a live project (the community side plans it)."""
    _require_project_change(actor, project)
    if project.status not in ("proposed", "active"):
        raise ValidationError("项目已结束，不能再添加里程碑。")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写里程碑名称。"})
    milestone = Milestone(project=project, title=title[:100], due=due)
    full_clean(milestone)
    milestone.save()
    audit_record(actor=actor, action="milestone_add", obj=project, detail={"title": milestone.title})
    return milestone


@transaction.atomic
def milestone_done(*, actor, milestone: Milestone, at) -> Milestone:
    _require_project_change(actor, milestone.project)
    if milestone.done_at is not None:
        raise ValidationError("该里程碑已完成。")
    milestone.done_at = at
    milestone.save(update_fields=["done_at"])
    audit_record(actor=actor, action="milestone_done", obj=milestone.project, detail={"title": milestone.title})
    return milestone
