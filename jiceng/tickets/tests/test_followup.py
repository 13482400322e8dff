"""Visitors without an account: the follow-up code (凭编号查询) and the limits on what they may try.

* the code is 140 random bits, shown once and stored only as a keyed hash;
* only a ticket a visitor submitted without an account has one — a grid worker's patrol event or a
  staff-recorded ticket cannot be followed, withdrawn or rated by any code;
* wrong codes are limited per ticket number and per client address (429, in Chinese, nothing changed);
* anonymous reports are limited per client address (429, in Chinese, no ticket written).
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jiceng.core.crypto import lookup_hash
from jiceng.tickets import services
from jiceng.tickets.choices import Channel, Status
from jiceng.tickets.models import Category, Ticket, TicketAction

from .conftest import centre, user

pytestmark = pytest.mark.django_db

LOOKUP = "/tickets/lookup/"


def old_code(ticket) -> str:
    """The code before this change: derived from the number, 8 hex characters (32 bits)."""
    return lookup_hash(f"ticket-lookup:{ticket.ticket_no}")[:8].upper()


def report(client, world, description="路灯不亮", ip="10.1.1.1"):
    lng, lat = centre(world.grid)
    data = {"kind": "help", "category": Category.objects.get(service_code="101").pk, "description": description,
            "lng": lng, "lat": lat, "reporter_name": "李四", "reporter_phone": "13800138000"}  # fmt: skip
    return client.post(reverse("tickets:report"), data, REMOTE_ADDR=ip)


def visitor_ticket(world, status=Status.PENDING_ACCEPT) -> tuple[Ticket, str]:
    lng, lat = centre(world.grid)
    result = services.ticket_create(
        actor=None, category=world.complaint, description="楼道堆放杂物", lng=lng, lat=lat,
        reporter_name="赵六", reporter_phone="13800138001",
    )  # fmt: skip
    return result.obj, result.obj.followup_code


def test_the_code_is_long_random_and_stored_only_hashed(client, world):
    first = report(client, world, "路灯不亮一")
    second = report(client, world, "路灯不亮二")
    assert first.status_code == second.status_code == 200
    code, other = first.context["code"], second.context["code"]
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}", code), code
    assert code != other
    ticket = Ticket.objects.get(description="路灯不亮一")
    assert ticket.followup_code_hash == lookup_hash("ticket-followup:" + code.replace("-", ""))
    plain = code.replace("-", "")
    row = Ticket.objects.filter(pk=ticket.pk).values().get()
    assert not [k for k, v in row.items() if isinstance(v, str) and plain in v.replace("-", "")]
    # What the reporter types back: lower case, spaces for dashes, O for 0 and I for 1 all read the same.
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "i")
    found = client.post(LOOKUP, {"no": ticket.ticket_no, "code": typed})
    assert found.status_code == 200 and found.context["ticket"].pk == ticket.pk
    assert client.post(LOOKUP, {"no": ticket.ticket_no, "code": old_code(ticket)}).status_code == 404


def test_a_patrol_event_cannot_be_withdrawn_by_any_code(client, world):
    event = services.ticket_create(
        actor=user("grid_wc01"), category=world.event, description="巡查发现井盖缺失", lng=centre(world.grid)[0],
        lat=centre(world.grid)[1],
    ).obj  # fmt: skip
    assert event.status == Status.PENDING_ACCEPT and event.followup_code_hash == ""
    events = TicketAction.objects.filter(ticket=event).count()
    response = client.post(LOOKUP, {"no": event.ticket_no, "code": old_code(event), "action": "withdraw"})
    assert response.status_code == 404 and "工单编号或查询码不正确。" in response.content.decode()
    event.refresh_from_db()
    assert event.status == Status.PENDING_ACCEPT
    assert TicketAction.objects.filter(ticket=event).count() == events
    # Nor by a caller claiming to have checked a code: the service itself refuses.
    with pytest.raises(PermissionDenied):
        services.ticket_transition(actor=None, ticket=event, action="withdraw", _system_reporter=True)
    event.refresh_from_db()
    assert event.status == Status.PENDING_ACCEPT


def test_a_staff_recorded_ticket_cannot_be_followed_by_code(client, world):
    lng, lat = centre(world.grid)
    hotline = services.ticket_create(
        actor=user("wenchang_worker"), channel=Channel.HOTLINE, external_id="HX-FOLLOW-1", category=world.complaint,
        description="噪音", lng=lng, lat=lat, reporter_name="孙", reporter_phone="13600001111",
    ).obj  # fmt: skip
    assert hotline.followup_code_hash == "" and hotline.followup_code == ""
    assert client.post(LOOKUP, {"no": hotline.ticket_no, "code": old_code(hotline)}).status_code == 404


def test_wrong_codes_are_limited_per_ticket(client, world, settings):
    settings.JICENG_RATE_LIMITS = {"followup_ticket": (3, 3600), "followup_client": (100, 3600)}
    ticket, code = visitor_ticket(world)
    other, other_code = visitor_ticket(world)
    for n in range(3):
        wrong = client.post(LOOKUP, {"no": ticket.ticket_no, "code": f"WRONG{n}"}, REMOTE_ADDR=f"10.0.0.{n}")
        assert wrong.status_code == 404
    # The fourth try is refused before the code is compared — even the right code, from a new address.
    blocked = client.post(LOOKUP, {"no": ticket.ticket_no, "code": code, "action": "withdraw"}, REMOTE_ADDR="10.9.9.9")
    assert blocked.status_code == 429
    assert (
        blocked.context["error"]
        == "该工单的查询码输错次数过多，已暂停查询，请 60 分钟后再试；如需帮助，请联系所在社区。"
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_ACCEPT
    # Another ticket is not affected.
    assert client.post(LOOKUP, {"no": other.ticket_no, "code": other_code}, REMOTE_ADDR="10.0.0.1").status_code == 200


def test_wrong_codes_are_limited_per_client_and_right_ones_do_not_count(client, world, settings):
    settings.JICENG_RATE_LIMITS = {"followup_ticket": (100, 3600), "followup_client": (3, 3600)}
    ticket, code = visitor_ticket(world)
    for _ in range(5):  # the reporter checking their request again and again is never locked out
        assert client.post(LOOKUP, {"no": ticket.ticket_no, "code": code}, REMOTE_ADDR="10.2.2.2").status_code == 200
    for n in range(3):
        assert client.post(LOOKUP, {"no": f"2026010{n}0001", "code": "ABCD"}, REMOTE_ADDR="10.2.2.2").status_code == 404
    blocked = client.post(LOOKUP, {"no": ticket.ticket_no, "code": code}, REMOTE_ADDR="10.2.2.2")
    assert blocked.status_code == 429 and blocked.context["error"] == "查询次数过多，请 60 分钟后再试。"
    assert "查询次数过多" in blocked.content.decode()
    assert client.post(LOOKUP, {"no": ticket.ticket_no, "code": code}, REMOTE_ADDR="10.3.3.3").status_code == 200


def test_the_reporter_withdraws_with_the_code(client, world):
    ticket, code = visitor_ticket(world)
    response = client.post(LOOKUP, {"no": ticket.ticket_no, "code": code, "action": "withdraw"})
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELLED


def test_anonymous_reports_are_limited_per_client(client, world, settings):
    settings.JICENG_RATE_LIMITS = {"anonymous_report": (2, 3600)}
    assert report(client, world, "第一件").status_code == 200
    assert report(client, world, "第二件").status_code == 200
    before = Ticket.objects.count()
    third = report(client, world, "第三件")
    assert third.status_code == 429
    assert third.context["form"].non_field_errors() == [
        "提交过于频繁：同一网络 60 分钟内最多可匿名提交 2 件诉求，请稍后再试。情况紧急请拨打 12345 政务服务便民热线或 110。"
    ]
    assert Ticket.objects.count() == before and not Ticket.objects.filter(description="第三件").exists()
    assert report(client, world, "另一网络", ip="10.7.7.7").status_code == 200


def test_a_refused_report_does_not_count(client, world, settings):
    settings.JICENG_RATE_LIMITS = {"anonymous_report": (1, 3600)}
    data = {"kind": "help", "category": Category.objects.get(service_code="101").pk, "description": "点在区外",
            "lng": 100.0, "lat": 20.0, "reporter_name": "李四", "reporter_phone": "13800138000"}  # fmt: skip
    assert client.post(reverse("tickets:report"), data, REMOTE_ADDR="10.1.1.1").status_code == 400
    assert report(client, world, "这次在区内").status_code == 200


def test_the_migration_keeps_codes_visitors_were_given(world, make_ticket):
    migration = importlib.import_module("jiceng.tickets.migrations.0003_ticket_followup_code_hash")
    visitor = make_ticket(reporter_user=None, reporter_name="钱七")
    staff = make_ticket(reporter_user=None, recorded_by=user("grid_wc01"))
    account = make_ticket()
    migration.keep_visitors_codes(apps, None)
    for t in (visitor, staff, account):
        t.refresh_from_db()
    assert services.followup_code_matches(visitor, old_code(visitor))
    assert services.followup_code_matches(visitor, old_code(visitor).lower())
    assert (staff.followup_code_hash, account.followup_code_hash) == ("", "")
    assert not services.followup_code_matches(staff, old_code(staff))
