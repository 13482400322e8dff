"""A Party member files a request: ``member_demo``'s "我要反映" was a 403. Members now
hold the personal ticket permissions of a resident: they report through the 党员联户 channel and see
their own requests only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.tickets.choices import Channel, Status
from jiceng.tickets.forms import own_buildings
from jiceng.tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db


def test_member_reports_through_the_member_link_channel_and_follows_it(client, login, make_ticket):
    member = login("member_demo")
    home = client.get("/").content.decode()
    assert 'href="/tickets/report/"' in home and "我要反映" in home
    page = client.get(reverse("tickets:report"))
    assert page.status_code == 200
    own = member.party_member.resident.household.building
    assert own in own_buildings(member)
    category = Category.objects.get(service_code="201")
    response = client.post(
        reverse("tickets:report"),
        {"kind": "complaint", "category": category.pk, "description": "联系户反映楼道灯坏了", "building": own.pk},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(description="联系户反映楼道灯坏了")
    assert (ticket.channel, ticket.reporter_user_id, ticket.recorded_by_id) == (Channel.MEMBER_LINK, member.pk, None)
    assert ticket.reporter_name == member.party_member.name and ticket.grid_id == own.grid_id
    assert ticket.status == Status.PENDING_ACCEPT
    assert response["Location"] == reverse("tickets:detail", args=[ticket.pk])
    follow = client.get(response["Location"])
    assert follow.status_code == 200 and "联系户反映楼道灯坏了" in follow.content.decode()
    assert ticket.ticket_no in client.get(reverse("tickets:mine")).content.decode()
    # Their own requests only: a resident's ticket is a 404, the handler list is not theirs.
    other = make_ticket(Status.PENDING_ACCEPT)
    assert client.get(reverse("tickets:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("tickets:list"))["Location"] == reverse("tickets:mine")
    assert list(Ticket.objects.restrict(member).values_list("pk", flat=True)) == [ticket.pk]


def test_member_may_not_record_patrols_or_act_on_others(client, login):
    login("member_demo")
    assert client.get(reverse("tickets:patrol")).status_code == 403
    assert client.get(reverse("tickets:intake")).status_code == 403
    assert client.get(reverse("tickets:stats")).status_code == 403


def test_a_resident_still_reports_as_a_resident(client, login):
    user = login("resident_demo")
    own = user.resident.household.building
    category = Category.objects.get(service_code="201")
    client.post(
        reverse("tickets:report"),
        {"kind": "complaint", "category": category.pk, "description": "居民反映电梯", "building": own.pk},
    )
    assert Ticket.objects.get(description="居民反映电梯").channel == Channel.RESIDENT
