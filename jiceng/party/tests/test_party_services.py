"""The Party organisation: hierarchy, size and committee rules, terms, member dates, seats (党章, 中国共产党支部工作条例（试行）, 发展党员工作细则)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jiceng.audit.models import AuditLog
from jiceng.core.dates import add_years
from jiceng.core.errors import OutOfScope
from jiceng.core.tests.helpers import area, new_user, writes_nothing, years_ago
from jiceng.party.choices import MemberStatus, OrgType
from jiceng.party.models import CentralHousehold, CommitteeSeat, PartyGroup, PartyMember, PartyOrg
from jiceng.party.selectors import current_secretary, term_alerts
from jiceng.party.services import (
    central_household_create,
    default_term_years,
    group_create,
    group_update,
    member_create,
    member_update,
    org_warnings,
    party_org_create,
    party_org_update,
    seat_create,
    seat_update,
)
from jiceng.territory.models import Area, Building, Household

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


def _street_org(name="龙蟠街道"):
    return PartyOrg.objects.get(org_type=OrgType.STREET_WORKING_COMMITTEE, area=area(name))


def _community_org(name="文昌花园社区"):
    return PartyOrg.objects.get(
        area=area(name), org_type__in=[OrgType.COMMUNITY_COMMITTEE, OrgType.COMMUNITY_GENERAL_BRANCH]
    )


def _quarter(code="341103003012Q01"):
    from jiceng.territory.models import Area

    return Area.objects.get(code=code)


def _branch(code="341103003012Q01"):
    return PartyOrg.objects.get(area=_quarter(code), org_type=OrgType.BRANCH)


def _new_branch(actor, **extra):
    data = {"name": "测试党支部", "org_type": OrgType.BRANCH, "parent": _community_org(), "area": _quarter(), **extra}
    return party_org_create(actor=actor, **data)


def _member(actor, org, *, full=True, name="测试党员", years=3, **extra):
    join = years_ago(years)
    data = {
        "name": name,
        "org": org,
        "join_date": join,
        "apply_date": join - dt.timedelta(days=800),
        "activist_date": join - dt.timedelta(days=500),
        "candidate_date": join - dt.timedelta(days=100),
        "full_date": add_years(join, 1) if full else None,
        **extra,
    }
    return member_create(actor=actor, **data).obj


# --- hierarchy ------------------------------------------------------------------------------


def test_branch_under_a_community_committee(personas):
    result = _new_branch(personas.wenchang_worker)
    org = result.obj
    assert org.scope_path == _quarter().path
    assert org.term_years == 5
    assert result.warnings == ["该党支部正式党员仅 0 名（少于 3 名），应考虑组建联合党支部。"]


def test_branch_only_under_community_committee_or_general_branch(personas):
    with pytest.raises(ValidationError) as exc, writes_nothing():
        _new_branch(personas.longpan_admin, parent=_street_org())
    assert _errors(exc) == {"parent": ["党支部只能设在社区党委、社区党总支之下。"]}
    with pytest.raises(ValidationError) as exc:
        _new_branch(personas.longpan_admin, parent=_branch())
    assert _errors(exc) == {"parent": ["党支部只能设在社区党委、社区党总支之下。"]}
    with pytest.raises(ValidationError) as exc:
        _new_branch(personas.longpan_admin, parent=None)
    assert _errors(exc) == {"parent": ["党支部只能设在社区党委、社区党总支之下。"]}
    # under a 社区党总支 is fine (陡岗? pick any general branch)
    general = PartyOrg.objects.filter(
        org_type=OrgType.COMMUNITY_GENERAL_BRANCH, scope_path__startswith=area("龙蟠街道").path
    )
    general = general.first()
    quarter = _quarter(general.area.code + "Q01")
    assert (
        party_org_create(
            actor=personas.longpan_admin, name="总支下支部", org_type=OrgType.JOINT_BRANCH, parent=general, area=quarter
        ).obj.parent
        == general
    )


def test_community_committee_only_under_a_street_working_committee(personas):
    data = {"name": "社区党委", "org_type": OrgType.COMMUNITY_COMMITTEE, "area": area("文昌花园社区")}
    with pytest.raises(ValidationError) as exc, writes_nothing():
        party_org_create(actor=personas.longpan_admin, parent=_community_org(), **data)
    assert _errors(exc) == {"parent": ["社区党委只能设在街道党工委之下。"]}
    with pytest.raises(ValidationError) as exc:
        party_org_create(actor=personas.longpan_admin, parent=None, **data)
    assert _errors(exc) == {"parent": ["社区党委只能设在街道党工委之下。"]}
    org = party_org_create(actor=personas.longpan_admin, parent=_street_org(), **data).obj
    assert org.term_years == 5


def test_street_working_committee_has_no_party_parent(personas):
    with pytest.raises(ValidationError) as exc:
        party_org_create(
            actor=personas.qu_admin, name="x", org_type=OrgType.STREET_WORKING_COMMITTEE, parent=_street_org("银花街道"),
            area=area("龙蟠街道"),
        )  # fmt: skip
    assert _errors(exc)["parent"] == ["街道党工委不设上级党组织（直属区委）。"]


def test_org_must_sit_on_the_right_territory_level_inside_its_parent(personas):
    with pytest.raises(ValidationError) as exc:
        _new_branch(personas.longpan_admin, area=area("龙蟠街道"))
    assert _errors(exc) == {"area": ["党支部不能设在“街道”这一层级。"]}
    with pytest.raises(ValidationError) as exc:
        _new_branch(
            personas.longpan_admin, area=_quarter("341103003009Q01")
        )  # a 陡岗 quarter under 文昌花园's committee
    assert _errors(exc) == {"area": ["党组织所在辖区必须在上级党组织的辖区之内。"]}


def test_joint_branch_covers_at_most_five_units(personas):
    with pytest.raises(ValidationError) as exc:
        _new_branch(personas.longpan_admin, org_type=OrgType.JOINT_BRANCH, joint_units=6)
    assert _errors(exc) == {"joint_units": ["联合党支部覆盖的单位一般不超过 5 个。"]}
    result = _new_branch(personas.longpan_admin, org_type=OrgType.JOINT_BRANCH, joint_units=5)
    assert result.warnings == []  # the <3 warning is for ordinary branches; a joint branch is the remedy


def test_party_group_only_inside_a_branch(personas):
    buildings = list(Building.objects.filter(quarter=_quarter())[:2])
    with pytest.raises(ValidationError) as exc, writes_nothing():
        group_create(actor=personas.wenchang_worker, branch=_community_org(), name="党小组", buildings=buildings)
    assert _errors(exc) == {"branch": ["党小组只能设在党支部之内。"]}
    group = group_create(actor=personas.wenchang_worker, branch=_branch(), name="测试党小组", buildings=buildings).obj
    assert set(group.buildings.all()) == set(buildings)
    assert group.scope_path == _branch().scope_path
    log = AuditLog.objects.get(action="create", object_type="party.PartyGroup", object_id=str(group.pk))
    assert log.detail["changes"]["buildings"]["after"] == [b.pk for b in buildings]


def test_party_group_buildings_in_the_branch_community_and_leader_from_the_branch(personas):
    foreign = Building.objects.filter(grid__code__startswith="341103003009").first()
    # The street sees both communities: the domain rule answers.
    with pytest.raises(ValidationError) as exc:
        group_create(actor=personas.longpan_admin, branch=_branch(), name="x", buildings=[foreign])
    assert _errors(exc) == {"buildings": [f"楼栋“{foreign.name}”不在该党支部所在社区内。"]}
    # The community worker does not even see that building: out of scope, its name is not echoed.
    with pytest.raises(OutOfScope):
        group_create(actor=personas.wenchang_worker, branch=_branch(), name="x", buildings=[foreign])
    outsider = PartyMember.objects.filter(org=_community_org()).first()
    with pytest.raises(ValidationError) as exc:
        group_create(actor=personas.wenchang_worker, branch=_branch(), name="x", leader=outsider)
    assert _errors(exc) == {"leader": ["党小组长须是本支部党员。"]}
    group = PartyGroup.objects.filter(branch=_branch()).first()
    insider = PartyMember.objects.filter(org=_branch()).last()
    assert group_update(actor=personas.wenchang_worker, group=group, leader=insider).obj.leader == insider


# --- size and committee warnings --------------------------------------------------------------


def test_small_branch_warning_counts_full_members_only(personas):
    actor = personas.wenchang_worker
    org = _new_branch(actor).obj
    _member(actor, org, name="甲")
    _member(actor, org, name="乙")
    _member(actor, org, name="丙", full=False, years=0)
    org.refresh_from_db()
    assert (org.member_count, org.full_member_count) == (3, 2)
    assert org_warnings(org) == ["该党支部正式党员仅 2 名（少于 3 名），应考虑组建联合党支部。"]
    _member(actor, org, name="丁")
    org.refresh_from_db()
    assert org_warnings(org) == []


def test_branch_over_50_members_is_warned_not_blocked(personas):
    actor = personas.wenchang_worker
    org = _new_branch(actor).obj
    for i in range(51):
        _member(actor, org, name=f"党员{i}")
    org.refresh_from_db()
    assert org.member_count == 51
    warnings = org_warnings(org)
    assert "该党支部党员 51 名，超过 50 名，可考虑设立党总支。" in warnings
    # ≥7 正式党员 without a committee
    assert "正式党员 51 名（≥7），应设立支部委员会（3-7 人，一般 3-5 人），当前 0 人。" in warnings


def test_general_branch_over_100_members_warning():
    org = PartyOrg(org_type=OrgType.COMMUNITY_GENERAL_BRANCH, member_count=101, full_member_count=101)
    assert org_warnings(org) == ["该党总支党员 101 名，超过 100 名，可考虑设立党委。"]


def test_committee_rules_at_seven_full_members(personas):
    actor = personas.wenchang_worker
    org = _new_branch(actor).obj
    members = [_member(actor, org, name=f"党员{i}") for i in range(7)]
    result = seat_create(
        actor=actor, org=org, member=members[0], role="secretary", start=TODAY, channel="elected",
        has_ability=True, has_passion=True, has_public_spirit=True,
    )  # fmt: skip
    assert result.obj.meets_sanyou
    assert result.warnings == ["正式党员 7 名（≥7），应设立支部委员会（3-7 人，一般 3-5 人），当前 1 人。"]
    seat_create(actor=actor, org=org, member=members[1], role="organisation", start=TODAY)
    result = seat_create(actor=actor, org=org, member=members[2], role="propaganda", start=TODAY)
    assert result.warnings == []  # 3 seats: a committee


def test_below_seven_full_members_only_a_secretary(personas):
    actor = personas.wenchang_worker
    org = _new_branch(actor).obj
    members = [_member(actor, org, name=f"党员{i}") for i in range(4)]
    seat_create(actor=actor, org=org, member=members[0], role="secretary", start=TODAY, channel="worker")
    assert seat_create(actor=actor, org=org, member=members[1], role="deputy", start=TODAY).warnings == []
    result = seat_create(actor=actor, org=org, member=members[2], role="discipline", start=TODAY)
    assert result.warnings == ["正式党员不足 7 名的党支部不设支部委员会，只设书记（可设 1 名副书记）。"]


# --- terms ----------------------------------------------------------------------------------


def test_term_end_is_computed(personas):
    actor = personas.longpan_admin
    branch = _new_branch(actor, term_start=dt.date(2024, 2, 29)).obj
    assert branch.term_years == 5
    assert branch.term_end == dt.date(2029, 2, 28)
    committee = party_org_create(
        actor=actor, name="社区党委", org_type=OrgType.COMMUNITY_COMMITTEE, parent=_street_org(),
        area=area("陡岗社区"), term_start=dt.date(2023, 6, 1),
    ).obj  # fmt: skip
    assert committee.term_end == dt.date(2028, 6, 1)
    street = party_org_create(
        actor=personas.qu_admin, name="街道党工委", org_type=OrgType.STREET_WORKING_COMMITTEE, area=area("同乐街道"),
        term_start=dt.date(2023, 6, 1),
    ).obj  # fmt: skip
    assert street.term_years == 3 and street.term_end == dt.date(2026, 6, 1)
    assert default_term_years(OrgType.STREET_WORKING_COMMITTEE, "street") == 3
    assert default_term_years(OrgType.BRANCH, "quarter") == 5
    assert default_term_years(OrgType.COMMUNITY_GENERAL_BRANCH, "community") == 5
    updated = party_org_update(actor=actor, org=branch, term_start=dt.date(2025, 1, 10)).obj
    assert updated.term_end == dt.date(2030, 1, 10)
    assert party_org_update(actor=actor, org=branch, term_start=None).obj.term_end is None


def test_term_years_between_three_and_five(personas):
    with pytest.raises(ValidationError) as exc:
        _new_branch(personas.longpan_admin, term_start=TODAY, term_years=6)
    assert _errors(exc) == {"term_years": ["党组织委员会每届任期为 3-5 年（党章第三十条）。"]}


def test_term_warnings_and_alerts(personas):
    actor = personas.wenchang_worker
    soon = _new_branch(actor, name="将届满支部", term_start=add_years(TODAY, -5) + dt.timedelta(days=30)).obj
    overdue = _new_branch(actor, name="已届满支部", term_start=add_years(TODAY, -5) - dt.timedelta(days=1)).obj
    fresh = _new_branch(actor, name="新一届支部", term_start=TODAY).obj
    assert f"本届任期将于 {soon.term_end:%Y年%m月%d日} 届满（90 天内），请做好换届准备。" in org_warnings(soon)
    assert f"本届任期已于 {overdue.term_end:%Y年%m月%d日} 届满，应按期换届或报上级批准延期。" in org_warnings(overdue)
    assert not any("届满" in w for w in org_warnings(fresh))

    alerts = list(term_alerts(actor))
    assert soon in alerts and overdue in alerts and fresh not in alerts
    assert all(o.scope_path.startswith(area("文昌花园社区").path) for o in alerts)
    assert alerts == sorted(alerts, key=lambda o: o.term_end)
    # the sibling community's worker sees none of them
    assert not {soon, overdue} & set(term_alerts(personas.dougang_worker))
    # boundary of the 90-day window, with an explicit "today"
    assert soon in term_alerts(actor, today=soon.term_end - dt.timedelta(days=90))
    assert soon not in term_alerts(actor, today=soon.term_end - dt.timedelta(days=91))


def test_extension_needs_approval_and_at_most_one_year(personas):
    actor = personas.wenchang_worker
    org = _new_branch(actor, term_start=add_years(TODAY, -5) - dt.timedelta(days=10)).obj
    with pytest.raises(ValidationError) as exc, writes_nothing():
        party_org_update(actor=actor, org=org, term_extended_until=org.term_end + dt.timedelta(days=100))
    assert _errors(exc) == {"term_extension_approval": ["延期换届须记录上级党组织的批复。"]}
    with pytest.raises(ValidationError) as exc:
        party_org_update(
            actor=actor, org=org, term_extended_until=add_years(org.term_end, 1) + dt.timedelta(days=1),
            term_extension_approval="龙组〔2025〕3号",
        )  # fmt: skip
    assert _errors(exc) == {"term_extended_until": ["延期换届一般不超过 1 年。"]}
    with pytest.raises(ValidationError) as exc:
        party_org_update(
            actor=actor, org=org, term_extended_until=org.term_end, term_extension_approval="龙组〔2025〕3号"
        )
    assert _errors(exc) == {"term_extended_until": [f"延期日期应晚于本届届满日期 {org.term_end:%Y-%m-%d}。"]}
    until = add_years(org.term_end, 1)
    result = party_org_update(
        actor=actor, org=org, term_extended_until=until, term_extension_approval="龙组〔2025〕3号"
    )
    assert result.obj.effective_term_end == until
    assert not any("届满" in w for w in result.warnings)
    assert org not in term_alerts(actor)  # the approved extension is the new end, more than 90 days away
    assert org in term_alerts(actor, today=until - dt.timedelta(days=10))


# --- members --------------------------------------------------------------------------------


def test_member_dates_and_derivation(personas):
    actor = personas.wenchang_worker
    join = dt.date(2021, 7, 1)
    result = member_create(
        actor=actor, name="王五", org=_branch(), apply_date=dt.date(2019, 3, 1), activist_date=dt.date(2019, 9, 1),
        candidate_date=dt.date(2020, 9, 1), join_date=join, full_date=dt.date(2022, 7, 1),
    )  # fmt: skip
    m = result.obj
    assert result.warnings == []
    assert m.probation_end == dt.date(2022, 7, 1)
    assert m.status == MemberStatus.FULL
    assert m.scope_path == _branch().scope_path
    expected_years = TODAY.year - 2022 - ((TODAY.month, TODAY.day) < (7, 1))
    assert m.party_standing_years == expected_years  # 党龄 from 转正, not from 入党


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        ({"apply_date": dt.date(2020, 1, 2), "activist_date": dt.date(2020, 1, 1)}, "activist_date",
         "确定为积极分子日期不能早于提交入党申请书日期。"),
        ({"activist_date": dt.date(2020, 6, 1), "candidate_date": dt.date(2020, 5, 1)}, "candidate_date",
         "确定为发展对象日期不能早于确定为积极分子日期。"),
        ({"candidate_date": dt.date(2021, 8, 1)}, "join_date", "入党日期不能早于确定为发展对象日期。"),
        ({"apply_date": dt.date(2021, 8, 1)}, "join_date", "入党日期不能早于提交入党申请书日期。"),
    ],
)  # fmt: skip
def test_member_date_order(personas, dates, field, message):
    with pytest.raises(ValidationError) as exc, writes_nothing():
        member_create(actor=personas.wenchang_worker, name="x", org=_branch(), join_date=dt.date(2021, 7, 1), **dates)
    assert _errors(exc) == {field: [message]}


def test_member_future_dates_and_missing_join_date(personas):
    actor = personas.wenchang_worker
    with pytest.raises(ValidationError) as exc:
        member_create(actor=actor, name="x", org=_branch(), join_date=TODAY + dt.timedelta(days=1))
    assert _errors(exc) == {"join_date": ["入党日期不能晚于今天。"]}
    with pytest.raises(ValidationError) as exc:
        member_create(actor=actor, name="x", org=_branch(), join_date=None)
    assert _errors(exc) == {"join_date": ["请填写入党日期（支部大会接收为预备党员之日）。"]}


def test_probation_end_and_full_date(personas):
    actor = personas.wenchang_worker
    with pytest.raises(ValidationError) as exc:
        member_create(
            actor=actor, name="x", org=_branch(), join_date=dt.date(2022, 3, 1), full_date=dt.date(2023, 2, 28)
        )
    assert _errors(exc) == {"full_date": ["转正日期不能早于预备期满日期 2023-03-01。"]}
    late = member_create(
        actor=actor, name="迟", org=_branch(), join_date=dt.date(2022, 3, 1), full_date=dt.date(2023, 4, 1)
    )
    assert late.warnings == ["转正日期一般为预备期满之日（2023-03-01），党龄自该日起算，请核实。"]
    leap = member_create(
        actor=actor, name="闰", org=_branch(), join_date=dt.date(2020, 2, 29), full_date=dt.date(2021, 2, 28)
    )
    assert leap.obj.probation_end == dt.date(2021, 2, 28)


def test_probation_extension_once_up_to_twelve_months(personas):
    actor = personas.wenchang_worker
    base = {"name": "x", "org": _branch(), "join_date": dt.date(2023, 8, 31)}
    m = member_create(actor=actor, probation_extended=True, probation_extension_months=6, **base).obj
    assert m.probation_end == dt.date(2025, 2, 28)
    assert m.status == MemberStatus.PROBATIONARY
    m12 = member_create(actor=actor, probation_extended=True, probation_extension_months=12, **base).obj
    assert m12.probation_end == dt.date(2025, 8, 31)
    for months in (0, 13):
        with pytest.raises(ValidationError) as exc:
            member_create(actor=actor, probation_extended=True, probation_extension_months=months, **base)
        assert _errors(exc) == {"probation_extension_months": ["预备期只能延长一次，且不超过 1 年（1-12 个月）。"]}
    # months without the flag are ignored
    plain = member_create(actor=actor, probation_extension_months=5, **base).obj
    assert plain.probation_extension_months == 0 and plain.probation_end == dt.date(2024, 8, 31)


def test_status_follows_full_date(personas):
    actor = personas.wenchang_worker
    join = years_ago(2)
    m = member_create(actor=actor, name="预备", org=_branch(), join_date=join).obj
    assert m.status == MemberStatus.PROBATIONARY and m.party_standing_years is None
    m = member_update(actor=actor, member=m, full_date=add_years(join, 1)).obj
    assert m.status == MemberStatus.FULL and m.party_standing_years == 1
    m = member_update(actor=actor, member=m, full_date=None).obj
    assert m.status == MemberStatus.PROBATIONARY


def test_overdue_probation_warning(personas):
    join = years_ago(2)
    result = member_create(actor=personas.wenchang_worker, name="x", org=_branch(), join_date=join)
    assert result.warnings == [f"预备期已于 {add_years(join, 1):%Y-%m-%d} 期满，应及时讨论转正。"]


def test_in_service_and_floating_members(personas):
    actor = personas.wenchang_worker
    wenchang = area("文昌花园社区")
    join = years_ago(5)
    with pytest.raises(ValidationError) as exc:
        member_create(actor=actor, name="x", join_date=join, is_in_service=True, report_community=wenchang)
    assert _errors(exc) == {"employer": ["在职党员须填写工作单位。"]}
    with pytest.raises(ValidationError) as exc:
        member_create(actor=actor, name="x", join_date=join, org=_branch(), report_community=wenchang)
    assert _errors(exc) == {"report_community": ["只有在职党员才能登记报到社区。"]}
    with pytest.raises(ValidationError) as exc:
        member_create(actor=actor, name="x", join_date=join, org=_branch(), is_floating=True)
    assert _errors(exc) == {"floating_destination": ["流动党员须填写流出去向。"]}
    with pytest.raises(ValidationError) as exc:
        member_create(actor=actor, name="x", join_date=join)
    assert _errors(exc) == {"org": ["请选择组织关系所在党组织（在职党员可填写单位党组织）。"]}
    m = member_create(
        actor=actor, name="在职", join_date=join, full_date=add_years(join, 1), is_in_service=True,
        employer="滁州市某局", report_community=wenchang,
    ).obj  # fmt: skip
    assert m.scope_path == wenchang.path and m.org is None
    with pytest.raises(OutOfScope), writes_nothing():
        member_create(
            actor=actor,
            name="在职",
            join_date=join,
            is_in_service=True,
            employer="某局",
            report_community=area("陡岗社区"),
        )


# --- seats ----------------------------------------------------------------------------------


def test_probationary_member_cannot_hold_a_seat(personas):
    actor = personas.wenchang_worker
    org = _new_branch(actor).obj
    probationer = _member(actor, org, full=False, years=0)
    for role in ("secretary", "organisation", "member"):
        with pytest.raises(ValidationError) as exc, writes_nothing():
            seat_create(
                actor=actor,
                org=org,
                member=probationer,
                role=role,
                start=TODAY,
                channel="elected" if role == "secretary" else "",
            )
        assert _errors(exc) == {"member": ["预备党员没有被选举权，书记和委员必须是正式党员。"]}


def test_seated_member_cannot_become_probationary(personas):
    actor = personas.wenchang_worker
    seat = CommitteeSeat.objects.filter(org__scope_path__startswith=area("文昌花园社区").path, end__isnull=True).first()
    with pytest.raises(ValidationError) as exc, writes_nothing():
        member_update(actor=actor, member=seat.member, full_date=None)
    assert _errors(exc) == {"full_date": ["该党员担任书记或委员，必须是正式党员。"]}


def test_quarter_branch_secretary_needs_a_channel(personas):
    actor = personas.wenchang_worker
    org = _new_branch(actor).obj
    m = _member(actor, org)
    with pytest.raises(ValidationError) as exc:
        seat_create(actor=actor, org=org, member=m, role="secretary", start=TODAY)
    assert _errors(exc) == {"channel": ["小区(网格)党支部书记须记录选任渠道。"]}
    seat = seat_create(actor=actor, org=org, member=m, role="secretary", start=TODAY, channel="retired").obj
    assert seat.get_channel_display() == "退休老干部派驻"
    assert seat.meets_sanyou is False
    # a community committee's secretary records no channel
    cm = PartyMember.objects.filter(org=_community_org(), status="full").first()
    with pytest.raises(ValidationError) as exc:
        seat_create(actor=actor, org=_community_org(), member=cm, role="deputy", start=TODAY, channel="worker")
    assert _errors(exc) == {"channel": ["只有小区(网格)党支部书记记录选任渠道。"]}


def test_only_one_active_secretary_per_org(personas):
    actor = personas.wenchang_worker
    org = _branch()
    current = current_secretary(org)
    other = PartyMember.objects.filter(org=org, status="full").exclude(pk=current.member_id).first()
    with pytest.raises(ValidationError) as exc, writes_nothing():
        seat_create(actor=actor, org=org, member=other, role="secretary", start=TODAY, channel="elected")
    assert _errors(exc) == {"role": ["该党组织已有在任书记，请先为现任书记填写离任日期。"]}
    seat_update(actor=actor, seat=current, end=TODAY)
    new = seat_create(actor=actor, org=org, member=other, role="secretary", start=TODAY, channel="elected").obj
    assert current_secretary(org) == new
    # re-opening the old seat would make two secretaries
    with pytest.raises(ValidationError) as exc:
        seat_update(actor=actor, seat=current, end=None)
    assert _errors(exc) == {"role": ["该党组织已有在任书记，请先为现任书记填写离任日期。"]}


def test_seat_end_after_start_and_part_time_only_in_big_committee(personas):
    actor = personas.wenchang_worker
    seat = CommitteeSeat.objects.filter(org=_branch(), role="secretary", end__isnull=True).get()
    with pytest.raises(ValidationError) as exc:
        seat_update(actor=actor, seat=seat, end=seat.start - dt.timedelta(days=1))
    assert _errors(exc) == {"end": ["离任日期不能早于任职日期。"]}
    m = PartyMember.objects.filter(org=_branch(), status="full").last()
    with pytest.raises(ValidationError) as exc:
        seat_create(actor=actor, org=_branch(), member=m, role="part_time", start=TODAY)
    assert _errors(exc) == {"role": ["兼职委员只设在大党委（大工委）。"]}
    assert seat_create(actor=actor, org=_community_org(), member=m, role="part_time", start=TODAY).obj.pk


def test_seat_member_must_be_in_scope(personas):
    stranger = PartyMember.objects.filter(scope_path__startswith=area("陡岗社区").path, status="full").first()
    org = _new_branch(personas.wenchang_worker).obj
    with pytest.raises(OutOfScope) as exc, writes_nothing():
        seat_create(actor=personas.wenchang_worker, org=org, member=stranger, role="organisation", start=TODAY)
    assert str(exc.value) == "所选党员不在您的管辖范围内。"


# --- central households ---------------------------------------------------------------------


def test_central_household(personas):
    actor = personas.wenchang_worker
    member = PartyMember.objects.filter(
        org=_branch(), resident__isnull=False, central_household__isnull=True, status="full"
    ).first()
    home = member.resident.household
    neighbours = list(Household.objects.filter(building__grid=home.building.grid).exclude(pk=home.pk)[:3])
    group = PartyGroup.objects.filter(branch=_branch()).first()
    ch = central_household_create(
        actor=actor, member=member, household=home, group=group, linked_households=neighbours, designated_at=TODAY
    ).obj
    assert ch.scope_path == home.scope_path
    assert set(ch.linked_households.all()) == set(neighbours)
    other_home = neighbours[0]
    other = (
        PartyMember.objects.filter(org=_branch(), resident__isnull=False, central_household__isnull=True)
        .exclude(resident__household=other_home)
        .exclude(pk=member.pk)
        .first()
    )
    with pytest.raises(ValidationError) as exc, writes_nothing():
        central_household_create(actor=actor, member=other, household=other_home)
    assert _errors(exc) == {"household": ["党员中心户须为该党员本人所在的户。"]}
    far = Household.objects.filter(scope_path__startswith=area("陡岗社区").path).first()
    with pytest.raises(ValidationError) as exc:
        central_household_create(
            actor=personas.longpan_admin, member=other, household=other.resident.household, linked_households=[far]
        )
    assert _errors(exc) == {"linked_households": [f"联系户“{far}”不在同一社区。"]}


def test_central_household_in_a_foreign_community_is_refused(personas):
    member = CentralHousehold.objects.filter(scope_path__startswith=area("陡岗社区").path).first().member
    with pytest.raises(OutOfScope), writes_nothing():
        central_household_create(actor=personas.wenchang_worker, member=member, household=member.resident.household)


# --- quarter secretaries and scope ----------------------------------------------------------


def test_quarter_secretary_works_inside_the_quarter_only(personas):
    q1, q2 = _quarter("341103003012Q01"), _quarter("341103003012Q02")
    secretary = new_user("q1_secretary", "quarter_secretary", q1)
    m = _member(secretary, _branch(q1.code), name="新党员")
    assert m.org == _branch(q1.code)
    with pytest.raises(OutOfScope), writes_nothing():
        _member(secretary, _branch(q2.code), name="越权")
    with pytest.raises(OutOfScope), writes_nothing():
        party_org_update(actor=secretary, org=_branch(q2.code), name="越权")


def test_quarter_secretary_designates_central_households_in_the_quarters_buildings_only(personas):
    """A quarter's households are stored at their grids' paths; the quarter's grant reaches them (as it
    reads them, through ``scope_quarter_lookup``), and no household of another quarter."""
    q1, q2 = _quarter("341103003012Q01"), _quarter("341103003012Q02")
    secretary = new_user("q1_ch_secretary", "quarter_secretary", q1)
    member = _member(secretary, _branch(q1.code), name="中心户党员")
    own = Household.objects.filter(building__quarter=q1).order_by("pk").first()
    other = Household.objects.filter(building__quarter=q2).order_by("pk").first()
    assert not own.scope_path.startswith(q1.path)  # the case: a grid path, not under the quarter's
    ch = central_household_create(actor=secretary, member=member, household=own).obj
    assert ch.household == own and CentralHousehold.objects.restrict(secretary).filter(pk=ch.pk).exists()
    with pytest.raises(OutOfScope), writes_nothing():
        central_household_create(actor=secretary, member=member, household=other)
    # A grid worker of a sibling grid is still refused the quarter's household.
    sibling_grid = Area.objects.filter(kind="grid").exclude(pk=own.building.grid_id).order_by("path").first()
    sibling = new_user("sibling_grid_ch", "grid_worker", sibling_grid)
    with pytest.raises(OutOfScope), writes_nothing():
        central_household_create(actor=sibling, member=member, household=own)


def test_sibling_admin_cannot_write_party_data(personas):
    yinhua_branch = PartyOrg.objects.filter(
        org_type=OrgType.BRANCH, scope_path__startswith=area("银花街道").path
    ).first()
    name = yinhua_branch.name
    actor = personas.longpan_admin
    with pytest.raises(OutOfScope), writes_nothing():
        party_org_update(actor=actor, org=yinhua_branch, name="越权")
    with pytest.raises(OutOfScope), writes_nothing():
        party_org_create(
            actor=actor, name="x", org_type=OrgType.BRANCH, parent=yinhua_branch.parent, area=yinhua_branch.area
        )
    with pytest.raises(OutOfScope), writes_nothing():
        _member(actor, yinhua_branch)
    member = PartyMember.objects.filter(org=yinhua_branch).first()
    with pytest.raises(OutOfScope), writes_nothing():
        member_update(actor=actor, member=member, name="越权")
    # moving one's own member into the sibling's branch is refused too
    own = PartyMember.objects.filter(org=_branch()).first()
    with pytest.raises(OutOfScope), writes_nothing():
        member_update(actor=actor, member=own, org=yinhua_branch)
    seat = CommitteeSeat.objects.filter(org=yinhua_branch).first()
    with pytest.raises(OutOfScope), writes_nothing():
        seat_update(actor=actor, seat=seat, end=TODAY)
    with pytest.raises(OutOfScope), writes_nothing():
        seat_create(actor=actor, org=yinhua_branch, member=member, role="member", start=TODAY)
    group = PartyGroup.objects.filter(branch=yinhua_branch).first()
    with pytest.raises(OutOfScope), writes_nothing():
        group_update(actor=actor, group=group, name="越权")
    with pytest.raises(OutOfScope), writes_nothing():
        group_create(actor=actor, branch=yinhua_branch, name="越权")
    for obj in (yinhua_branch, member, seat, group):
        before = type(obj).objects.get(pk=obj.pk)
        assert str(before) == str(obj)
    assert PartyOrg.objects.get(pk=yinhua_branch.pk).name == name
    own.refresh_from_db()
    assert own.org == _branch()


def test_quarter_branch_secretary_sanyou_warning(personas):
    actor = personas.wenchang_worker
    org = _new_branch(actor).obj
    members = [_member(actor, org, name=f"党员{i}") for i in range(3)]
    result = seat_create(
        actor=actor, org=org, member=members[0], role="secretary", start=TODAY, channel="worker", has_ability=True
    )
    assert result.warnings == ["小区(网格)党支部书记应符合“三有”标准（有能力、有热情、有公心），当前评价未全部达标。"]
    result = seat_update(
        actor=actor, seat=result.obj, has_passion=True, has_public_spirit=True, assessment_note="考察合格"
    )
    assert result.warnings == [] and result.obj.meets_sanyou


def test_a_quarter_is_passed_only_for_models_whose_reads_follow_quarters(personas):
    from jiceng.core.services import require_scope

    with pytest.raises(TypeError):
        require_scope(personas.longpan_admin, PartyMember, "add", "0001", quarter_id=1)
