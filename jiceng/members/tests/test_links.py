"""党员联户: links (one relation with the 党员中心户's), visits turning a problem into a request, coverage,
the stats keys and the member's phone page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.core.entities import entity_for
from jiceng.core.errors import OutOfScope
from jiceng.members import selectors
from jiceng.members.models import HouseholdLink, MemberReport, ServiceRecord, Visit
from jiceng.party.models import CentralHousehold
from jiceng.territory.models import Household
from jiceng.testing.personas import persona
from jiceng.tickets.models import Ticket

from .helpers import account_for, community, row_counts, unreported_member

pytestmark = pytest.mark.django_db
LINKS = entity_for(HouseholdLink).service
VISITS = entity_for(Visit).service


def _counts():
    return {**row_counts(), "tickets": Ticket.objects.count()}


def _free_household(member, community_name="文昌花园社区"):
    linked = selectors.households_of(member).values("pk")
    return (
        Household.objects.filter(scope_path__startswith=community(community_name).path)
        .exclude(pk__in=linked)
        .order_by("pk")
        .first()
    )


def test_demo_links_each_reported_member_to_several_households_of_their_community():
    member = persona("member_demo").party_member
    households = list(selectors.households_of(member))
    assert 3 <= len(households)
    assert all(h.scope_path.startswith(community("文昌花园社区").path) for h in households)
    reported = MemberReport.objects.filter(status="confirmed").values("member_id")
    counts = HouseholdLink.objects.filter(member_id__in=reported).values("member").annotate(n=Count("id"))
    assert len(counts) == reported.count()
    assert 3 <= min(c["n"] for c in counts) and max(c["n"] for c in counts) <= 12  # 3–10, and the grid fill-ins


def test_a_link_is_refused_outside_the_community_for_an_unreported_member_and_twice():
    member = persona("member_demo").party_member
    worker = persona("wenchang_worker")
    before = _counts()
    with pytest.raises(ValidationError, match="联系户须在"):
        LINKS.create(actor=persona("qu_admin"), member=member, household=_free_household(member, "陡岗社区"))
    with pytest.raises(ValidationError, match="尚未报到"):
        LINKS.create(actor=worker, member=unreported_member(), household=_free_household(member))
    with pytest.raises(OutOfScope):
        LINKS.create(actor=persona("dougang_worker"), member=member, household=_free_household(member))
    assert _counts() == before
    household = _free_household(member)
    LINKS.create(actor=worker, member=member, household=household)
    before = _counts()
    with pytest.raises(ValidationError, match="已联系此户"):
        LINKS.create(actor=worker, member=member, household=household)
    assert _counts() == before


def test_a_central_households_linked_households_are_the_same_relation():
    central = CentralHousehold.objects.filter(linked_households__isnull=False).select_related("member").first()
    member, household = central.member, central.linked_households.first()
    assert household in selectors.households_of(member)
    assert Household.objects.filter(selectors.linked_q(), pk=household.pk).exists()  # covered by the 中心户
    report = MemberReport.objects.filter(member=member, status="confirmed").first()
    if report is None:  # a 中心户 member is usually a branch member, not an in-service one: no second link either
        return
    with pytest.raises(ValidationError, match="党员中心户"):
        LINKS.create(actor=persona("qu_admin"), member=member, household=household)


def test_a_visit_logs_and_a_problem_becomes_a_request_in_one_step(django_capture_on_commit_callbacks):
    user = persona("member_demo")
    household = selectors.households_of(user.party_member).first()
    quiet = VISITS.create(actor=user, household=household, date=dt.date.today(), kind="home", notes="一切正常").obj
    assert (quiet.problem_found, quiet.ticket) == (False, None)
    with django_capture_on_commit_callbacks(execute=True):
        visit = VISITS.create(actor=user, household=household, date=dt.date.today(), kind="home", notes="老人独居",
                              problem="楼道灯坏了一个月").obj  # fmt: skip
    ticket = visit.ticket
    assert visit.problem_found and ticket.channel == "member_link" and ticket.reporter_user == user
    assert "楼道灯坏了一个月" in ticket.description and ticket.building_id == household.building_id


def test_a_visit_to_a_household_not_linked_or_by_a_sibling_writes_nothing():
    user = persona("member_demo")
    stranger = _free_household(user.party_member)
    before = _counts()
    with pytest.raises(ValidationError, match="不是该党员的联系户"):
        VISITS.create(actor=user, household=stranger, date=dt.date.today(), kind="home", notes="x", problem="y")
    household = selectors.households_of(user.party_member).first()
    with pytest.raises(OutOfScope):
        VISITS.create(actor=persona("dougang_worker"), member=user.party_member, household=household,
                      date=dt.date.today(), kind="home", notes="x")  # fmt: skip
    with pytest.raises(ValidationError):  # a bad problem request (no text) is refused as a whole
        VISITS.create(actor=user, household=household, date=dt.date.today() + dt.timedelta(days=2), kind="home",
                      notes="x", problem="坏了")  # fmt: skip
    assert _counts() == before


def test_coverage_by_grid_counts_households_without_a_linked_member():
    worker = persona("wenchang_worker")
    rows = selectors.coverage_by_grid(worker)
    assert rows and all(g.path.startswith(community("文昌花园社区").path) for g, _, _ in rows)
    grid, total, uncovered = rows[0]
    households = Household.objects.filter(building__grid=grid)
    assert total == households.count()
    assert uncovered == households.exclude(selectors.linked_q()).count()


def test_links_page_shows_coverage_for_the_community_with_pinned_queries(client, login, django_assert_max_num_queries):
    login("wenchang_worker")
    with django_assert_max_num_queries(25):
        page = client.get(reverse("members:householdlink_list")).content.decode()
    assert "联户覆盖" in page


def test_stats_keys_for_the_callers_node():
    client = APIClient()
    client.force_authenticate(persona("wenchang_worker"))
    data = client.get("/api/v1/stats/").json()
    wenchang = community("文昌花园社区").path
    assert (
        data["reported_in_service_members"]
        == MemberReport.objects.filter(status="confirmed", scope_path__startswith=wenchang).count()
    )
    assert (
        data["member_linked_households"]
        == Household.objects.filter(selectors.linked_q(), scope_path__startswith=wenchang).count()
    )
    confirmed = ServiceRecord.objects.filter(status="confirmed", scope_path__startswith=wenchang)
    assert data["service_hours"] == int(sum(r.hours for r in confirmed)) > 0
    dougang = APIClient()
    dougang.force_authenticate(persona("dougang_worker"))
    assert dougang.get("/api/v1/stats/").json()["reported_in_service_members"] != 0


# --- the member's phone page ----------------------------------------------------------------------------


def test_member_page_shows_report_posts_services_and_households(client, login, django_assert_max_num_queries):
    login("member_demo")
    with django_assert_max_num_queries(40):
        response = client.get(reverse("members:memberreport_list"))
    page = response.content.decode()
    assert response.status_code == 200 and "我的双报到" in page
    assert "已报到" in page and "本社区服务岗位" in page and "我的联系户" in page and 'name="viewport"' in page


def test_an_unreported_member_reports_from_the_phone_page(client):
    member = unreported_member()
    client.force_login(account_for(member))
    url = reverse("members:memberreport_list")
    assert "向居住地社区报到" in client.get(url).content.decode()
    response = client.post(url, {"op": "report", "skills": "电脑维修"})
    assert response.status_code == 302
    assert MemberReport.objects.get(member=member, status="submitted").skills == "电脑维修"
    again = client.post(url, {"op": "report"})
    assert again.status_code == 400 and "不能重复报到" in again.content.decode()


def test_the_member_records_a_service_and_a_visit_from_the_phone_page(client, login):
    user = login("member_demo")
    url = reverse("members:memberreport_list")
    response = client.post(url, {"op": "record", "date": dt.date.today().isoformat(), "hours": "2",
                                 "kind": "activity", "content": "垃圾分类宣传"})  # fmt: skip
    assert response.status_code == 302
    bad = client.post(url, {"op": "record", "date": dt.date.today().isoformat(), "hours": "30", "kind": "activity",
                            "content": "x"})  # fmt: skip
    assert bad.status_code == 400 and "24" in bad.content.decode()
    household = selectors.households_of(user.party_member).first()
    response = client.post(url, {"op": "visit", "household": household.pk, "date": dt.date.today().isoformat(),
                                 "kind": "phone", "notes": "电话问候", "problem": "门口积水"})  # fmt: skip
    assert response.status_code == 302
    assert Visit.objects.filter(member=user.party_member, ticket__isnull=False).exists()


def test_a_sibling_member_never_sees_another_members_rows():
    other = APIClient()
    other.force_authenticate(persona("member_demo2"))
    mine = {r["id"] for r in other.get("/api/v1/household-links/?page_size=100").json()["results"]}
    demo_links = set(
        HouseholdLink.objects.filter(member=persona("member_demo").party_member).values_list("pk", flat=True)
    )
    assert mine and not (mine & demo_links)
    link = HouseholdLink.objects.filter(member=persona("member_demo").party_member).first()
    assert other.get(f"/api/v1/household-links/{link.pk}/").status_code == 404
