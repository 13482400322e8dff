"""Who may act on a ticket: organisation membership, "higher organisation", and the "who" of each action (``WHO``).

Membership of a territory organisation comes from role grants, never from a list to keep in sync: a
user belongs to the organisation of a node when they hold a ticket-handling grant
(``tickets.change_ticket``) **on that node**. A community also acts for its grids (网格 is not a
legal organisation; its 社区 is). Departments and co-building units list their ``members``.

An organisation is *higher* than another when its node is a strict ancestor of the other's node;
departments and units rank with the node they serve (the district), so the district supervises them.
"""

from __future__ import annotations

from jiceng.orgs.choices import OrgKind
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area

from .models import Ticket
from .states import Actor, Transition

PERM = "tickets.change_ticket"
INTAKE_PERM = "tickets.intake_ticket"


def _handling_grants(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return user.scope.grants_with(PERM)


def _org_path(org: Organisation) -> str:
    cached = getattr(org, "_area_path", None)
    if cached is None:
        cached = org.area.path
        org._area_path = cached
    return cached


def user_in_org(user, org: Organisation | None) -> bool:
    """Whether ``user`` is one of the people of ``org`` (may accept, sign, handle for it)."""
    if org is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    if org.is_territory:
        path = _org_path(org)
        for grant in _handling_grants(user):
            if grant.area_path == path:
                return True
            if org.kind == OrgKind.GRID and grant.area_path == path[: -Area.steplen]:
                return True
        return False
    cache = user.__dict__.setdefault("_handler_org_ids", None)
    if cache is None:
        cache = set(Organisation.objects.filter(members=user).values_list("pk", flat=True))
        user.__dict__["_handler_org_ids"] = cache
    return org.pk in cache


def user_supervises(user, org: Organisation | None) -> bool:
    """Whether ``user`` belongs to an organisation above ``org`` (may 督办 / 批示 / approve / terminate)."""
    if org is None:
        return False
    path = _org_path(org)
    top_level = not org.is_territory or org.kind == OrgKind.DISTRICT
    for grant in _handling_grants(user):
        if not path.startswith(grant.area_path):
            continue
        if len(grant.area_path) < len(path) or top_level:
            return True
    return False


def user_is_staff_for(user, ticket: Ticket) -> bool:
    """Ticket staff whose subtree holds the ticket's place (回访, archiving, verification)."""
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.scope.covers_path(ticket.scope_path, PERM)
    )


def user_is_reporter(user, ticket: Ticket) -> bool:
    """The reporter's own account — not the staff member who recorded the ticket for a caller (who may
    submit the draft they recorded, ``user_recorded``, but never withdraw or rate as the reporter)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return ticket.reporter_user_id is not None and user.pk == ticket.reporter_user_id


def user_sees_as_reporter(user, ticket: Ticket) -> bool:
    """The ticket is shown to ``user`` as to its reporter (the follow page, the reporter's photos only):
    their own request, and they are neither territory staff nor a department's handler."""
    if not user_is_reporter(user, ticket):
        return False
    return not user.scope.grants_with("tickets.view_ticket") and not any(
        g.role == "unit_handler" for g in user.scope.grants
    )


def user_recorded(user, ticket: Ticket) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.pk == ticket.recorded_by_id


def user_records_patrol_in_own_grid(user, ticket: Ticket) -> bool:
    """当场处置: the user recorded the ticket and holds a ticket-handling grant on its grid itself (the
    grid worker of that grid — not the community, which may act for its grids but did not find it there)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk != ticket.recorded_by_id:
        return False
    org = ticket.handler_org
    if org is None or org.kind != OrgKind.GRID:
        return False
    path = _org_path(org)
    return any(grant.area_path == path for grant in _handling_grants(user))


def user_sees_reporter_contact(user, ticket: Ticket) -> bool:
    """The reporter's own account sees its contact as given; everyone else gets it masked (lists, pages,
    exports, the API) and reveals it one ticket at a time (``user_may_reveal_reporter_contact``)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and ticket.reporter_user_id == user.pk)


def user_may_reveal_reporter_contact(user, ticket: Ticket) -> bool:
    """Who must call the reporter back: the intake role of the place (受理, ``tickets.intake_ticket``),
    and the people of the organisation handling the ticket now, leading it or co-handling it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.scope.covers_path(ticket.scope_path, INTAKE_PERM):
        return True
    orgs = (ticket.handler_org, ticket.lead_org, *ticket.co_orgs.all())
    return any(user_in_org(user, org) for org in orgs if org is not None)


def user_reveals_reporter_name(user, ticket: Ticket) -> bool:
    """A reporter who asked to hide their name from handlers (``anonymous``) is named only to intake."""
    return not ticket.anonymous or (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.scope.covers_path(ticket.scope_path, INTAKE_PERM)
    )


def _handler_or_co(user, ticket: Ticket) -> bool:
    return user_in_org(user, ticket.handler_org) or any(user_in_org(user, o) for o in ticket.co_orgs.all())


def _approver(user, ticket: Ticket) -> bool:
    """An organisation above the holder, or the dispatching one — never the requesting one approving itself."""
    if user_supervises(user, ticket.handler_org):
        return True
    return user_in_org(user, ticket.dispatcher_org) and not user_in_org(user, ticket.handler_org)


def _verifier(user, ticket: Ticket) -> bool:
    if user is None or user.pk == ticket.completed_by_id:
        return False
    return user_is_staff_for(user, ticket) or user_in_org(user, ticket.dispatcher_org)


#: The "who" column of the table (``states.Actor``): one predicate ``(user, ticket) -> bool`` each.
WHO = {
    Actor.REPORTER: user_is_reporter,
    # a recorded ticket's draft is submitted by whoever recorded it
    Actor.REPORTER_OR_RECORDER: lambda user, ticket: user_is_reporter(user, ticket) or user_recorded(user, ticket),
    Actor.HANDLER: lambda user, ticket: user_in_org(user, ticket.handler_org),
    Actor.HANDLER_OR_CO: _handler_or_co,
    Actor.WHISTLED: lambda user, ticket: user_in_org(user, ticket.whistle_org),
    Actor.APPROVER: _approver,
    Actor.SUPERVISOR: lambda user, ticket: user_supervises(user, ticket.handler_org),
    Actor.VERIFIER: _verifier,
    Actor.STAFF: user_is_staff_for,
    Actor.REPORTER_OR_STAFF: lambda user, ticket: user_is_reporter(user, ticket) or user_is_staff_for(user, ticket),
    Actor.PATROL_RECORDER: user_records_patrol_in_own_grid,
}


def actor_may(user, ticket: Ticket, transition: Transition) -> bool:
    """The "who" column of the table, for this user and this ticket (the state is checked elsewhere)."""
    try:
        who = WHO[transition.who]
    except KeyError:
        raise ValueError(transition.who) from None
    return who(user, ticket)
