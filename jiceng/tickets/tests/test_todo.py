"""我的待办: what awaits the user's own action — to accept, sign, report, handle,
approve, verify, call back — overdue first, with counts and links, scoped as usual and with a pinned
query count; the department handler's home is their 待办 (it used to call them a 三员 administrator)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jiceng.tickets.choices import Status
from jiceng.tickets.selectors import todo
from jiceng.tickets.tests.conftest import user

pytestmark = pytest.mark.django_db

TODO_QUERIES = 5  # the session, the user with its grants, the organisations, the counts, the rows


def _groups(data, only=None) -> dict[str, list[str]]:
    """Group → ticket numbers listed; ``only``: the tickets a test made (the demo tree has its own)."""
    out = {}
    for g in data["groups"]:
        listed = [t.ticket_no for t in g["tickets"] if only is None or t.ticket_no in only]
        if listed:
            out[g["key"]] = listed
    return out


def _made(queue) -> set[str]:
    return {t.ticket_no for t in queue.values()}


def _counts(data) -> dict[str, tuple[int, int]]:
    return {g["key"]: (g["count"], g["overdue"]) for g in data["groups"]}


@pytest.fixture
def baseline():
    """The demo tree's own 待办 of each persona, before a test adds tickets."""
    return {name: _counts(todo(user(name))) for name in ("grid_wc01", "wenchang_worker", "grid_wc02")}


@pytest.fixture
def queue(world, make_ticket, baseline):
    now = timezone.now()
    return {
        "pending": make_ticket(Status.PENDING_ACCEPT),
        "dispatched": make_ticket(Status.DISPATCHED),
        "doing": make_ticket(Status.IN_PROGRESS, sla_due_at=now + dt.timedelta(days=3)),
        "late": make_ticket(Status.IN_PROGRESS, sla_due_at=now - dt.timedelta(hours=5)),
        "own_done": make_ticket(Status.RESOLVED),  # completed by grid_wc01 (make_ticket)
        "other_done": make_ticket(Status.RESOLVED, completed_by=user("wenchang_worker")),
        "closed": make_ticket(Status.CLOSED),
        "archived": make_ticket(Status.ARCHIVED),
        "grid2": make_ticket(Status.PENDING_ACCEPT, grid=world.grid2),
        "yinhua": make_ticket(Status.PENDING_ACCEPT, grid=world.yinhua_grid),
    }


def test_grid_worker_todo_groups_overdue_first(queue, baseline):
    data = todo(user("grid_wc01"))
    no = {k: t.ticket_no for k, t in queue.items()}
    assert _groups(data, _made(queue)) == {
        "accept": [no["pending"]],
        "sign": [no["dispatched"]],
        "handle": [no["late"], no["doing"]],  # overdue first
        "verify": [no["other_done"]],  # never what they completed themselves
        "callback": [no["closed"]],
    }
    before, after = baseline["grid_wc01"], _counts(data)
    added = {k: (after[k][0] - before[k][0], after[k][1] - before[k][1]) for k in after}
    assert added == {"accept": (1, 0), "report": (0, 0), "sign": (1, 0), "handle": (2, 1), "approve": (0, 0),
                     "verify": (1, 0), "callback": (1, 0)}  # fmt: skip
    assert data["total"] == sum(c for c, _ in before.values()) + 6
    # Overdue first across the demo's tickets too: no listed ticket that is not overdue precedes one that is.
    handle = next(g for g in data["groups"] if g["key"] == "handle")["tickets"]
    flags = [t.todo_overdue for t in handle]
    assert flags == sorted(flags, reverse=True)


def test_community_worker_acts_for_its_grids(queue):
    data = todo(user("wenchang_worker"))
    groups = _groups(data, _made(queue))
    assert set(groups["accept"]) == {queue["pending"].ticket_no, queue["grid2"].ticket_no}
    assert queue["yinhua"].ticket_no not in {n for ns in groups.values() for n in ns}
    # wenchang_worker completed other_done: it is not theirs to verify; own_done (grid_wc01's) is.
    assert groups["verify"] == [queue["own_done"].ticket_no]


