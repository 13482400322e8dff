"""Query counts of the handler pages, pinned: the ticket list, a ticket's detail and the stats page.

Neither the list nor the detail may issue a query per row or per event: their counts must not grow
with more tickets or a longer history. The numbers include the session (read and the save at the end
of the request), the user and their grants; a change that adds a query on purpose updates the pin.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.tickets import services
from jiceng.tickets.choices import Status
from jiceng.tickets.tests.conftest import user

pytestmark = pytest.mark.django_db

LIST_QUERIES = 7
DETAIL_QUERIES = 14  # 13 + marking the viewer's notifications of the ticket read
STATS_QUERIES = 11


def queries(client, url, params=None, *, shows=()) -> int:
    """The number of queries of one GET of ``url``, after a first GET has warmed per-process caches
    (content types, the calendar overrides); ``shows``: texts the page must contain."""
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    page = response.content.decode()
    assert all(text in page for text in shows)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("username", ["wenchang_worker", "qu_admin"])
def test_ticket_list_query_count_is_pinned_and_independent_of_the_number_of_tickets(
    client, login, make_ticket, world, username
):
    login(username)
    url = reverse("tickets:list")
    assert queries(client, url) == LIST_QUERIES
    states = [Status.PENDING_ACCEPT, Status.IN_PROGRESS, Status.DISPATCHED, Status.RESOLVED, Status.CLOSED]
    made = [
        make_ticket(states[i % len(states)], grid=world.grid2 if i % 2 else world.grid, is_urgent=i % 3 == 0)
        for i in range(40)
    ]
    # The queue opens on the open work (closed ones only under "全部"): the same count either way.
    assert queries(client, url, shows=[t.ticket_no for t in made[-10:] if t.status != Status.CLOSED]) == LIST_QUERIES
    assert queries(client, url, {"status": "all"}, shows=[t.ticket_no for t in made[-10:]]) == LIST_QUERIES
    # Filtered and sorted: no extra queries either.
    in_progress = [t.ticket_no for t in made if t.status == Status.IN_PROGRESS]
    params = {"status": Status.IN_PROGRESS, "sort": "-due"}
    assert queries(client, url, params, shows=in_progress) == LIST_QUERIES


def test_ticket_detail_query_count_is_pinned_and_independent_of_the_history(client, login, make_ticket):
    ticket = make_ticket(Status.IN_PROGRESS)
    services.ticket_transition(actor=user("grid_wc01"), ticket=ticket, action="progress", comment="已联系当事人")
    login("wenchang_worker")
    url = reverse("tickets:detail", args=[ticket.pk])
    assert queries(client, url) == DETAIL_QUERIES
    for i in range(8):
        services.ticket_transition(actor=user("grid_wc01"), ticket=ticket, action="progress", comment=f"进展 {i}")
    assert queries(client, url) == DETAIL_QUERIES


def test_stats_page_query_count_is_pinned(client, login, make_ticket, world):
    login("wenchang_worker")
    url = reverse("tickets:stats")
    assert queries(client, url) == STATS_QUERIES
    for status in (Status.PENDING_ACCEPT, Status.IN_PROGRESS, Status.CLOSED, Status.EVALUATED):
        make_ticket(status)
    assert queries(client, url) == STATS_QUERIES
