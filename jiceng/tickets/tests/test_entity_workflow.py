"""A declared entity with a ``workflow`` (``core.entities.Entity.workflow``): its detail page shows the
state, the user's actions and the history; each action has a page and ``POST /api/v1/…/{id}/<action>/``,
both through ``workflow.transition`` — refusals in Chinese, writing nothing.

Tickets keep their own pages; here an undeclared entity over ``Ticket`` with ``TICKETS`` (the engine's
first user) is mounted by this module's own URLconf, so the generic pages are tried on a real life cycle.
"""

from __future__ import annotations

import pytest
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from jiceng.api.entities import viewset_for
from jiceng.core.entities import Entity
from jiceng.core.entity_views import action_form_class
from jiceng.testing.personas import persona
from jiceng.tickets.choices import Status
from jiceng.tickets.models import Ticket, TicketAction
from jiceng.tickets.workflow import TICKETS
from jiceng.urls import urlpatterns as site_urlpatterns

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class TicketFlowEntity(Entity):
    model = Ticket
    workflow = TICKETS
    fields = ("title",)
    scope_from = ("grid",)
    pages = ("detail", "edit")
    url_slug = "flowticket"
    payload_labels = {"comment": "办理意见"}


ENTITY = TicketFlowEntity()
ENTITY.namespace = "flowtest"
router = DefaultRouter()
router.register("flow-tickets", viewset_for(ENTITY), basename="flowticket")
urlpatterns = [
    path("flow/", include((ENTITY.urls(), "flowtest"))),
    path("api/v1/", include(router.urls)),
    *site_urlpatterns,
]


def _events(ticket) -> int:
    return TicketAction.objects.filter(ticket=ticket).count()


def test_the_detail_page_shows_the_state_the_users_actions_and_the_history(client, make_ticket):
    ticket = make_ticket(Status.PENDING_ACCEPT)
    client.force_login(persona("grid_wc01"))
    page = client.get(f"/flow/{ticket.pk}/").content.decode()
    assert Status.PENDING_ACCEPT.label in page
    assert f'href="/flow/{ticket.pk}/accept/"' in page
    assert f'href="/flow/{ticket.pk}/verify/"' not in page  # not this state's, nor this user's

    form = client.get(f"/flow/{ticket.pk}/accept/")
    assert form.status_code == 200 and "办理意见" in form.content.decode()
    response = client.post(f"/flow/{ticket.pk}/accept/", {"comment": "马上处理"})
    assert response.status_code == 302 and response["Location"] == f"/flow/{ticket.pk}/"
    ticket.refresh_from_db()
    assert ticket.status != Status.PENDING_ACCEPT
    page = client.get(f"/flow/{ticket.pk}/").content.decode()
    assert "办理记录" in page and "马上处理" in page and "受理" in page


def test_a_refused_action_on_the_page_says_why_in_chinese_and_writes_nothing(client, make_ticket):
    ticket = make_ticket(Status.PENDING_ACCEPT)
    client.force_login(persona("grid_wc01"))
    client.post(f"/flow/{ticket.pk}/accept/", {})
    before = _events(ticket)
    again = client.post(f"/flow/{ticket.pk}/accept/", {})
    assert again.status_code == 409 and "当前状态" in again.content.decode()
    assert _events(ticket) == before

    client.force_login(persona("dougang_worker"))  # the sibling community's worker: as if it did not exist
    assert client.get(f"/flow/{ticket.pk}/").status_code == 404
    assert client.get(f"/flow/{ticket.pk}/accept/").status_code == 404
    assert client.post(f"/flow/{ticket.pk}/accept/", {}).status_code == 404
    assert _events(ticket) == before


def test_an_action_not_the_users_turn_is_403_on_the_page(client, make_ticket):
    ticket = make_ticket(Status.PENDING_ACCEPT)
    admin = persona("qu_admin")
    assert "accept" not in TICKETS.allowed_actions(admin, ticket)
    client.force_login(admin)
    page = client.get(f"/flow/{ticket.pk}/accept/")
    assert page.status_code == 200 and "disabled" in page.content.decode()
    response = client.post(f"/flow/{ticket.pk}/accept/", {})
    assert response.status_code == 403 and _events(ticket) == 0


def test_the_api_takes_each_action_and_answers_409_when_the_state_moved_on(make_ticket):
    ticket = make_ticket(Status.PENDING_ACCEPT)
    api = APIClient()
    api.force_authenticate(persona("grid_wc01"))
    row = api.get(f"/api/v1/flow-tickets/{ticket.pk}/").json()
    assert (row["status"], row["status_label"]) == (Status.PENDING_ACCEPT, Status.PENDING_ACCEPT.label)
    assert "accept" in row["actions"]

    assert api.post(f"/api/v1/flow-tickets/{ticket.pk}/accept/", [1], format="json").status_code == 400
    assert (
        api.post(f"/api/v1/flow-tickets/{ticket.pk}/accept/", {"comment": "x" * 2001}, format="json").status_code == 400
    )
    assert _events(ticket) == 0
    done = api.post(f"/api/v1/flow-tickets/{ticket.pk}/accept/", {"comment": "好的"}, format="json")
    assert done.status_code == 200 and done.json()["status"] != Status.PENDING_ACCEPT
    assert "accept" not in done.json()["actions"]
    before = _events(ticket)
    again = api.post(f"/api/v1/flow-tickets/{ticket.pk}/accept/", {}, format="json")
    assert again.status_code == 409 and "当前状态" in again.json()["detail"]
    assert _events(ticket) == before

    api.force_authenticate(persona("dougang_worker"))
    assert api.post(f"/api/v1/flow-tickets/{ticket.pk}/accept/", {}, format="json").status_code == 404
    fresh = make_ticket(Status.PENDING_ACCEPT)
    api.force_authenticate(persona("qu_admin"))  # sees it, but accepting is the grid's
    refused = api.post(f"/api/v1/flow-tickets/{fresh.pk}/accept/", {}, format="json")
    assert refused.status_code == 403 and "无权" in refused.json()["detail"]
    assert _events(fresh) == 0
    required = next(t for t in TICKETS.transitions if t.required)
    missing = api.post(f"/api/v1/flow-tickets/{fresh.pk}/{required.action.replace('_', '-')}/", {}, format="json")
    assert missing.status_code in (403, 409)  # "not now" / "not you" answer before the missing payload's 400


def test_the_action_form_requires_the_transitions_required_keys():
    required = next(t for t in TICKETS.transitions if t.required)
    form = action_form_class(ENTITY, required)({})
    assert not form.is_valid() and set(required.required) <= set(form.errors)
    assert set(form.fields) >= set(required.required) | {"comment"}


def test_the_actions_are_documented_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(request=None, public=True)
    validate_schema(schema)
    accept = schema["paths"]["/api/v1/flow-tickets/{id}/accept/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(accept["responses"])
    props = schema["components"]["schemas"]["Ticket"]["properties"]
    assert all(v in props["status"]["description"] for v in Status.values) and props["actions"]["type"] == "array"
