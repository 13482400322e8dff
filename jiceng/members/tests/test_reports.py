"""报到单: the rules of creating a report, its life cycle (WorkflowMatrix), the API and the pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.audit.models import AuditLog
from jiceng.core.entities import entity_for
from jiceng.core.errors import Conflict, OutOfScope
from jiceng.members.choices import ReportChannel, ReportStatus
from jiceng.members.models import MemberReport, MemberReportEvent
from jiceng.members.workflow import REPORTS
from jiceng.notices.models import Notice
from jiceng.party.models import PartyMember
from jiceng.testing.personas import persona
from jiceng.testing.workflow import WorkflowMatrix

from .helpers import account_for, community, row_counts, unreported_member

pytestmark = pytest.mark.django_db
SERVICE = entity_for(MemberReport).service


def _counts():
    return {**row_counts(), "events": MemberReportEvent.objects.count(), "notices": Notice.objects.count()}


def test_demo_reports_member_demo_and_member_demo2_in_wenchang():
    wenchang = community("文昌花园社区")
    for name in ("member_demo", "member_demo2"):
        user = persona(name)
        report = MemberReport.objects.get(member=user.party_member, status=ReportStatus.CONFIRMED)
        assert report.community == wenchang and report.scope_path.startswith(wenchang.path)
    assert persona("member_demo").party_member_id != persona("member_demo2").party_member_id
    assert MemberReport.objects.filter(scope_path__startswith=community("陡岗社区").path).exists()
    assert unreported_member("文昌花园社区").report_community_id is None


def test_member_reports_online_to_their_community_and_the_workers_are_told(django_capture_on_commit_callbacks):
    member = unreported_member()
    user = account_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        report = SERVICE.create(actor=user, community=community("文昌花园社区"), skills="法律咨询").obj
    assert (report.status, report.channel, report.member, report.submitted_by) == (
        ReportStatus.SUBMITTED, ReportChannel.ONLINE, member, user,
    )  # fmt: skip
    assert report.scope_path == member.resident.scope_path  # the member's home, under the community
    assert report.events.get().action == "submit"
    assert (
        AuditLog.objects.filter(action="create", object_type="members.MemberReport", object_id=str(report.pk)).count()
        == 1
    )
    assert Notice.objects.filter(user=persona("wenchang_worker"), target_id=report.pk).exists()


def test_the_community_defaults_to_where_the_member_lives():
    member = unreported_member()
    report = SERVICE.create(actor=account_for(member)).obj
    assert report.community == community("文昌花园社区")


def test_a_worker_records_a_report_for_a_member_of_their_community():
    member = unreported_member()
    report = SERVICE.create(actor=persona("wenchang_worker"), member=member, community=community("文昌花园社区")).obj
    assert report.channel == ReportChannel.RECORDED


@pytest.mark.parametrize(
    "case,message",
    [
        ("elsewhere", "居住地不在陡岗社区"),
        ("twice", "不能重复报到"),
        ("not_in_service", "只有在职党员"),
        ("no_member", "请选择报到的党员"),
    ],
)
def test_refused_reports_write_nothing(case, message):
    member = unreported_member()
    actor, data = account_for(member), {"community": community("文昌花园社区")}
    if case == "elsewhere":
        data = {"community": community("陡岗社区")}
    elif case == "twice":
        SERVICE.create(actor=actor, **data)
    elif case == "not_in_service":
        PartyMember.objects.filter(pk=member.pk).update(is_in_service=False)
    elif case == "no_member":
        actor, data = persona("wenchang_worker"), data
    before = _counts()
    with pytest.raises(ValidationError, match=message):
        SERVICE.create(actor=actor, **data)
    assert _counts() == before


def test_a_member_cannot_report_someone_else_and_a_sibling_worker_cannot_record():
    member, other = unreported_member(nth=0), unreported_member(nth=1)
    before = _counts()
    with pytest.raises(OutOfScope):
        SERVICE.create(actor=account_for(member), member=other, community=community("文昌花园社区"))
    before = _counts()
    with pytest.raises(OutOfScope):
        SERVICE.create(actor=persona("dougang_worker"), member=other, community=community("文昌花园社区"))
    assert _counts() == before


def test_who_and_where_are_fixed_on_an_edit():
    report = SERVICE.create(actor=persona("wenchang_worker"), member=unreported_member()).obj
    SERVICE.update(actor=persona("wenchang_worker"), obj=report, skills="文艺特长")
    with pytest.raises(OutOfScope):  # into the sibling community: the new node is checked first
        SERVICE.update(actor=persona("wenchang_worker"), obj=report, community=community("陡岗社区"))
    with pytest.raises(ValidationError, match="不能修改"):  # the district covers both: the rule says no
        SERVICE.update(actor=persona("qu_admin"), obj=report, community=community("陡岗社区"))
    with pytest.raises(OutOfScope):  # the sibling cannot even try
        SERVICE.update(actor=persona("dougang_worker"), obj=report, skills="越权")
    assert MemberReport.objects.get(pk=report.pk).skills == "文艺特长"


# --- the life cycle ---------------------------------------------------------------------------------


def test_confirm_writes_the_register_and_tells_the_member(django_capture_on_commit_callbacks):
    member = unreported_member()
    user = account_for(member)
    report = SERVICE.create(actor=user).obj
    with django_capture_on_commit_callbacks(execute=True):
        REPORTS.transition(actor=persona("wenchang_worker"), obj=report, action="confirm")
    member.refresh_from_db()
    assert member.report_community == community("文昌花园社区") and member.report_date is not None
    assert Notice.objects.filter(user=user, target_id=report.pk).exists()
    REPORTS.transition(actor=persona("wenchang_worker"), obj=report, action="end", reason="已搬离本社区")
    member.refresh_from_db()
    assert member.report_community is None


def test_return_needs_a_reason_and_the_member_resubmits():
    member = unreported_member()
    user = account_for(member)
    report = SERVICE.create(actor=user).obj
    before = _counts()
    with pytest.raises(ValidationError, match="请填写原因"):
        REPORTS.transition(actor=persona("wenchang_worker"), obj=report, action="return", reason=" ")
    assert _counts() == before
    returned = REPORTS.transition(actor=persona("wenchang_worker"), obj=report, action="return", reason="请补充特长")
    assert returned.return_reason == "请补充特长"
    again = REPORTS.transition(actor=user, obj=returned, action="resubmit", skills="心理疏导")
    assert (again.status, again.skills) == (ReportStatus.SUBMITTED, "心理疏导")


def test_a_returned_report_cannot_come_back_beside_a_new_active_one():
    member = unreported_member()
    user = account_for(member)
    first = SERVICE.create(actor=user).obj
    REPORTS.transition(actor=persona("wenchang_worker"), obj=first, action="return", reason="信息不全")
    SERVICE.create(actor=user)  # a new one while the first is returned
    before = _counts()
    with pytest.raises(Conflict, match="不能重复报到"):
        REPORTS.transition(actor=user, obj=first, action="resubmit")
    assert _counts() == before


def test_the_member_cannot_confirm_their_own_report():
    member = unreported_member()
    user = account_for(member)
    report = SERVICE.create(actor=user).obj
    with pytest.raises(PermissionDenied):
        REPORTS.transition(actor=user, obj=report, action="confirm")


def _report_in(state):
    member = unreported_member()
    report = SERVICE.create(actor=persona("wenchang_worker"), member=member).obj
    MemberReport.objects.filter(pk=report.pk).update(status=state)
    report.refresh_from_db()
    return report


def _member_user(report):
    from jiceng.accounts.models import User

    return User.objects.filter(party_member=report.member).first() or account_for(report.member)


def _setup(fx, transition, state):
    report = _report_in(state)
    actor = _member_user(report) if transition.who == "member" else persona("wenchang_worker")
    payload = {"reason": "测试原因"} if "reason" in transition.required else {}
    return report, actor, payload


def _refused(name):
    if name == "the_member":
        return _member_user(MemberReport.objects.order_by("-pk").first())
    if name == "another_member":
        return persona("member_demo2")
    return persona(name)


MATRIX = WorkflowMatrix(
    REPORTS,
    setup=_setup,
    make=lambda fx, state: _report_in(state),
    actor=_refused,
    stale_actor="wenchang_worker",
    refused={
        "community": ["the_member", "grid_wc01", "dougang_worker", "yinhua_admin"],
        "member": ["wenchang_worker", "another_member", "dougang_worker"],
        "applicant": ["another_member", "grid_wc01", "dougang_worker"],
    },
)
test_allowed, test_wrong_state, test_wrong_actor = MATRIX.tests()


# --- API and pages ---------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_post_by_the_member_with_community():
    member = unreported_member()
    user = account_for(member)
    response = _api(user).post("/api/v1/member-reports/", {"community": community("文昌花园社区").pk}, format="json")
    assert response.status_code == 201, response.content
    assert MemberReport.objects.get(pk=response.json()["id"]).member == member
    mine = _api(user).get("/api/v1/member-reports/").json()
    assert [r["id"] for r in mine["results"]] == [response.json()["id"]]


def test_api_refuses_another_community_in_chinese_and_writes_nothing():
    user = account_for(unreported_member())
    before = _counts()
    response = _api(user).post("/api/v1/member-reports/", {"community": community("陡岗社区").pk}, format="json")
    assert response.status_code == 400
    assert "居住地不在陡岗社区" in response.content.decode()
    assert _counts() == before


def test_api_list_is_scoped_and_its_queries_do_not_grow(django_assert_max_num_queries):
    client = _api(persona("wenchang_worker"))
    with django_assert_max_num_queries(8):
        data = client.get("/api/v1/member-reports/?page_size=50").json()
    assert data["count"] == MemberReport.objects.filter(scope_path__startswith=community("文昌花园社区").path).count()
    dougang = MemberReport.objects.filter(scope_path__startswith=community("陡岗社区").path).first()
    assert client.get(f"/api/v1/member-reports/{dougang.pk}/").status_code == 404


def test_list_page_for_the_worker(client, login, django_assert_max_num_queries):
    login("wenchang_worker")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("members:memberreport_list"))
    assert response.status_code == 200
    assert "报到单" in response.content.decode()


def test_api_actions_confirm_and_a_second_confirm_is_409_in_chinese():
    report = SERVICE.create(actor=account_for(unreported_member())).obj
    client = _api(persona("wenchang_worker"))
    listed = client.get(f"/api/v1/member-reports/{report.pk}/").json()
    assert listed["status"] == "submitted" and set(listed["actions"]) == {"confirm", "return"}
    response = client.post(f"/api/v1/member-reports/{report.pk}/confirm/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    before = _counts()
    again = client.post(f"/api/v1/member-reports/{report.pk}/confirm/", {}, format="json")
    assert again.status_code == 409 and "已报到" in again.json()["detail"]
    assert _counts() == before
    sibling = _api(persona("dougang_worker")).post(f"/api/v1/member-reports/{report.pk}/end/", {"reason": "x"})
    assert sibling.status_code in (403, 404)


def test_detail_page_offers_the_workers_actions_and_the_return_page_works(client, login):
    report = SERVICE.create(actor=account_for(unreported_member())).obj
    login("wenchang_worker")
    page = client.get(report.get_absolute_url()).content.decode()
    assert "确认报到" in page and "退回" in page and "待确认" in page
    url = reverse("members:memberreport_return", args=[report.pk])
    assert "原因" in client.get(url).content.decode()
    response = client.post(url, {"reason": "请补充工作单位"})
    assert response.status_code in (200, 302)
    report.refresh_from_db()
    assert (report.status, report.return_reason) == ("returned", "请补充工作单位")
