"""A notification is read once its user opens the ticket it is about, or acts on it."""

import pytest
from django.urls import reverse

from jiceng.notices.models import Notice
from jiceng.tickets.choices import Status
from jiceng.tickets.services import ticket_transition

from .conftest import user

pytestmark = pytest.mark.django_db


def _unread(who, ticket=None):
    qs = Notice.objects.filter(user=who, read_at__isnull=True)
    return qs.for_target(ticket) if ticket is not None else qs


def test_opening_a_ticket_reads_its_notifications_only(client, login, make_ticket):
    worker = login("grid_wc01")
    # The demo district may already have left this worker unread notices (a demo request submitted
    # today); the assertions are about the notices made here.
    Notice.objects.filter(user=worker).delete()
    ticket, other = make_ticket(Status.PENDING_ACCEPT), make_ticket(Status.PENDING_ACCEPT)
    Notice.objects.create(user=worker, target=ticket, text="新工单待受理")
    Notice.objects.create(user=worker, target=ticket, text="督办")
    Notice.objects.create(user=worker, target=other, text="另一单")
    peer = Notice.objects.create(user=user("grid_wc02"), target=ticket, text="别人的")
    assert client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 200
    assert _unread(worker, ticket).count() == 0
    assert list(_unread(worker).values_list("text", flat=True)) == ["另一单"]
    peer.refresh_from_db()
    assert peer.read_at is None


def test_acting_on_a_ticket_reads_the_actors_notifications(make_ticket):
    worker = user("grid_wc01")
    ticket = make_ticket(Status.PENDING_ACCEPT)
    Notice.objects.create(user=worker, target=ticket, text="新工单待受理")
    ticket_transition(actor=worker, ticket=ticket, action="accept")
    assert _unread(worker, ticket).count() == 0


def test_a_refused_action_reads_nothing(make_ticket):
    from django.core.exceptions import PermissionDenied

    outsider = user("grid_wc02")
    ticket = make_ticket(Status.PENDING_ACCEPT)
    Notice.objects.create(user=outsider, target=ticket, text="抄送")
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=outsider, ticket=ticket, action="accept")
    assert _unread(outsider, ticket).count() == 1
