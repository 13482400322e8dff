"""当场处置: the grid worker who found a 巡查 event in their own grid settles it in one
step — 受理 → 派单 → 签收 → 办结 was four — and it lands in 已办结待核查 with the handling note and
photos; verification stays with another person (never the user who completed it)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiceng.audit.models import AuditLog
from jiceng.core.errors import Conflict
from jiceng.notices.models import Notice
from jiceng.territory.models import Building
from jiceng.tickets import services, workflow
from jiceng.tickets.choices import Channel, Status
from jiceng.tickets.models import Category, Ticket, TicketAction
from jiceng.tickets.tests.conftest import user

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
NOTE = "已当场劝离占道摊贩，路面已清扫"


def _patrol(world, recorder="grid_wc01", **extra):
    building = Building.objects.filter(grid=world.grid).order_by("pk").first()
    data = {"channel": Channel.PATROL, "category": Category.objects.get(service_code="E01"),
            "description": "巡查发现占道经营", "building": building, **extra}  # fmt: skip
    return services.ticket_create(actor=user(recorder), **data).obj


def _frozen(ticket):
    return Ticket.objects.filter(pk=ticket.pk).values().get(), TicketAction.objects.count()


def test_recorder_handles_on_spot_and_another_person_verifies(world, django_capture_on_commit_callbacks):
    ticket = _patrol(world)
    worker = user("grid_wc01")
    assert "handle_on_spot" in workflow.allowed_actions(worker, ticket)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.ticket_transition(actor=worker, ticket=ticket, action="handle_on_spot", reply=NOTE)
    assert done.status == Status.RESOLVED
    assert (done.reply, done.completed_by_id, done.handler_user_id) == (NOTE, worker.pk, worker.pk)
    assert done.accepted_at == done.completed_at and done.responded_at == done.completed_at
    assert done.sla_due_at is not None and done.dispatched_at is None and done.lead_org_id == world.grid_org.pk
    events = list(ticket.actions.values_list("action", "from_status", "to_status", "comment"))
    assert events == [("submit", "draft", "pending_accept", ""), ("handle_on_spot", "pending_accept", "resolved", "")]
    assert AuditLog.objects.filter(action="ticket_handle_on_spot", object_id=str(ticket.pk)).count() == 1
    # The community's people are told it waits for verification; the worker is not told of their own act.
    told = set(
        Notice.objects.for_target(ticket)
        .filter(text__startswith="网格员当场处置")
        .values_list("user__username", flat=True)
    )
    assert "wenchang_worker" in told and "grid_wc01" not in told
    # The one who completed may not verify ...
    assert "verify_pass" not in workflow.allowed_actions(worker, done)
    with pytest.raises(PermissionDenied):
        services.ticket_transition(actor=worker, ticket=done, action="verify_pass")
    # ... another person does.
    closed = services.ticket_transition(actor=user("wenchang_worker"), ticket=done, action="verify_pass")
    assert closed.status == Status.CLOSED


def test_on_spot_after_accepting_it_first(world):
    ticket = _patrol(world)
    worker = user("grid_wc01")
    services.ticket_transition(actor=worker, ticket=ticket, action="accept")
    done = services.ticket_transition(actor=worker, ticket=ticket, action="handle_on_spot", reply=NOTE)
    assert done.status == Status.RESOLVED


@pytest.mark.parametrize("username", ["wenchang_worker", "longpan_admin"])
def test_someone_who_did_not_record_it_may_not(world, username):
    ticket = _patrol(world)
    before = _frozen(ticket)
    assert "handle_on_spot" not in workflow.allowed_actions(user(username), ticket)
    with pytest.raises(PermissionDenied):
        services.ticket_transition(actor=user(username), ticket=ticket, action="handle_on_spot", reply=NOTE)
    assert _frozen(ticket) == before


def test_a_community_worker_recording_in_a_grid_takes_the_ordinary_path(world):
    """The rule is the grid worker of that grid: a community worker acts for its grids, but on the spot
    the event goes through 受理/派单 so that someone of the grid sees it."""
    ticket = _patrol(world, recorder="wenchang_worker")
    before = _frozen(ticket)
    with pytest.raises(PermissionDenied):
        services.ticket_transition(actor=user("wenchang_worker"), ticket=ticket, action="handle_on_spot", reply=NOTE)
    assert _frozen(ticket) == before


def test_not_for_a_residents_request_nor_once_it_left_the_grid(world, make_ticket):
    resident_ticket = make_ticket(Status.PENDING_ACCEPT, recorded_by=user("grid_wc01"), channel="resident")
    before = _frozen(resident_ticket)
    with pytest.raises(Conflict, match="只有网格员巡查上报、仍由所在网格承办的事件可以当场处置"):
        services.ticket_transition(actor=user("grid_wc01"), ticket=resident_ticket, action="handle_on_spot", reply=NOTE)
    assert _frozen(resident_ticket) == before
    ticket = _patrol(world)
    services.ticket_transition(actor=user("grid_wc01"), ticket=ticket, action="accept")
    services.ticket_transition(
        actor=user("grid_wc01"), ticket=ticket, action="escalate", to_org=world.community_org.pk, reason="需社区协调"
    )
    before = _frozen(ticket)
    with pytest.raises(Conflict):
        services.ticket_transition(actor=user("grid_wc01"), ticket=ticket, action="handle_on_spot", reply=NOTE)
    assert _frozen(ticket) == before


def test_the_note_is_required(world):
    from django.core.exceptions import ValidationError

    ticket = _patrol(world)
    before = _frozen(ticket)
    with pytest.raises(ValidationError) as exc:
        services.ticket_transition(actor=user("grid_wc01"), ticket=ticket, action="handle_on_spot", reply=" ")
    assert exc.value.message_dict == {"reply": ["请填写处置情况。"]}
    assert _frozen(ticket) == before


def test_on_spot_through_the_page_with_a_photo(client, world):
    ticket = _patrol(world)
    client.force_login(user("grid_wc01"))
    detail = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'data-action="handle_on_spot"' in detail and "当场处置" in detail
    photo = SimpleUploadedFile("done.png", PNG, content_type="image/png")
    response = client.post(
        reverse("tickets:act", args=[ticket.pk, "handle_on_spot"]), {"reply": NOTE, "photos": [photo]}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.reply == NOTE
    event = ticket.actions.get(action="handle_on_spot")
    assert list(event.attachments.values_list("content_type", flat=True)) == ["image/png"]
