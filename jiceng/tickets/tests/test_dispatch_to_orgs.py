"""Tickets dispatch to the organisations of ``jiceng.orgs`` (物业服务企业、业主委员会 …) as they did to
departments and co-building units: only for places the organisation serves, and its people then see
and handle the ticket."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jiceng.accounts.models import RoleGrant, User
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.services import organisation_create
from jiceng.territory.models import Area
from jiceng.tickets.choices import Status
from jiceng.tickets.forms import dispatch_targets
from jiceng.tickets.models import Ticket
from jiceng.tickets.services import ticket_transition
from jiceng.tickets.tests.conftest import user
from jiceng.tickets.workflow import allowed_actions

pytestmark = pytest.mark.django_db


def test_a_property_company_receives_tickets_of_the_community_it_serves(world, make_ticket):
    person = User.objects.create(username="wenchang_wuye", home_area=world.community)
    RoleGrant.objects.create(user=person, role="unit_handler", area=Area.objects.get(kind="district"))
    wenchang = organisation_create(
        actor=user("longpan_admin"), kind=OrgKind.PROPERTY, name="文昌物业", area=world.community, members=[person]
    ).obj
    dougang = organisation_create(
        actor=user("longpan_admin"), kind=OrgKind.PROPERTY, name="陡岗物业", area=Area.objects.get(name="陡岗社区")
    ).obj
    ticket = make_ticket(Status.ACCEPTED, handler_org=world.community_org)
    other_ticket = make_ticket(Status.ACCEPTED)
    targets = dispatch_targets(ticket)
    assert wenchang in targets and dougang not in targets
    with pytest.raises(ValidationError, match="不服务于诉求发生地"):
        ticket_transition(actor=user("wenchang_worker"), ticket=ticket, action="dispatch", lead_org=dougang.pk)
    ticket = ticket_transition(actor=user("wenchang_worker"), ticket=ticket, action="dispatch", lead_org=wenchang.pk)
    assert (ticket.status, ticket.handler_org, ticket.lead_org) == (Status.DISPATCHED, wenchang, wenchang)
    assert not Ticket.objects.restrict(user("wenchang_wuye")).filter(pk=other_ticket.pk).exists()
    assert Ticket.objects.restrict(user("wenchang_wuye")).filter(pk=ticket.pk).exists()
    assert "sign" in allowed_actions(user("wenchang_wuye"), ticket)
    ticket = ticket_transition(actor=user("wenchang_wuye"), ticket=ticket, action="sign")
    assert ticket.status == Status.IN_PROGRESS
