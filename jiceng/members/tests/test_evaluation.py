"""Annual evaluation, the six-month no-service alert list and the quarterly feedback sheet to employers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jiceng.core.entities import entity_for
from jiceng.core.errors import OutOfScope
from jiceng.exports.services import list_view_for
from jiceng.members import feedback
from jiceng.members.models import MemberEvaluation, MemberReport, ServiceRecord
from jiceng.notices.models import Notice
from jiceng.orgs.models import Organisation
from jiceng.testing.personas import persona

from .helpers import community, row_counts, unreported_member

pytestmark = pytest.mark.django_db
EVALS = entity_for(MemberEvaluation).service
YEAR = dt.date.today().year


def _reported(nth=0):
    return MemberReport.objects.filter(status="confirmed", community=community("文昌花园社区")).order_by("pk")[nth]


def test_demo_has_last_years_evaluations():
    assert MemberEvaluation.objects.filter(year=YEAR - 1, community=community("文昌花园社区")).exists()


@pytest.mark.parametrize("grade", ["excellent", "qualified"])
def test_an_unreported_member_cannot_be_rated_qualified_or_better(grade):
    before = row_counts()
    with pytest.raises(ValidationError, match="不能为“合格”及以上"):
        EVALS.create(actor=persona("wenchang_worker"), member=unreported_member(), community=community("文昌花园社区"),
                     year=YEAR, grade=grade)  # fmt: skip
    assert row_counts() == before


def test_unreported_basic_is_allowed_reported_excellent_is_allowed_once_a_year():
    worker = persona("wenchang_worker")
    EVALS.create(
        actor=worker, member=unreported_member(), community=community("文昌花园社区"), year=YEAR, grade="basic"
    )
    report = _reported(3)
    MemberEvaluation.objects.filter(member=report.member, year=YEAR).delete()
    EVALS.create(actor=worker, member=report.member, community=report.community, year=YEAR, grade="excellent")
    before = row_counts()
    with pytest.raises(ValidationError, match="本年度已评议"):
        EVALS.create(actor=worker, member=report.member, community=report.community, year=YEAR, grade="qualified")
    with pytest.raises(ValidationError, match="未来"):
        EVALS.create(actor=worker, member=_reported(4).member, community=report.community, year=YEAR + 1, grade="basic")
    with pytest.raises(OutOfScope):
        EVALS.create(actor=persona("dougang_worker"), member=_reported(4).member, community=report.community,
                     year=YEAR, grade="basic")  # fmt: skip
    assert row_counts() == before


def test_no_service_alert_lists_members_without_a_confirmed_service_in_six_months(client, login):
    quiet, busy = _reported(1), _reported(2)
    old = timezone.now() - dt.timedelta(days=400)
    MemberReport.objects.filter(pk__in=[quiet.pk, busy.pk]).update(confirmed_at=old)
    ServiceRecord.objects.filter(member=quiet.member, date__gte=dt.date.today() - dt.timedelta(days=200)).delete()
    ServiceRecord.objects.create(member=busy.member, community=busy.community, date=dt.date.today(), hours=Decimal("1"),
                                 kind="other", content="x", status="confirmed", scope_path=busy.scope_path)  # fmt: skip
    alerts = set(feedback.no_service_alerts(MemberReport.objects.all()).values_list("pk", flat=True))
    assert quiet.pk in alerts and busy.pk not in alerts
    login("wenchang_worker")
    page = client.get(reverse("members:memberevaluation_alerts")).content.decode()
    assert "六个月无服务预警" in page and quiet.member.name in page
    login("dougang_worker")
    assert quiet.member.name not in client.get(reverse("members:memberevaluation_alerts")).content.decode()


def test_quarter_helpers():
    assert feedback.quarter_range("2026Q3") == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert feedback.quarter_range("2026Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert feedback.last_quarter(dt.date(2026, 2, 3)) == "2025Q4"
    with pytest.raises(ValueError, match="季度格式"):
        feedback.quarter_range("2026-3")


def _unit_with_members():
    report = MemberReport.objects.filter(status="confirmed", employer_unit__isnull=False).order_by("pk").first()
    return report.employer_unit, report


def test_feedback_sheet_counts_the_quarters_services_and_hours_and_exports_xlsx(client, login):
    unit, report = _unit_with_members()
    start, end = feedback.quarter_range(feedback.last_quarter())
    ServiceRecord.objects.create(member=report.member, community=report.community, date=start, hours=Decimal("3.5"),
                                 kind="other", content="季度内", status="confirmed", scope_path=report.scope_path)  # fmt: skip
    MemberReport.objects.filter(pk=report.pk).update(confirmed_at=timezone.now() - dt.timedelta(days=400))
    login("qu_admin")
    url = reverse("members:memberreport_feedback")
    query = f"unit={unit.pk}&quarter={feedback.last_quarter()}"
    page = client.get(f"{url}?{query}").content.decode()
    assert unit.name in page and report.member.name in page and "@page" in page and "A4" in page
    rows = {r.pk: r for r in list_view_for(persona("qu_admin"), url, query).get_filtered()[1]}
    expected = ServiceRecord.objects.filter(member=report.member, status="confirmed", date__range=(start, end))
    assert rows[report.pk].services == expected.count()
    assert rows[report.pk].hours == sum(r.hours for r in expected)


def test_feedback_is_sent_to_the_units_liaison(client, login, django_capture_on_commit_callbacks):
    liaison = persona("unit_demo")
    unit = liaison.organisations.filter(kind="unit").first()
    assert MemberReport.objects.filter(employer_unit=unit).exists()
    login("longpan_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:memberreport_feedback"), {"unit": unit.pk, "quarter": feedback.last_quarter()}
        )
    assert response.status_code == 302
    notice = Notice.objects.filter(user=liaison).latest("id")
    assert "在职党员双报到反馈" in notice.text
    # the liaison reads their unit's members' reports, nothing else
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(liaison)
    ids = {r["id"] for r in api.get("/api/v1/member-reports/?page_size=100").json()["results"]}
    assert ids and ids <= set(MemberReport.objects.filter(employer_unit=unit).values_list("pk", flat=True))


def test_a_sibling_cannot_pick_or_send_another_communitys_unit(client, login):
    unit = Organisation.objects.create(kind="unit", name="测试共建单位", area=community("文昌花园社区"))
    report = _reported(2)
    MemberReport.objects.filter(pk=report.pk).update(employer_unit=unit)
    login("wenchang_worker")
    assert "测试共建单位" in client.get(reverse("members:memberreport_feedback"), {"unit": unit.pk}).content.decode()
    login("dougang_worker")
    before = Notice.objects.count()
    response = client.post(reverse("members:memberreport_feedback"), {"unit": unit.pk, "quarter": "2026Q1"})
    assert response.status_code == 302 and Notice.objects.count() == before
    page = client.get(reverse("members:memberreport_feedback"), {"unit": unit.pk}).content.decode()
    assert "测试共建单位" not in page and report.member.name not in page


def test_the_quarterly_job_sends_each_units_sheet_once(django_capture_on_commit_callbacks):
    from jiceng.members.models import FeedbackDispatch
    from jiceng.members.services import send_last_quarter

    liaison = persona("unit_demo")
    unit = liaison.organisations.filter(kind="unit").first()
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_last_quarter()
    assert sent >= 1
    receipt = FeedbackDispatch.objects.get(unit=unit, quarter=feedback.last_quarter())
    assert receipt.sent_by is None and receipt.recipients == 1 and receipt.members >= 1
    assert Notice.objects.filter(user=liaison, text__contains="在职党员双报到反馈").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_last_quarter() == 0
    assert Notice.objects.filter(user=liaison, text__contains="在职党员双报到反馈").count() == 1


def test_the_job_is_scheduled_daily():
    from jiceng.periodic.registry import jobs

    job = next(j for j in jobs() if j.name == "members.quarterly_feedback")
    assert job.every_label == "每 1 天"
