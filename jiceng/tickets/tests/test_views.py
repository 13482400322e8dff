"""The 诉求 pages: scope (a 银花 ticket is invisible to 龙蟠 staff everywhere), transitions through the UI
(allowed → applied, forbidden → 403/404, stale → 409, nothing written when refused), intake on the
phone and desktop, the resident's follow-and-rate, the stats page, notifications."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiceng.notices.models import Notice
from jiceng.territory.models import Area, Building
from jiceng.tickets import services
from jiceng.tickets.choices import OPEN_STATES, Channel, Satisfaction, Status
from jiceng.tickets.models import Category, Ticket, TicketAction, TicketAttachment

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def with_followup_code(ticket) -> str:
    """Give a test ticket a visitor's follow-up code (as ``ticket_create`` does); returns the code."""
    code = services.followup_code_new()
    Ticket.objects.filter(pk=ticket.pk).update(followup_code_hash=services.followup_code_hash(code))
    ticket.refresh_from_db()
    return code


def png(name="p.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def grid01(personas):
    return personas.grid_wc01.grants.select_related("area").get().area


@pytest.fixture
def building(grid01):
    return Building.objects.filter(grid=grid01).order_by("pk").first()


@pytest.fixture
def yinhua_building():
    street = Area.objects.get(name="银花街道")
    return Building.objects.filter(scope_path__startswith=street.path).order_by("pk").first()


def new_ticket(actor, building, code="203", **extra):
    data = {"channel": Channel.VISIT, "category": Category.objects.get(service_code=code),
            "description": "楼道堆放杂物", "building": building, **extra}  # fmt: skip
    return services.ticket_create(actor=actor, **data).obj


@pytest.fixture
def yinhua_ticket(personas, yinhua_building):
    return new_ticket(personas.yinhua_admin, yinhua_building, description="银花的诉求 YH-UNIQUE")


# --- scope ---------------------------------------------------------------------------------------


def test_yinhua_ticket_invisible_to_longpan_staff(client, login, yinhua_ticket, personas):
    login("longpan_admin")
    listing = client.get(reverse("tickets:list"), {"q": yinhua_ticket.ticket_no})
    assert listing.status_code == 200
    assert f'data-ticket="{yinhua_ticket.ticket_no}"' not in listing.content.decode()
    assert "暂无诉求" in listing.content.decode()
    assert client.get(reverse("tickets:detail", args=[yinhua_ticket.pk])).status_code == 404
    assert client.get(reverse("tickets:act", args=[yinhua_ticket.pk, "accept"])).status_code == 404
    response = client.post(reverse("tickets:act", args=[yinhua_ticket.pk, "accept"]))
    assert response.status_code == 404
    assert Ticket.objects.get(pk=yinhua_ticket.pk).status == Status.PENDING_ACCEPT
    # Map data: no 银花 grid, and the totals are 龙蟠's only.
    yinhua_street = Area.objects.get(name="银花街道")
    longpan = Area.objects.get(name="龙蟠街道")
    heat = client.get(reverse("tickets:heat"), {"node": longpan.pk}).json()
    assert yinhua_ticket.grid_id not in {f["properties"]["id"] for f in heat["features"]}
    assert client.get(reverse("tickets:heat"), {"node": yinhua_street.pk}).status_code == 404
    assert client.get(reverse("tickets:heat")).json()["features"]  # default node = own street
    assert all(
        Area.objects.get(pk=f["properties"]["id"]).path.startswith(longpan.path)
        for f in client.get(reverse("tickets:heat")).json()["features"]
    )
    # Counts: the stats of another street are refused; own counts exclude 银花.
    assert client.get(reverse("tickets:stats"), {"node": yinhua_street.pk}).status_code == 404
    page = client.get(reverse("tickets:stats"))
    assert page.status_code == 200
    start, end = page.context["date_from"], page.context["date_to"]
    in_longpan = (
        Ticket.objects.filter(scope_path__startswith=longpan.path, submitted_at__date__gte=start)
        .filter(submitted_at__date__lte=end)
        .exclude(status=Status.DRAFT)
    )
    assert page.context["stats"]["received"] == in_longpan.count()
    assert page.context["stats"]["open"] == (
        Ticket.objects.filter(scope_path__startswith=longpan.path, status__in=list(OPEN_STATES)).count()
    )
    assert page.context["node"].pk == longpan.pk
    # The district sees it.
    login("qu_admin")
    assert client.get(reverse("tickets:detail", args=[yinhua_ticket.pk])).status_code == 200
    district_heat = client.get(reverse("tickets:heat")).json()
    assert yinhua_ticket.grid_id in {f["properties"]["id"] for f in district_heat["features"]}


def test_photo_of_out_of_scope_ticket_is_404(client, login, personas, yinhua_ticket):
    attachment = services.attachment_add(actor=personas.yinhua_admin, ticket=yinhua_ticket, file=png())
    login("yinhua_admin")
    assert client.get(reverse("tickets:photo", args=[yinhua_ticket.pk, attachment.pk])).status_code == 200
    login("longpan_admin")
    assert client.get(reverse("tickets:photo", args=[yinhua_ticket.pk, attachment.pk])).status_code == 404


def test_list_filters_and_due_shown(client, login, personas, building):
    ticket = new_ticket(personas.wenchang_worker, building)
    services.ticket_transition(actor=personas.grid_wc01, ticket=ticket, action="accept")
    login("wenchang_worker")
    response = client.get(reverse("tickets:list"), {"status": "accepted", "channel": Channel.VISIT})
    body = response.content.decode()
    assert response.status_code == 200 and ticket.ticket_no in body
    row = re.search(rf'<tr[^>]*data-ticket="{ticket.ticket_no}".*?</tr>', body, re.S).group(0)
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row)  # the due time
    overdue = client.get(reverse("tickets:list"), {"due": "overdue"}).content.decode()
    assert ticket.ticket_no not in overdue
    assert client.get(reverse("tickets:list"), {"supervise_level": "2"}).status_code == 200


