"""The reporter sees the photos the handler attached to 办结, not those of internal steps."""

import pytest
from django.urls import reverse

from jiceng.tickets.choices import Status
from jiceng.tickets.services import attachment_add, ticket_transition

from .conftest import user
from .test_views import png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_reporter_sees_the_completion_photos_with_the_reply(client, login, make_ticket):
    worker = user("grid_wc01")
    ticket = make_ticket(Status.IN_PROGRESS)
    internal = attachment_add(actor=worker, ticket=ticket, file=png("过程.png"))
    ticket_transition(actor=worker, ticket=ticket, action="progress", comment="已联系物业", attachments=[internal.pk])
    after = attachment_add(actor=worker, ticket=ticket, file=png("办结.png"))
    ticket_transition(actor=worker, ticket=ticket, action="complete", reply="杂物已清理", attachments=[after.pk])
    login("resident_demo")
    html = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    photo = reverse("tickets:photo", args=[ticket.pk, after.pk])
    assert f'<div class="d-flex flex-wrap gap-2 mt-2" id="jc-result-photos"><img src="{photo}" alt="办结照片"' in html
    assert reverse("tickets:photo", args=[ticket.pk, internal.pk]) not in html
    response = client.get(photo)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_no_completion_photos_no_block(client, login, make_ticket):
    worker = user("grid_wc01")
    ticket = make_ticket(Status.IN_PROGRESS)
    ticket_transition(actor=worker, ticket=ticket, action="complete", reply="杂物已清理")
    login("resident_demo")
    html = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "杂物已清理" in html and "jc-result-photos" not in html
