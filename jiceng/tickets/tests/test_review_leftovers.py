"""Leftovers of the issue-10 review: the access log names a ticket and its field; who recorded a ticket
for a caller is not its reporter; the reporter opens only the photos their follow page shows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jiceng.accounts.tests.utils import verified_login
from jiceng.audit.models import SensitiveAccessLog
from jiceng.tickets import policy, services
from jiceng.tickets.choices import Status
from jiceng.tickets.services import attachment_add, ticket_transition

from .conftest import user
from .test_views import png

pytestmark = pytest.mark.django_db

REASON = "电话回访诉求人"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- (1) the sensitive-data access log names the ticket and the field ---------------------------


def test_the_access_log_names_the_ticket_and_the_reporter_contact_in_chinese(client, make_ticket):
    t = make_ticket()
    services.ticket_reveal_contact(actor=user("grid_wc01"), ticket=t, reason=REASON)
    log = SensitiveAccessLog.objects.get(subject_type="tickets.Ticket", subject_id=str(t.pk))
    assert log.subject_repr == f"工单 {t.ticket_no}"
    assert "王小明" not in log.subject_repr and t.description not in log.subject_repr
    verified_login(client, "auditor")
    page = client.get("/audit/sensitive/").content.decode()
    row = next(line for line in page.split("<tr") if REASON in line)
    assert f"工单 {t.ticket_no}" in row and "诉求人联系方式" in row and "reporter_contact" not in row


def test_the_access_log_labels_a_revealing_exports_fields(client, personas):
    from jiceng.exports.services import export_create

    job = export_create(actor=personas.wenchang_worker, path="/people/residents/", reveal=True, reason="核实低保名单")
    log = SensitiveAccessLog.objects.get(subject_type="exports.ExportJob", subject_id=str(job.pk))
    assert log.subject_repr.startswith(f"导出 #{job.pk}")
    verified_login(client, "auditor")
    page = client.get("/audit/sensitive/").content.decode()
    row = next(line for line in page.split("<tr") if "核实低保名单" in line)
    assert "证件号码、联系电话" in row and "id_number" not in row


# --- (2) the staff member who recorded a ticket is not its reporter -----------------------------


def test_who_recorded_a_ticket_for_a_caller_cannot_withdraw_it(client, login, make_ticket):
    staff = user("grid_wc01")
    t = make_ticket(reporter_user=None, recorded_by=staff, channel="phone")
    assert "withdraw" not in policy.allowed_actions(staff, t)
    login("grid_wc01")
    html = client.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert reverse("tickets:act", args=[t.pk, "withdraw"]) not in html
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=staff, ticket=t, action="withdraw")
    assert client.post(reverse("tickets:act", args=[t.pk, "withdraw"]), {"comment": "撤销"}).status_code in (400, 403)
    t.refresh_from_db()
    assert t.status == Status.PENDING_ACCEPT


def test_the_reporter_account_still_withdraws_and_the_recorder_still_submits_a_draft(make_ticket):
    mine = make_ticket()
    assert "withdraw" in policy.allowed_actions(user("resident_demo"), mine)
    staff = user("grid_wc01")
    draft = make_ticket(Status.DRAFT, reporter_user=None, recorded_by=staff, channel="phone")
    assert ticket_transition(actor=staff, ticket=draft, action="submit").status == Status.PENDING_ACCEPT


# --- (4) photos of internal steps stay with the handlers ---------------------------------------


def test_the_reporter_cannot_open_the_photos_of_internal_steps(client, login, make_ticket, api):
    worker = user("grid_wc01")
    ticket = make_ticket(Status.IN_PROGRESS)
    own = attachment_add(actor=user("resident_demo"), ticket=ticket, file=png("我的.png"))
    internal = attachment_add(actor=worker, ticket=ticket, file=png("过程.png"))
    ticket_transition(actor=worker, ticket=ticket, action="progress", comment="已联系物业", attachments=[internal.pk])
    after = attachment_add(actor=worker, ticket=ticket, file=png("办结.png"))
    ticket_transition(actor=worker, ticket=ticket, action="complete", reply="杂物已清理", attachments=[after.pk])
    login("resident_demo")
    photo = lambda att: reverse("tickets:photo", args=[ticket.pk, att.pk])  # noqa: E731
    assert client.get(photo(own)).status_code == 200
    assert client.get(photo(after)).status_code == 200
    assert client.get(photo(internal)).status_code == 404
    download = lambda who, att: api(who).get(f"/api/v1/tickets/{ticket.pk}/attachments/{att.pk}/download/")  # noqa: E731
    assert download("resident_demo", internal).status_code == 404
    assert download("resident_demo", after).status_code == 200
    login("grid_wc01")  # the handlers open every photo
    assert all(client.get(photo(a)).status_code == 200 for a in (own, internal, after))
    assert download("grid_wc01", internal).status_code == 200
