"""``/api/v1/tickets/``: scope (a 银花 ticket is invisible to 龙蟠 staff in list, detail and counts),
transitions with 200 / 409 / 403 / 404 / 400, masking of the reporter's contact, create, stats, uploads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiceng.tickets.choices import Status
from jiceng.tickets.models import Ticket, TicketAction
from jiceng.tickets.tests.conftest import centre, user

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_yinhua_ticket_invisible_to_longpan_staff(world, make_ticket, api):
    theirs = make_ticket(Status.ACCEPTED, grid=world.yinhua_grid)
    ours = make_ticket(Status.ACCEPTED)
    client = api("longpan_admin")
    rows = client.get(URL, {"page_size": 500, "status": "accepted"}).json()
    ids = {r["id"] for r in rows["results"]}
    assert ours.pk in ids and theirs.pk not in ids
    assert rows["count"] == Ticket.objects.filter(scope_path__startswith=world.street.path, status="accepted").count()
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert (
        client.post(f"{URL}{theirs.pk}/transitions/", {"action": "progress", "comment": "x"}, format="json").status_code
        == 404
    )
    # Counts: the stats of a node outside the caller's subtree are 404; their own exclude 银花.
    from jiceng.territory.models import Area

    yinhua = Area.objects.get(name="银花街道")
    assert client.get(f"{URL}stats/", {"node": yinhua.pk}).status_code == 404
    stats = client.get(f"{URL}stats/").json()
    assert (
        stats["received"]
        == Ticket.objects.filter(scope_path__startswith=world.street.path).exclude(status="draft").count()
    )
    assert api("yinhua_admin").get(f"{URL}{theirs.pk}/").status_code == 200


def test_grid_worker_sees_only_their_grid(world, make_ticket, api):
    mine, sibling = make_ticket(Status.PENDING_ACCEPT), make_ticket(Status.PENDING_ACCEPT, grid=world.grid2)
    ids = {r["id"] for r in api("grid_wc01").get(URL, {"page_size": 500}).json()["results"]}
    assert mine.pk in ids and sibling.pk not in ids


def test_detail_has_allowed_actions_and_events(world, make_ticket, api):
    t = make_ticket(Status.PENDING_ACCEPT)
    data = api("grid_wc01").get(f"{URL}{t.pk}/").json()
    assert [a["action"] for a in data["allowed_actions"]] == ["accept", "reject", "merge"]
    assert data["events"] == [] and data["status_display"] == "待受理"
    assert api("resident_demo").get(f"{URL}{t.pk}/").json()["allowed_actions"][0]["action"] == "withdraw"


def test_transition_200_then_409_for_the_second(world, make_ticket, api):
    t = make_ticket(Status.PENDING_ACCEPT)
    first = api("grid_wc01").post(f"{URL}{t.pk}/transitions/", {"action": "accept"}, format="json")
    assert first.status_code == 200
    assert first.json()["status"] == "accepted" and first.json()["events"][-1]["action"] == "accept"
    second = api("wenchang_worker").post(f"{URL}{t.pk}/transitions/", {"action": "accept"}, format="json")
    assert second.status_code == 409
    assert second.json()["detail"].startswith("当前状态不允许此操作")
    assert TicketAction.objects.filter(ticket=t).count() == 1


def test_transition_403_and_400(world, make_ticket, api):
    t = make_ticket(Status.PENDING_ACCEPT)
    denied = api("longpan_admin").post(f"{URL}{t.pk}/transitions/", {"action": "accept"}, format="json")
    assert denied.status_code == 403 and "无权" in denied.json()["detail"]
    bad = api("grid_wc01").post(f"{URL}{t.pk}/transitions/", {"action": "reject"}, format="json")
    assert bad.status_code == 400 and bad.json() == {"reason": ["请填写不予受理的理由。"]}
    unknown = api("grid_wc01").post(f"{URL}{t.pk}/transitions/", {"action": "fly"}, format="json")
    assert unknown.status_code == 400
    assert Ticket.objects.get(pk=t.pk).status == Status.PENDING_ACCEPT


def test_reporter_phone_masked_for_everyone_but_the_reporter(world, make_ticket, api):
    # The intake role does not get the contact in full either; it reveals it
    # one ticket at a time (test_contact.py).
    t = make_ticket(Status.IN_PROGRESS, handler_org=world.dept, lead_org=world.dept)
    worker_view = api("grid_wc01").get(f"{URL}{t.pk}/").json()
    assert (worker_view["reporter_phone"], worker_view["reporter_name"]) == ("139****5678", "王*明")
    own = api("resident_demo").get(f"{URL}{t.pk}/").json()
    assert (own["reporter_phone"], own["reporter_name"]) == ("13912345678", "王小明")
    dept_view = api("dept_chengguan").get(f"{URL}{t.pk}/").json()
    assert (dept_view["reporter_phone"], dept_view["reporter_name"]) == ("139****5678", "王*明")


def test_create_through_the_api(world, api):
    lng, lat = centre(world.grid)
    response = api("grid_wc01").post(
        URL, {"category": world.event.pk, "description": "井盖缺失", "lng": lng, "lat": lat, "channel": "patrol"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["grid"], data["channel"]) == ("pending_accept", world.grid.pk, "patrol")
    assert "accept" in [a["action"] for a in data["allowed_actions"]]
    missing = api("grid_wc01").post(URL, {"category": world.event.pk, "description": "x"}, format="json")
    assert missing.status_code == 400 and "location" in missing.json()
    outside = centre(world.yinhua_grid)
    denied = api("grid_wc01").post(
        URL, {"category": world.event.pk, "description": "x", "lng": outside[0], "lat": outside[1]}, format="json"
    )
    assert denied.status_code == 403


def test_filters(world, make_ticket, api):
    from django.utils import timezone

    late = make_ticket(Status.IN_PROGRESS, sla_due_at=timezone.now() - timezone.timedelta(hours=1))
    client = api("grid_wc01")
    overdue = {r["id"] for r in client.get(URL, {"overdue": "true", "page_size": 500}).json()["results"]}
    assert late.pk in overdue
    assert all(r["overdue"] for r in client.get(URL, {"overdue": "true", "page_size": 500}).json()["results"])
    rows = client.get(URL, {"status": ["in_progress"], "grid": world.grid.pk, "page_size": 500}).json()["results"]
    assert rows and all(r["status"] == "in_progress" for r in rows)


def test_stats_shape_and_definitions(world, make_ticket, api):
    make_ticket(Status.EVALUATED)
    stats = api("wenchang_worker").get(f"{URL}stats/", {"node": world.community.pk}).json()
    for key in ("open", "overdue", "due_soon", "response_rate", "resolution_rate", "satisfaction_rate",
                "avg_accept_hours", "avg_close_hours", "by_category", "by_channel", "trend"):  # fmt: skip
        assert key in stats
    assert len(stats["trend"]) == 12 and stats["node"]["name"] == "文昌花园社区"
    assert 0 <= stats["satisfaction_rate"] <= 1


def test_stats_exact_values_on_an_empty_grid(world, make_ticket, api):
    """On a grid with only our tickets, the 三率 are exactly what the definitions say."""
    from jiceng.tickets.selectors import ticket_stats

    Ticket.objects.filter(grid=world.grid).delete()
    make_ticket(Status.EVALUATED)  # responded in time, accepted, resolved, rated satisfied
    make_ticket(Status.CLOSED, satisfaction="unsatisfied", rated_at=None)  # resolved? no: rated 不满意
    make_ticket(Status.IN_PROGRESS)  # accepted, not resolved
    make_ticket(Status.CANCELLED)  # withdrawn before any answer: not counted for 响应率
    stats = ticket_stats(user("grid_wc01"), world.grid)
    assert (stats["received"], stats["to_answer"], stats["answered_in_time"]) == (4, 3, 3)
    assert (stats["accepted"], stats["resolved"], stats["resolution_rate"]) == (3, 1, round(1 / 3, 4))
    assert (stats["rated"], stats["satisfied"], stats["satisfaction_rate"]) == (1, 1, 1.0)
    assert stats["open"] == 1


def test_upload_an_image_and_attach_it_to_an_event(world, make_ticket, api):
    t = make_ticket(Status.IN_PROGRESS)
    client = api("grid_wc01")
    bad = client.post(f"{URL}{t.pk}/attachments/", {"file": SimpleUploadedFile("x.png", b"hello", "image/png")})
    assert bad.status_code == 400 and "图片" in str(bad.json())
    ok = client.post(f"{URL}{t.pk}/attachments/", {"file": SimpleUploadedFile("现场.png", PNG, "image/png")})
    assert ok.status_code == 201, ok.json()
    attachment = ok.json()
    assert attachment["content_type"] == "image/png" and attachment["original_name"] == "现场.png"
    done = client.post(
        f"{URL}{t.pk}/transitions/", {"action": "progress", "comment": "现场照片", "attachments": [attachment["id"]]},
        format="json",
    )  # fmt: skip
    assert done.status_code == 200
    assert done.json()["events"][-1]["attachments"][0]["id"] == attachment["id"]
    assert (
        api("grid_wc02").post(f"{URL}{t.pk}/attachments/", {"file": SimpleUploadedFile("a.png", PNG)}).status_code
        == 404
    )


def test_notifications_endpoint(world, api, django_capture_on_commit_callbacks):
    from jiceng.tickets.services import ticket_create

    lng, lat = centre(world.grid)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_create(
            actor=user("resident_demo"), category=world.complaint.pk, description="路灯不亮", lng=lng, lat=lat
        )
    client = api("grid_wc01")
    unread = client.get("/api/v1/notifications/", {"unread": 1}).json()
    assert unread["count"] >= 1 and "新诉求待受理" in unread["results"][0]["text"]
    assert client.post("/api/v1/notifications/read/", {}, format="json").json()["updated"] == unread["count"]
    assert client.get("/api/v1/notifications/", {"unread": 1}).json()["count"] == 0


def test_notifications_endpoint_names_the_ticket_of_a_ticket_notice_only(
    make_ticket, api, django_assert_max_num_queries
):
    from jiceng.brands.models import Brand
    from jiceng.notices.models import Notice

    worker = user("grid_wc01")
    tickets = [make_ticket(Status.PENDING_ACCEPT) for _ in range(3)]
    for t in tickets:
        Notice.objects.create(user=worker, target=t, text=f"待受理 {t.ticket_no}")
    Notice.objects.create(user=worker, target=Brand.objects.order_by("pk").first(), text="品牌")
    Notice.objects.create(user=worker, text="无对象")
    client = api("grid_wc01")
    client.get("/api/v1/notifications/")  # warm the content-type cache and the token
    with django_assert_max_num_queries(8):  # not growing with the rows: the page's tickets in one query
        rows = client.get("/api/v1/notifications/").json()["results"]
    by_text = {r["text"]: (r["ticket"], r["ticket_no"]) for r in rows}
    assert by_text["品牌"] == (None, "") and by_text["无对象"] == (None, "")
    for t in tickets:
        assert by_text[f"待受理 {t.ticket_no}"] == (t.pk, t.ticket_no)


def test_list_and_detail_query_counts_do_not_grow_with_rows(world, make_ticket, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(30):
        make_ticket(Status.ACCEPTED)
    client = api("wenchang_worker")
    client.get(URL, {"page_size": 1})
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(URL, {"page_size": 2}).json()["results"]) == 2
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(URL, {"page_size": 40}).json()["results"]) == 40
    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]