# --- transitions through the UI ---------------------------------------------------------------------


def test_allowed_action_buttons_and_accept(client, login, personas, building):
    ticket = new_ticket(personas.wenchang_worker, building)
    login("grid_wc01")
    page = client.get(reverse("tickets:detail", args=[ticket.pk]))
    assert page.status_code == 200
    shown = set(re.findall(r'data-action="(\w+)"', page.content.decode()))
    from jiceng.tickets.workflow import allowed_actions

    assert shown == set(allowed_actions(personas.grid_wc01, ticket))
    assert "accept" in shown
    response = client.post(reverse("tickets:act", args=[ticket.pk, "accept"]))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.ACCEPTED and ticket.sla_due_at is not None
    assert TicketAction.objects.filter(ticket=ticket, action="accept", actor=personas.grid_wc01).count() == 1


def test_conflict_is_409_and_writes_nothing(client, login, personas, building):
    ticket = new_ticket(personas.wenchang_worker, building)
    login("grid_wc01")
    assert client.post(reverse("tickets:act", args=[ticket.pk, "accept"])).status_code == 302
    events = TicketAction.objects.filter(ticket=ticket).count()
    response = client.post(reverse("tickets:act", args=[ticket.pk, "accept"]))
    assert response.status_code == 409
    assert "当前状态不允许此操作" in response.content.decode()
    assert TicketAction.objects.filter(ticket=ticket).count() == events


def test_forbidden_action_is_403_and_writes_nothing(client, login, personas, building):
    ticket = new_ticket(personas.wenchang_worker, building)
    t = services.ticket_transition(actor=personas.grid_wc01, ticket=ticket, action="accept")
    t = services.ticket_transition(actor=personas.grid_wc01, ticket=t, action="dispatch", lead_org=t.handler_org.pk)
    t = services.ticket_transition(actor=personas.grid_wc01, ticket=t, action="sign")
    t = services.ticket_transition(actor=personas.grid_wc01, ticket=t, action="complete", reply="已处理")
    login("grid_wc01")  # the one who completed it may not verify it
    before = TicketAction.objects.filter(ticket=ticket).count()
    response = client.post(reverse("tickets:act", args=[ticket.pk, "verify_pass"]))
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED
    assert TicketAction.objects.filter(ticket=ticket).count() == before
    login("wenchang_worker")
    assert client.post(reverse("tickets:act", args=[ticket.pk, "verify_pass"])).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_other_grid_worker_gets_404(client, login, personas, building):
    ticket = new_ticket(personas.wenchang_worker, building)
    login("grid_wc02")
    assert client.post(reverse("tickets:act", args=[ticket.pk, "accept"])).status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING_ACCEPT


def test_action_form_validation_400_and_dispatch_with_photo(client, login, personas, building):
    ticket = new_ticket(personas.wenchang_worker, building)
    services.ticket_transition(actor=personas.grid_wc01, ticket=ticket, action="accept")
    login("grid_wc01")
    url = reverse("tickets:act", args=[ticket.pk, "reject"])
    assert client.get(url).status_code == 200
    bad = client.post(reverse("tickets:act", args=[ticket.pk, "dispatch"]), {})
    assert bad.status_code == 400
    org = Ticket.objects.get(pk=ticket.pk).handler_org
    ok = client.post(
        reverse("tickets:act", args=[ticket.pk, "dispatch"]),
        {"lead_org": org.pk, "comment": "请处理", "photos": [png()]},
    )
    assert ok.status_code == 302, ok.content.decode()[:2000]
    event = TicketAction.objects.get(ticket=ticket, action="dispatch")
    assert TicketAttachment.objects.filter(action=event).count() == 1