def test_sibling_grid_sees_none_of_it(queue):
    data = todo(user("grid_wc02"))
    assert _groups(data, _made(queue)) == {"accept": [queue["grid2"].ticket_no]}


def test_department_handler_todo_and_home(client, world, make_ticket):
    now = timezone.now()
    whistled = make_ticket(Status.ACCEPTED, handler_org=world.dept, whistle_org=world.dept,
                           dispatcher_org=world.street_org, whistle_deadline=now + dt.timedelta(hours=4))  # fmt: skip
    signed = make_ticket(
        Status.DISPATCHED, handler_org=world.dept, lead_org=world.dept, dispatcher_org=world.street_org
    )
    make_ticket(Status.PENDING_ACCEPT)  # the grid's, not the department's
    handler = user("dept_chengguan")
    made = {whistled.ticket_no, signed.ticket_no}
    assert _groups(todo(handler), made) == {"report": [whistled.ticket_no], "sign": [signed.ticket_no]}
    client.force_login(handler)
    home = client.get("/").content.decode()
    assert "三员" not in home
    assert re.search(rf'id="jc-todo-total" data-count="{todo(handler)["total"]}"', home)
    assert f'data-ticket="{whistled.ticket_no}"' in home and f'data-ticket="{signed.ticket_no}"' in home
    assert 'href="/tickets/todo/"' in home  # the menu links the 待办


def test_approvals_wait_for_the_dispatching_org(world, make_ticket):
    asked = make_ticket(Status.IN_PROGRESS, handler_org=world.dept, lead_org=world.dept,
                        dispatcher_org=world.community_org, extension_pending=True,
                        extension_requested_until=timezone.now() + dt.timedelta(days=9))  # fmt: skip
    assert _groups(todo(user("wenchang_worker")), {asked.ticket_no}) == {"approve": [asked.ticket_no]}
    assert _groups(todo(user("dept_chengguan")), {asked.ticket_no}) == {"handle": [asked.ticket_no]}  # not approve


def test_todo_page_and_home_summary(client, login, queue):
    login("grid_wc01")
    page = client.get(reverse("tickets:todo")).content.decode()
    handle = re.search(r'id="jc-todo-handle".*?</div>\s*</div>', page, re.S).group(0)
    assert handle.index(queue["late"].ticket_no) < handle.index(queue["doing"].ticket_no)
    assert 'data-overdue="1"' in handle and "超期" in handle
    assert 'href="/tickets/?status=in_progress"' in handle
    home = client.get("/").content.decode()
    assert re.search(rf'id="jc-todo-total" data-count="{todo(user("grid_wc01"))["total"]}"', home)
    assert 'data-todo="handle"' in home and queue["late"].ticket_no not in home  # counts only on the home page


def test_who_has_no_todo(client, login):
    login("resident_demo")
    assert client.get(reverse("tickets:todo")).status_code == 403
    login("longpan_admin")
    assert "jc-todo" not in client.get("/").content.decode()  # a street's home stays its figures


def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("username", ["grid_wc01", "wenchang_worker", "dept_chengguan"])
def test_todo_query_count_is_pinned_and_independent_of_the_number_of_tickets(client, world, make_ticket, username):
    client.force_login(user(username))
    url = reverse("tickets:todo")
    make_ticket(Status.PENDING_ACCEPT)
    make_ticket(Status.DISPATCHED, handler_org=world.dept, lead_org=world.dept)
    assert _count(client, url) == TODO_QUERIES
    states = [Status.PENDING_ACCEPT, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED]
    for i in range(30):
        extra = {"handler_org": world.dept, "lead_org": world.dept} if i % 3 == 0 else {}
        make_ticket(states[i % len(states)], grid=world.grid2 if i % 2 else world.grid, **extra)
    assert _count(client, url) == TODO_QUERIES
