"""The reporter's contact and the attachments leave the server only the way personal data may.

* lists, details and the API mask the reporter's name and phone for everyone but the reporter's own
  account (``/api/v1/tickets/`` gave a street admin every pending ticket's phone in full);
* who must call back — the intake role of the place, the people handling the ticket — reveals one
  ticket's contact with a reason, logged exactly as a resident's reveal (SensitiveAccessLog + audit);
  anyone else is refused (403, audited ``reveal_denied``), outside the scope it is 404;
* an attachment's API ``url`` is a scoped, authenticated download, not ``/media/`` (which is not served).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiceng.audit.models import AuditLog, SensitiveAccessLog
from jiceng.tickets import services
from jiceng.tickets.choices import Status

from .conftest import user

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
REASON = "电话回访诉求人"


# --- masked everywhere --------------------------------------------------------------------------


def test_the_api_list_gives_a_street_admin_no_full_phone(world, make_ticket, api):
    phones = ["13911110001", "13911110002", "13911110003"]
    made = [make_ticket(reporter_phone=p, reporter_name="孙丽华") for p in phones]
    made.append(make_ticket(grid=world.grid2, reporter_phone="13911110004"))
    response = api("longpan_admin").get(URL, {"status": "pending_accept", "page_size": 500})
    assert response.status_code == 200
    rows = {r["id"]: r for r in response.json()["results"]}
    assert {t.pk for t in made} <= set(rows)
    body = response.content.decode()
    for t in made:
        assert t.reporter_phone not in body
        assert rows[t.pk]["reporter_phone"] == t.reporter_phone[:3] + "****" + t.reporter_phone[-4:]
    assert rows[made[0].pk]["reporter_name"] == "孙*华"
    detail = api("longpan_admin").get(f"{URL}{made[0].pk}/").json()
    assert (detail["reporter_name"], detail["reporter_phone"]) == ("孙*华", "139****0001")


def test_the_detail_page_masks_the_contact_and_offers_the_reveal(client, login, make_ticket):
    t = make_ticket()
    login("grid_wc01")
    body = client.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert "13912345678" not in body and "王小明" not in body
    assert "王*明 · 139****5678" in body
    assert 'id="jc-contact-reveal-form"' in body and reverse("tickets:reveal_contact", args=[t.pk]) in body


# --- the reveal, on the page and in the API -----------------------------------------------------


def _logged(t, username):
    return list(
        SensitiveAccessLog.objects.filter(subject_type="tickets.Ticket", subject_id=str(t.pk), user__username=username)
        .values_list("field", "reason", "scope_path")
    )  # fmt: skip


def test_intake_reveals_one_tickets_contact_on_the_page_and_it_is_logged(client, login, make_ticket):
    t = make_ticket()
    login("grid_wc01")
    url = reverse("tickets:reveal_contact", args=[t.pk])
    fragment = client.post(url, {"reason": REASON}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and fragment["Cache-Control"] == "no-store"
    text = fragment.content.decode()
    assert "诉求人：<strong>王小明</strong>" in text and 'href="tel:13912345678"' in text
    assert "<html" not in text  # a fragment for htmx, not a page
    assert _logged(t, "grid_wc01") == [("reporter_contact", REASON, t.scope_path)]
    audit = AuditLog.objects.filter(action="reveal", object_type="tickets.Ticket", object_id=str(t.pk)).get()
    assert (audit.username, audit.detail) == ("grid_wc01", {"field": "reporter_contact", "reason": REASON})
    page = client.post(url, {"reason": "再次回访核实"})
    assert page.status_code == 200 and "13912345678" in page.content.decode() and "<html" in page.content.decode()
    assert len(_logged(t, "grid_wc01")) == 2
    # Without a reason: refused, nothing revealed, nothing logged.
    short = client.post(url, {"reason": "回访"}, HTTP_HX_REQUEST="true")
    assert short.status_code == 400 and "请填写查看理由（至少 4 个字）。" in short.content.decode()
    assert "13912345678" not in short.content.decode()
    assert len(_logged(t, "grid_wc01")) == 2


def test_the_api_reveal(world, make_ticket, api):
    t = make_ticket(Status.IN_PROGRESS)
    response = api("wenchang_worker").post(f"{URL}{t.pk}/reveal-contact/", {"reason": REASON}, format="json")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.json() == {"reporter_name": "王小明", "reporter_phone": "13912345678"}
    assert _logged(t, "wenchang_worker") == [("reporter_contact", REASON, t.scope_path)]
    bad = api("wenchang_worker").post(f"{URL}{t.pk}/reveal-contact/", {"reason": "  "}, format="json")
    assert bad.status_code == 400 and bad.json() == {"reason": ["请填写查看理由（至少 4 个字）。"]}
    not_object = api("wenchang_worker").post(f"{URL}{t.pk}/reveal-contact/", [1, 2], format="json")
    assert not_object.status_code == 400
    assert len(_logged(t, "wenchang_worker")) == 1
    # Another street: 404, like a ticket that does not exist; nothing logged.
    theirs = api("yinhua_admin").post(f"{URL}{t.pk}/reveal-contact/", {"reason": REASON}, format="json")
    assert theirs.status_code == 404 and _logged(t, "yinhua_admin") == []


def test_the_handling_department_reveals_the_phone_not_a_hidden_name(world, make_ticket, api):
    t = make_ticket(Status.IN_PROGRESS, handler_org=world.dept, lead_org=world.dept, anonymous=True)
    dept = api("dept_chengguan").post(f"{URL}{t.pk}/reveal-contact/", {"reason": REASON}, format="json")
    assert dept.status_code == 200
    assert dept.json() == {"reporter_name": "匿名", "reporter_phone": "13912345678"}
    intake = api("grid_wc01").post(f"{URL}{t.pk}/reveal-contact/", {"reason": REASON}, format="json")
    assert intake.json() == {"reporter_name": "王小明", "reporter_phone": "13912345678"}


def test_who_sees_the_ticket_but_does_not_call_back_is_refused_and_audited(client, login, world, make_ticket, api):
    t = make_ticket(Status.IN_PROGRESS, whistle_org=world.dept)  # 吹哨报到: the department sees it, holds nothing
    response = api("dept_chengguan").post(f"{URL}{t.pk}/reveal-contact/", {"reason": REASON}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "只有受理人员和承办该工单的人员可以查看诉求人的联系方式。"}
    assert "13912345678" not in response.content.decode()
    assert _logged(t, "dept_chengguan") == []
    denied = AuditLog.objects.filter(action="reveal_denied", object_id=str(t.pk)).get()
    assert (denied.username, denied.success) == ("dept_chengguan", False)
    login("dept_chengguan")
    page = client.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'id="jc-contact-reveal-form"' not in page and "13912345678" not in page
    assert client.post(reverse("tickets:reveal_contact", args=[t.pk]), {"reason": REASON}).status_code == 403


def test_the_reporter_sees_their_own_contact_without_a_reveal(client, login, make_ticket, api):
    t = make_ticket()
    data = api("resident_demo").get(f"{URL}{t.pk}/").json()
    assert (data["reporter_name"], data["reporter_phone"]) == ("王小明", "13912345678")
    assert (
        api("resident_demo").post(f"{URL}{t.pk}/reveal-contact/", {"reason": REASON}, format="json").status_code == 403
    )


def test_the_service_checks_scope_itself(world, make_ticket):
    from jiceng.core.errors import OutOfScope

    t = make_ticket()
    with pytest.raises(OutOfScope):
        services.ticket_reveal_contact(actor=user("yinhua_admin"), ticket=t, reason=REASON)
    assert not SensitiveAccessLog.objects.filter(subject_id=str(t.pk)).exists()


# --- attachments: a scoped download ------------------------------------------------------------


def test_attachment_urls_are_a_scoped_authenticated_download(world, make_ticket, api, client):
    t = make_ticket(Status.IN_PROGRESS)
    sibling = make_ticket(Status.IN_PROGRESS)
    worker = api("grid_wc01")
    upload = worker.post(f"{URL}{t.pk}/attachments/", {"file": SimpleUploadedFile("现场.png", PNG, "image/png")})
    assert upload.status_code == 201
    att = upload.json()
    download = f"{URL}{t.pk}/attachments/{att['id']}/download/"
    assert att["url"] == f"http://testserver{download}"
    detail = worker.get(f"{URL}{t.pk}/").json()
    assert [a["url"] for a in detail["attachments"]] == [f"http://testserver{download}"]
    other = services.attachment_add(
        actor=user("grid_wc01"), ticket=sibling, file=SimpleUploadedFile("b.png", PNG, "image/png")
    )
    got = worker.get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PNG
    assert got["Content-Type"] == "image/png"
    assert got["Content-Disposition"] == "attachment; filename*=utf-8''%E7%8E%B0%E5%9C%BA.png"
    assert worker.get(download, HTTP_ACCEPT="application/octet-stream").status_code == 200
    # A sibling ticket's attachment under this ticket, another street, no login: never the file.
    assert worker.get(f"{URL}{t.pk}/attachments/{other.pk}/download/").status_code == 404
    assert api("yinhua_admin").get(download).status_code == 404
    assert client.get(download).status_code in (401, 403)
    assert api("resident_demo").get(download).status_code == 200  # the reporter sees their ticket's photos


def test_the_pages_link_photos_through_the_scoped_view(client, login, world, make_ticket):
    t = make_ticket(Status.IN_PROGRESS)
    sibling = make_ticket(Status.IN_PROGRESS)
    att = services.attachment_add(actor=user("grid_wc01"), ticket=t, file=SimpleUploadedFile("a.png", PNG, "image/png"))
    other = services.attachment_add(
        actor=user("grid_wc01"), ticket=sibling, file=SimpleUploadedFile("b.png", PNG, "image/png")
    )
    login("grid_wc01")
    body = client.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert reverse("tickets:photo", args=[t.pk, att.pk]) in body and "/media/" not in body
    assert client.get(reverse("tickets:photo", args=[t.pk, att.pk])).status_code == 200
    assert client.get(reverse("tickets:photo", args=[t.pk, other.pk])).status_code == 404


# --- exports ------------------------------------------------------------------------------------


def test_an_export_never_reveals_reporter_contacts_in_bulk(world, make_ticket):
    import django_tables2 as tables

    from jiceng.exports.services import export_columns
    from jiceng.tickets.models import Ticket

    class WithContact(tables.Table):  # what a list showing the reporter would declare
        reporter_name = tables.Column()
        reporter_phone = tables.Column()
        masked = tables.Column(accessor="reporter_phone_masked")

        class Meta:
            model = Ticket
            fields = ("ticket_no",)

    plain = make_ticket(reporter_phone="13955550001")
    hidden = make_ticket(reporter_phone="13955550002", anonymous=True)
    table = WithContact(Ticket.objects.filter(pk__in=[plain.pk, hidden.pk]).order_by("pk"))
    columns = export_columns(table, reveal=True)
    names = [c.name for c in columns]
    rows = [[dict(zip(names, [c.getter(t, True) for c in columns], strict=True))[n] for n in names[1:]]
            for t in (plain, hidden)]  # fmt: skip
    assert names == ["ticket_no", "reporter_name", "reporter_phone", "masked"]
    assert rows == [["王*明", "139****0001", "139****0001"], ["匿名", "139****0002", "139****0002"]]


def test_the_ticket_list_export_holds_no_reporter_phone(client, login, world, make_ticket, settings, tmp_path):
    import io

    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    settings.JICENG_EXPORT_SYNC_ROWS = 100000
    made = [make_ticket(reporter_phone=f"1397777000{n}") for n in range(3)]
    login("longpan_admin")
    response = client.post("/exports/new/", {"path": "/tickets/", "query": "", "reveal": "1", "reason": "核对回访名单"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    cells = {str(c.value) for row in ws.iter_rows() for c in row}
    assert {t.ticket_no for t in made} <= cells
    assert not [c for c in cells if any(t.reporter_phone in c for t in made)]