def test_merge_from_duplicates(client, login, personas, building):
    first = new_ticket(personas.wenchang_worker, building)
    second = new_ticket(personas.wenchang_worker, building)
    login("grid_wc01")
    page = client.get(reverse("tickets:detail", args=[second.pk])).content.decode()
    assert f'data-merge-into="{first.ticket_no}"' in page
    response = client.post(reverse("tickets:act", args=[second.pk, "merge"]), {"into_no": first.ticket_no})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into_id == first.pk


# --- intake ----------------------------------------------------------------------------------------


def test_resident_report_follow_and_rate(client, login, personas):
    user = login("resident_demo")
    own = user.resident.household.building
    category = Category.objects.get(service_code="201")
    page = client.get(reverse("tickets:report"))
    assert page.status_code == 200 and "我要反映" in page.content.decode()
    too_many = client.post(
        reverse("tickets:report"),
        {"kind": "complaint", "category": category.pk, "description": "电梯坏了", "building": own.pk,
         "photos": [png("1.png"), png("2.png"), png("3.png"), png("4.png")]},
    )  # fmt: skip
    assert too_many.status_code == 400 and "最多上传 3 张" in too_many.content.decode()
    not_image = client.post(
        reverse("tickets:report"),
        {"kind": "complaint", "category": category.pk, "description": "电梯坏了", "building": own.pk,
         "photos": [SimpleUploadedFile("x.png", b"not an image", content_type="image/png")]},
    )  # fmt: skip
    assert not_image.status_code == 400
    wrong_kind = client.post(
        reverse("tickets:report"), {"kind": "consult", "category": category.pk, "description": "x", "building": own.pk}
    )
    assert wrong_kind.status_code == 400
    response = client.post(
        reverse("tickets:report"),
        {"kind": "complaint", "category": category.pk, "description": "电梯坏了三天", "building": own.pk,
         "photos": [png("1.png"), png("2.png")]},
    )  # fmt: skip
    assert response.status_code == 302
    ticket = Ticket.objects.get(reporter_user=user, description="电梯坏了三天")
    assert ticket.channel == Channel.RESIDENT and ticket.status == Status.PENDING_ACCEPT
    assert ticket.attachments.count() == 2 and ticket.building_id == own.pk
    assert ticket.ticket_no in client.get(reverse("tickets:mine")).content.decode()
    follow = client.get(reverse("tickets:detail", args=[ticket.pk]))
    assert follow.templates[0].name == "tickets/m/follow.html"
    assert "jc-rate-form" not in follow.content.decode()
    # The handlers close it; the resident rates it.
    worker, community = personas.wenchang_worker, personas.longpan_admin  # the community acts for its grids
    t = services.ticket_transition(actor=worker, ticket=ticket, action="accept")
    t = services.ticket_transition(actor=worker, ticket=t, action="dispatch", lead_org=t.handler_org.pk)
    t = services.ticket_transition(actor=worker, ticket=t, action="sign")
    t = services.ticket_transition(actor=worker, ticket=t, action="complete", reply="已联系物业修复电梯")
    services.ticket_transition(actor=community, ticket=t, action="verify_pass")
    follow = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "jc-rate-form" in follow and "已联系物业修复电梯" in follow
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", follow)
    rated = client.post(reverse("tickets:act", args=[ticket.pk, "callback_rate"]), {"satisfaction": "satisfied"})
    assert rated.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.EVALUATED and ticket.satisfaction == Satisfaction.SATISFIED
    assert (
        client.post(
            reverse("tickets:act", args=[ticket.pk, "callback_rate"]), {"satisfaction": "satisfied"}
        ).status_code
        == 409
    )


