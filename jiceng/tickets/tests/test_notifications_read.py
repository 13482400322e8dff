"""A notification is read once its user opens the ticket it is about, or acts on it."""

import pytest
from django.urls import reverse

from jiceng.tickets.choices import Status
from jiceng.tickets.models import Notification
from jiceng.tickets.services import ticket_transition

from .conftest import user

pytestmark = pytest.mark.django_db


def _unread(who, ticket=None):
    qs = Notification.objects.filter(user=who, read_at__isnull=True)
    return qs.filter(ticket=ticket) if ticket is not None else qs


def test_opening_a_ticket_reads_its_notifications_only(client, login, make_ticket):
    worker = login("grid_wc01")
    ticket, other = make_ticket(Status.PENDING_ACCEPT), make_ticket(Status.PENDING_ACCEPT)
    Notification.objects.create(user=worker, ticket=ticket, text="新工单待受理")
    Notification.objects.create(user=worker, ticket=ticket, text="督办")
    Notification.objects.create(user=worker, ticket=other, text="另一单")
    peer = Notification.objects.create(user=user("grid_wc02"), ticket=ticket, text="别人的")
    assert client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 200
    assert _unread(worker, ticket).count() == 0
    assert list(_unread(worker).values_list("text", flat=True)) == ["另一单"]
    peer.refresh_from_db()
    assert peer.read_at is None


def test_acting_on_a_ticket_reads_the_actors_notifications(make_ticket):
    worker = user("grid_wc01")
    ticket = make_ticket(Status.PENDING_ACCEPT)
    Notification.objects.create(user=worker, ticket=ticket, text="新工单待受理")
    ticket_transition(actor=worker, ticket=ticket, action="accept")
    assert _unread(worker, ticket).count() == 0


def test_a_refused_action_reads_nothing(make_ticket):
    from django.core.exceptions import PermissionDenied

    outsider = user("grid_wc02")
    ticket = make_ticket(Status.PENDING_ACCEPT)
    Notification.objects.create(user=outsider, ticket=ticket, text="抄送")
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=outsider, ticket=ticket, action="accept")
    assert _unread(outsider, ticket).count() == 1
