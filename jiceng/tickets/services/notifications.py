"""Who hears of a ticket, and the in-app notifications: the organisation of a territory node, the
people of an organisation, the organisation a user acts for, the outbox written after the commit and
marking read."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from jiceng.accounts.roles import ROLES
from jiceng.core.workflow import Outbox
from jiceng.notices.choices import NotificationKind
from jiceng.notices.services import notices_mark_read
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.models import Organisation
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area

from .. import policy
from ..models import Ticket

# --- organisations and recipients --------------------------------------------------------------

AREA_ORG_KIND = {
    AreaKind.GRID: OrgKind.GRID,
    AreaKind.COMMUNITY: OrgKind.COMMUNITY,
    AreaKind.STREET: OrgKind.STREET,
    AreaKind.DISTRICT: OrgKind.DISTRICT,
}


def handler_org_for_area(area: Area) -> Organisation:
    """The organisation of a territory node (created on first use; quarters have none — use their grid)."""
    kind = AREA_ORG_KIND.get(area.kind)
    if kind is None:
        raise ValidationError("小区不是承办单位，请选择其所在网格或社区。")
    org, _ = Organisation.objects.get_or_create(area=area, kind=kind, defaults={"name": area.name})
    return org


def org_user_ids(org: Organisation | None) -> set[int]:
    """The people to notify for an organisation: ticket-handling grants on its node, its grid workers,
    or its listed members."""
    from jiceng.accounts.models import RoleGrant
    from jiceng.people.models import Worker

    if org is None:
        return set()
    if not org.is_territory:
        return set(org.members.values_list("pk", flat=True))
    roles = [code for code, role in ROLES.items() if role.has_perm(policy.PERM) and not role.personal]
    ids = set(RoleGrant.objects.filter(area_id=org.area_id, role__in=roles).values_list("user_id", flat=True))
    if org.kind == OrgKind.GRID:
        ids |= set(
            Worker.objects.filter(grids=org.area_id, is_active=True, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
    return ids


def _user_orgs(user) -> list[Organisation]:
    return list(Organisation.objects.filter(members=user)) if user is not None and user.pk else []


def acting_org(user, ticket: Ticket) -> Organisation | None:
    """The organisation on whose behalf ``user`` acts on ``ticket`` (for the event row)."""
    if user is None:
        return None
    for org in (ticket.handler_org, ticket.dispatcher_org, ticket.whistle_org):
        if org is not None and policy.user_in_org(user, org):
            return org
    grants = user.scope.grants_with(policy.PERM)
    covering = [g for g in grants if ticket.scope_path.startswith(g.area_path)]
    if covering:
        area = Area.objects.get(pk=max(covering, key=lambda g: len(g.area_path)).area_id)
        if area.kind in AREA_ORG_KIND:
            return handler_org_for_area(area)
    orgs = _user_orgs(user)
    return orgs[0] if orgs else None


# --- notifications -----------------------------------------------------------------------------


class TicketOutbox(Outbox):
    """The engine's outbox: notices about a ticket (delivered by ``jiceng.notices``)."""

    default_kind = NotificationKind.PROGRESS


def notification_mark_read(*, actor, ids: list[int] | None = None, ticket=None) -> int:
    """Mark the actor's notices read: those of ``ticket`` (the user opened it or acted on it), the given
    ``ids``, or all unread ones when neither is given."""
    return notices_mark_read(actor=actor, target=ticket, ids=ids)