def test_resident_unsatisfied_sends_it_back(client, login, personas):
    user = login("resident_demo")
    ticket = new_ticket(personas.wenchang_worker, user.resident.household.building)
    Ticket.objects.filter(pk=ticket.pk).update(reporter_user=user)
    worker, community = personas.wenchang_worker, personas.longpan_admin  # the community acts for its grids
    t = services.ticket_transition(actor=worker, ticket=ticket, action="accept")
    t = services.ticket_transition(actor=worker, ticket=t, action="dispatch", lead_org=t.handler_org.pk)
    t = services.ticket_transition(actor=worker, ticket=t, action="sign")
    t = services.ticket_transition(actor=worker, ticket=t, action="complete", reply="已处理")
    services.ticket_transition(actor=community, ticket=t, action="verify_pass")
    response = client.post(
        reverse("tickets:act", args=[ticket.pk, "callback_rate"]), {"satisfaction": "unsatisfied", "comment": "没修好"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 1 and ticket.supervise_level >= 1


def test_anonymous_report_and_lookup(client, grid01):
    category = Category.objects.get(service_code="101")
    point = grid01.boundary["coordinates"][0]
    lng = (point[0][0] + point[2][0]) / 2
    lat = (point[0][1] + point[2][1]) / 2
    missing = client.post(reverse("tickets:report"), {"kind": "help", "category": category.pk, "description": "求助"})
    assert missing.status_code == 400
    response = client.post(
        reverse("tickets:report"),
        {"kind": "help", "category": category.pk, "description": "独居老人水管漏水", "lng": lng, "lat": lat,
         "reporter_name": "李四", "reporter_phone": "13800138000"},
    )  # fmt: skip
    assert response.status_code == 200
    ticket = Ticket.objects.get(description="独居老人水管漏水")
    assert ticket.grid_id == grid01.pk and ticket.reporter_user_id is None and ticket.channel == Channel.RESIDENT
    code = response.context["code"]
    assert code in response.content.decode()
    found = client.get(reverse("tickets:lookup"), {"no": ticket.ticket_no, "code": code.lower()})
    assert found.status_code == 200 and "独居老人水管漏水" in found.content.decode()
    assert "13800138000" not in found.content.decode()
    wrong = client.get(reverse("tickets:lookup"), {"no": ticket.ticket_no, "code": "WRONG123"})
    assert wrong.status_code == 404


def test_grid_worker_patrol_and_on_behalf(client, login, personas, building):
    worker = login("grid_wc01")
    category = Category.objects.get(service_code="E01")
    assert client.get(reverse("tickets:patrol")).status_code == 200
    response = client.post(
        reverse("tickets:patrol"),
        {"mode": "patrol", "category": category.pk, "urgency": "normal", "description": "巡查发现积存垃圾TEST",
         "building": building.pk, "photos": [png()]},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    ticket = Ticket.objects.get(description="巡查发现积存垃圾TEST")
    assert ticket.channel == Channel.PATROL and ticket.recorded_by_id == worker.pk and ticket.attachments.count() == 1
    behalf = client.post(
        reverse("tickets:patrol"),
        {"mode": "behalf", "category": Category.objects.get(service_code="101").pk, "urgency": "normal",
         "description": "老人行动不便代为反映", "building": building.pk, "reporter_name": "赵大爷",
         "reporter_phone": "13700001234"},
    )  # fmt: skip
    assert behalf.status_code == 302
    ticket = Ticket.objects.get(description="老人行动不便代为反映")
    assert ticket.channel == Channel.RESIDENT and ticket.recorded_by_id == worker.pk
    assert ticket.reporter_name == "赵大爷"
    assert ticket.ticket_no in client.get(reverse("tickets:mine")).content.decode()


def test_resident_may_not_patrol_or_intake(client, login):
    login("resident_demo")
    assert client.get(reverse("tickets:patrol")).status_code == 403
    assert client.get(reverse("tickets:intake")).status_code == 403
    assert client.get(reverse("tickets:stats")).status_code == 403
    assert client.get(reverse("tickets:list")).status_code == 302


def test_hotline_intake(client, login, grid01):
    login("wenchang_worker")
    category = Category.objects.get(service_code="204")
    data = {"channel": "hotline_12345", "category": category.pk, "urgency": "normal", "description": "消防通道被占",
            "grid": grid01.pk, "reporter_name": "孙", "reporter_phone": "13600001111"}  # fmt: skip
    assert client.post(reverse("tickets:intake"), data).status_code == 400  # the hotline number is required
    response = client.post(reverse("tickets:intake"), {**data, "external_id": "HX20260001"})
    assert response.status_code == 302
    ticket = Ticket.objects.get(external_id="HX20260001")
    assert ticket.channel == Channel.HOTLINE and ticket.grid_id == grid01.pk
    again = client.post(reverse("tickets:intake"), {**data, "external_id": "HX20260001"})
    assert again.status_code == 400 and "已登记" in again.content.decode()


# --- stats, maps, notifications --------------------------------------------------------------------


def test_stats_page_has_definitions_and_chart_data(client, login):
    login("wenchang_worker")
    response = client.get(reverse("tickets:stats"))
    body = response.content.decode()
    assert response.status_code == 200
    for words in ("响应率", "解决率", "满意率", "按时响应", "已解决", "满意 + 基本满意"):
        assert words in body
    assert 'id="jc-stats-data"' in body and "<script>" not in body.replace("<script src", "")
    data = response.context["chart"]
    assert len(data["trend"]) == 12


def test_grids_geojson_public_and_scoped(client, login):
    everything = client.get(reverse("tickets:grids_geojson")).json()
    assert len(everything["features"]) == Area.objects.filter(kind="grid", is_active=True).count()
    login("grid_wc01")
    assert len(client.get(reverse("tickets:grids_geojson")).json()["features"]) == 1


def test_notifications_badge_list_and_read(client, login, personas, building):
    worker = login("grid_wc01")
    Notice.objects.filter(user=worker).update(read_at=None)
    new_ticket(personas.wenchang_worker, building)  # notifies the grid's people on commit? (on_commit in tests)
    Notice.objects.create(user=worker, text="测试通知")
    unread = Notice.objects.filter(user=worker, read_at__isnull=True).count()
    badge = client.get(reverse("notices:badge")).content.decode()
    assert f'data-count="{unread}"' in badge
    page = client.get(reverse("notices:list"))
    assert "测试通知" in page.content.decode()
    note = Notice.objects.get(user=worker, text="测试通知")
    assert client.get(reverse("notices:open", args=[note.pk])).status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    client.post(reverse("notices:read"))
    assert 'data-count="0"' in client.get(reverse("notices:badge")).content.decode()
    other = Notice.objects.create(user=personas.grid_wc02, text="别人的")
    assert client.get(reverse("notices:open", args=[other.pk])).status_code == 404


def test_nav_shows_tickets_menu(client, login):
    login("wenchang_worker")
    body = client.get("/").content.decode()
    assert reverse("tickets:list") in body and 'id="jc-bell"' in body
    login("resident_demo")
    body = client.get("/").content.decode()
    assert reverse("tickets:report") in body and reverse("tickets:mine") in body


def test_anonymous_reporter_attaches_photos_and_rates_with_the_lookup_code(client, grid01, make_ticket):
    category = Category.objects.get(service_code="101")
    point = grid01.boundary["coordinates"][0]
    lng, lat = (point[0][0] + point[2][0]) / 2, (point[0][1] + point[2][1]) / 2
    response = client.post(
        reverse("tickets:report"),
        {"kind": "help", "category": category.pk, "description": "路灯不亮ANON", "lng": lng, "lat": lat,
         "reporter_name": "赵六", "reporter_phone": "13800138001", "photos": [png()]},
    )  # fmt: skip
    assert response.status_code == 200
    ticket = Ticket.objects.get(description="路灯不亮ANON")
    assert TicketAttachment.objects.filter(ticket=ticket, uploaded_by__isnull=True).count() == 1

    closed = make_ticket(Status.CLOSED, reporter_user=None, reporter_name="赵六")
    code = with_followup_code(closed)
    page = client.get(reverse("tickets:lookup"), {"no": closed.ticket_no, "code": code})
    assert 'id="jc-rate-form"' in page.content.decode()
    wrong = client.post(
        reverse("tickets:lookup"),
        {"no": closed.ticket_no, "code": "WRONG123", "action": "callback_rate", "satisfaction": "satisfied"},
    )
    assert wrong.status_code == 404
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED
    rated = client.post(
        reverse("tickets:lookup"),
        {"no": closed.ticket_no, "code": code, "action": "callback_rate", "satisfaction": "satisfied"},
    )
    assert rated.status_code == 200
    closed.refresh_from_db()
    assert closed.status == Status.EVALUATED and closed.satisfaction == "satisfied"
    event = TicketAction.objects.filter(ticket=closed, action="callback_rate").get()
    assert event.actor is None and event.actor_name == "匿名诉求人"
    # The code proves nothing more: it cannot be used for a staff action.
    staff = client.post(reverse("tickets:lookup"), {"no": closed.ticket_no, "code": code, "action": "archive"})
    assert staff.status_code == 400
    closed.refresh_from_db()
    assert closed.status == Status.EVALUATED


def test_a_resident_accounts_ticket_cannot_be_driven_by_a_lookup_code(client, make_ticket):
    closed = make_ticket(Status.CLOSED)  # reported by resident_demo's account
    code = with_followup_code(closed)
    response = client.post(
        reverse("tickets:lookup"),
        {"no": closed.ticket_no, "code": code, "action": "callback_rate", "satisfaction": "satisfied"},
    )
    assert response.status_code == 404
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED
