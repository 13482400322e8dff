"""Web UI of the Party organisation: scope (404 / absent / refused), the 条例's rules as form errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiceng.audit.models import AuditLog
from jiceng.core.tests.helpers import area, row_counts, years_ago
from jiceng.party.choices import MemberStatus, SeatRole
from jiceng.party.models import CentralHousehold, CommitteeSeat, PartyGroup, PartyMember, PartyOrg
from jiceng.territory.models import Area, Building

pytestmark = pytest.mark.django_db

SIBLINGS = [("longpan_admin", "银花街道"), ("wenchang_worker", "陡岗社区")]


def under(model, area_name):
    return model.objects.filter(scope_path__startswith=area(area_name).path).order_by("pk")


def listed(response):
    return response.context["table"].data.data


DETAIL_URLS = [
    (PartyOrg, ["party:org_detail", "party:org_edit", "party:seat_add"]),
    (PartyMember, ["party:member_detail", "party:member_edit"]),
    (PartyGroup, ["party:group_detail", "party:group_edit", "party:centralhousehold_add"]),
    (CentralHousehold, ["party:centralhousehold_detail"]),
    (CommitteeSeat, ["party:seat_edit"]),
]


@pytest.mark.parametrize(("username", "foreign"), SIBLINGS)
@pytest.mark.parametrize(("model", "names"), DETAIL_URLS)
def test_foreign_detail_and_edit_are_404(client, login, username, foreign, model, names):
    login(username)
    obj = under(model, foreign).first()
    assert obj is not None
    for name in names:
        assert client.get(reverse(name, args=[obj.pk])).status_code == 404, name
        if not name.endswith("_detail"):
            assert client.post(reverse(name, args=[obj.pk]), {"name": "改名"}).status_code == 404, name


@pytest.mark.parametrize(("username", "foreign"), SIBLINGS)
@pytest.mark.parametrize(
    ("model", "url"),
    [
        (PartyOrg, "party:org_list"),
        (PartyMember, "party:member_list"),
        (PartyGroup, "party:group_list"),
        (CentralHousehold, "party:centralhousehold_list"),
        (PartyOrg, "party:term_alerts"),
    ],
)
def test_foreign_rows_absent_from_lists(client, login, username, foreign, model, url):
    user = login(username)
    response = client.get(reverse(url))
    assert response.status_code == 200
    assert not listed(response).filter(pk__in=under(model, foreign).values("pk")).exists()
    if url != "party:term_alerts":
        assert response.context["table"].paginator.count == model.objects.restrict(user).count() > 0


def test_member_demo_sees_only_own_record(client, login):
    user = login("member_demo")
    assert client.get(reverse("party:org_list")).status_code == 403
    response = client.get(reverse("party:member_list"))
    assert list(listed(response).values_list("pk", flat=True)) == [user.party_member_id]
    other = PartyMember.objects.exclude(pk=user.party_member_id).first()
    assert client.get(reverse("party:member_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("party:member_detail", args=[user.party_member_id])).status_code == 200
    assert client.get(reverse("party:member_add")).status_code == 403


def test_create_org_in_foreign_subtree_is_refused(client, login):
    login("longpan_admin")
    data = {
        "name": "越界党支部",
        "org_type": "branch",
        "parent": under(PartyOrg, "银花街道").filter(org_type="community_committee").first().pk,
        "area": area("陡岗社区").pk,
        "joint_units": 1,
    }
    before, audits = row_counts(), AuditLog.objects.count()
    response = client.post(reverse("party:org_add"), data)
    assert response.status_code == 400
    assert row_counts() == before and AuditLog.objects.count() == audits


def test_create_member_in_foreign_org_is_refused(client, login):
    login("wenchang_worker")
    data = {"name": "越界党员", "join_date": "2020-01-01", "org": under(PartyOrg, "陡岗社区").first().pk}
    before = row_counts()
    assert client.post(reverse("party:member_add"), data).status_code == 400
    assert row_counts() == before


def test_create_branch_and_member_in_scope(client, login):
    login("wenchang_worker")
    wenchang = area("文昌花园社区")
    committee = PartyOrg.objects.get(area=wenchang, org_type__in=["community_committee", "community_general"])
    quarter = Area.objects.get_children(wenchang).filter(kind="quarter").first()
    data = {
        "name": "测试小区党支部",
        "org_type": "branch",
        "parent": committee.pk,
        "area": quarter.pk,
        "term_start": years_ago(1).isoformat(),
        "joint_units": 1,
    }
    response = client.post(reverse("party:org_add"), data, follow=True)
    assert response.status_code == 200
    org = PartyOrg.objects.get(name="测试小区党支部")
    assert (org.term_years, org.scope_path) == (5, quarter.path)  # community-level organisations: 5 years
    page = response.content.decode()
    assert "正式党员仅 0 名（少于 3 名），应考虑组建联合党支部。" in page  # the service warning, as a message
    response = client.post(
        reverse("party:member_add"),
        {
            "name": "新党员",
            "gender": "1",
            "join_date": years_ago(2).isoformat(),
            "full_date": years_ago(1).isoformat(),
            "org": org.pk,
        },
    )
    assert response.status_code == 302
    member = PartyMember.objects.get(name="新党员")
    assert member.status == MemberStatus.FULL
    org.refresh_from_db()
    assert (org.full_member_count, org.member_count) == (1, 1)


def test_future_join_date_is_400(client, login):
    user = login("wenchang_worker")
    org = PartyOrg.objects.restrict(user).filter(org_type="branch").first()
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    before = row_counts()
    response = client.post(reverse("party:member_add"), {"name": "未来党员", "join_date": future, "org": org.pk})
    assert response.status_code == 400
    assert "入党日期不能晚于今天。" in response.content.decode()
    assert row_counts() == before


def _probationary_in(org):
    return PartyMember.objects.create(
        name="预备党员甲", join_date=years_ago(0, days=30), probation_end=dt.date.today() + dt.timedelta(days=300),
        status=MemberStatus.PROBATIONARY, org=org, scope_path=org.scope_path,
    )  # fmt: skip


def test_probationary_member_as_secretary_is_400(client, login):
    user = login("wenchang_worker")
    org = PartyOrg.objects.restrict(user).filter(org_type="branch").first()
    member = _probationary_in(org)
    before = row_counts()
    data = {"member": member.pk, "role": SeatRole.SECRETARY, "start": dt.date.today().isoformat(), "channel": "elected"}
    response = client.post(reverse("party:seat_add", args=[org.pk]), data)
    assert response.status_code == 400
    assert "预备党员没有被选举权，书记和委员必须是正式党员。" in response.content.decode()
    assert row_counts() == before


def test_secretary_seat_with_channel_and_sanyou(client, login):
    user = login("wenchang_worker")
    org = PartyOrg.objects.restrict(user).filter(org_type="branch", area__kind="quarter").first()
    CommitteeSeat.objects.filter(org=org, role=SeatRole.SECRETARY, end__isnull=True).update(end=dt.date.today())
    member = PartyMember.objects.filter(org=org, status=MemberStatus.FULL).first()
    data = {
        "member": member.pk,
        "role": SeatRole.SECRETARY,
        "start": dt.date.today().isoformat(),
        "channel": "retired",
        "has_ability": "on",
        "has_passion": "on",
        "has_public_spirit": "on",
        "assessment_note": "退休干部，热心公益",
    }
    response = client.post(reverse("party:seat_add", args=[org.pk]), data)
    assert response.status_code == 302
    seat = CommitteeSeat.objects.get(org=org, role=SeatRole.SECRETARY, end__isnull=True)
    assert (seat.member_id, seat.channel, seat.meets_sanyou) == (member.pk, "retired", True)
    page = client.get(reverse("party:org_detail", args=[org.pk])).content.decode()
    assert "退休老干部派驻" in page and "退休干部，热心公益" in page
    # Without a channel, a quarter branch secretary is refused.
    data.update(channel="", start=dt.date.today().isoformat())
    seat_url = reverse("party:seat_edit", args=[seat.pk])
    response = client.post(seat_url, data)
    assert response.status_code == 400
    assert "小区(网格)党支部书记须记录选任渠道。" in response.content.decode()


def test_org_detail_shows_warnings_and_term_badge(client, login):
    user = login("wenchang_worker")
    org = PartyOrg.objects.restrict(user).filter(org_type="branch").first()
    start = years_ago(5, days=-30)  # a 5-year term ending in 30 days
    PartyOrg.objects.filter(pk=org.pk).update(
        term_start=start, term_years=5, term_end=start.replace(year=start.year + 5)
    )
    page = client.get(reverse("party:org_detail", args=[org.pk])).content.decode()
    assert "请做好换届准备" in page
    alerts = client.get(reverse("party:term_alerts"))
    assert listed(alerts).filter(pk=org.pk).exists()
    assert "即将届满" in alerts.content.decode()
    overdue = client.get(reverse("party:org_list"), {"term_status": "due_soon"})
    assert listed(overdue).filter(pk=org.pk).exists()


def test_group_buildings_are_scoped_to_the_branch_community(client, login):
    user = login("wenchang_worker")
    branch = PartyOrg.objects.restrict(user).filter(org_type="branch").first()
    own = Building.objects.filter(scope_path__startswith=branch.area.path[:12]).first()
    foreign = under(Building, "陡岗社区").first()
    url = reverse("party:branch_group_add", args=[branch.pk])
    form = client.get(url).context["form"]
    assert form.fields["buildings"].queryset.filter(pk=own.pk).exists()
    assert not form.fields["buildings"].queryset.filter(pk=foreign.pk).exists()
    before = row_counts()
    assert client.post(url, {"name": "越界党小组", "buildings": [foreign.pk]}).status_code == 400
    assert row_counts() == before
    response = client.post(url, {"name": "测试党小组", "buildings": [own.pk]})
    assert response.status_code == 302
    group = PartyGroup.objects.get(name="测试党小组")
    assert (group.branch_id, list(group.buildings.all())) == (branch.pk, [own])


def test_member_list_filters_and_search(client, login):
    user = login("wenchang_worker")
    qs = listed(client.get(reverse("party:member_list"), {"is_in_service": "true"}))
    assert qs.exists() and not qs.filter(is_in_service=False).exists()
    member = PartyMember.objects.restrict(user).first()
    qs = listed(client.get(reverse("party:member_list"), {"q": member.name}))
    assert qs.filter(pk=member.pk).exists()
    assert all(member.name in n for n in qs.values_list("name", flat=True))


def test_a_quarter_secretary_adds_a_central_household_through_the_form(client):
    """The form's households are the group's buildings' (stored at grid paths, not under the quarter's);
    the quarter's secretary may designate one, and then open it."""
    from jiceng.core.tests.helpers import new_user
    from jiceng.party.tests.test_party_services import _member
    from jiceng.territory.models import Household

    group = PartyGroup.objects.filter(branch__area__kind="quarter", buildings__isnull=False).order_by("pk").first()
    secretary = new_user("qs_form", "quarter_secretary", group.branch.area)
    member = _member(secretary, group.branch, name="中心户户主")  # no resident record: any household of the group
    household = Household.objects.filter(building__in=group.buildings.all()).order_by("pk").first()
    assert not household.scope_path.startswith(group.branch.area.path)
    from django.utils import timezone

    from jiceng.accounts.models import User

    User.objects.filter(pk=secretary.pk).update(must_change_password=False, password_changed_at=timezone.now())
    client.force_login(secretary)
    url = reverse("party:centralhousehold_add", args=[group.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"member": member.pk, "household": household.pk, "designated_at": "2026-11-01"})
    assert response.status_code == 302
    ch = CentralHousehold.objects.get(member=member, household=household)
    assert client.get(reverse("party:centralhousehold_detail", args=[ch.pk])).status_code == 200
