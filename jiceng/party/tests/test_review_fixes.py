"""Security review fixes in the Party organisation services.

H1  moving an organisation carries its members, seats and 党小组 to the new node (or is refused).
M1  absurd dates and numbers answer 400 with a Chinese message through the real forms, never 500.
M2  concurrent member creation does not lose a member count (PostgreSQL: real row locks).
L5  every object a service links to must be within the actor's view scope.
"""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

from jiceng.audit.models import AuditLog
from jiceng.core.dates import add_years
from jiceng.core.errors import OutOfScope
from jiceng.core.tests.helpers import area, row_counts, writes_nothing, years_ago
from jiceng.party import services as svc
from jiceng.party.choices import OrgType
from jiceng.party.models import CentralHousehold, CommitteeSeat, PartyGroup, PartyMember, PartyOrg
from jiceng.party.services import (
    central_household_create,
    group_create,
    group_update,
    member_create,
    member_update,
    party_org_create,
    party_org_update,
    seat_create,
)
from jiceng.people.models import Resident
from jiceng.territory.models import Area, Building, Household

pytestmark = pytest.mark.django_db

WENCHANG_Q1, WENCHANG_Q2, DOUGANG_Q1 = "341103003012Q01", "341103003012Q02", "341103003009Q01"


def _committee(name):
    return PartyOrg.objects.get(area=area(name), org_type__in=[OrgType.COMMUNITY_COMMITTEE, "community_general_branch"])


def _branch(code=WENCHANG_Q1):
    return PartyOrg.objects.get(area__code=code, org_type=OrgType.BRANCH)


def _member_data(org, name, **extra):
    join = years_ago(3)
    return {"name": name, "org": org, "join_date": join, "full_date": add_years(join, 1), **extra}


def _seen(user, org):
    """What ``user`` sees of the organisation's members, seats and groups (counts)."""
    return (
        PartyMember.objects.restrict(user).filter(org=org).count(),
        CommitteeSeat.objects.restrict(user).filter(org=org).count(),
        PartyGroup.objects.restrict(user).filter(branch=org).count(),
    )


# --- H1: moving an organisation ---------------------------------------------------------------


def test_moving_a_branch_without_groups_takes_members_and_seats_along(personas):
    actor = personas.longpan_admin
    branch = party_org_create(
        actor=actor, name="迁移测试党支部", org_type=OrgType.BRANCH, parent=_committee("文昌花园社区"),
        area=Area.objects.get(code=WENCHANG_Q1), term_start=years_ago(1),
    ).obj  # fmt: skip
    members = [member_create(actor=actor, **_member_data(branch, f"迁移党员{i}")).obj for i in range(3)]
    seat_create(actor=actor, org=branch, member=members[0], role="secretary", start=years_ago(1), channel="elected")
    assert _seen(personas.wenchang_worker, branch) == (3, 1, 0)
    assert _seen(personas.dougang_worker, branch) == (0, 0, 0)

    dougang_q1 = Area.objects.get(code=DOUGANG_Q1)
    party_org_update(actor=actor, org=branch, parent=_committee("陡岗社区"), area=dougang_q1)

    assert _seen(personas.wenchang_worker, branch) == (0, 0, 0)
    assert _seen(personas.dougang_worker, branch) == (3, 1, 0)
    assert not PartyOrg.objects.restrict(personas.wenchang_worker).filter(pk=branch.pk).exists()
    assert set(PartyMember.objects.filter(org=branch).values_list("scope_path", flat=True)) == {dougang_q1.path}
    log = AuditLog.objects.filter(action="update", object_type="party.PartyOrg", object_id=str(branch.pk)).get()
    assert log.detail["moved"]["to"] == dougang_q1.path and log.detail["moved"]["members"] == 3


def test_moving_a_branch_whose_groups_cover_old_community_buildings_is_refused(personas):
    branch = _branch()
    assert branch.groups.exists() and branch.members.exists()
    paths_before = sorted(PartyMember.objects.filter(org=branch).values_list("scope_path", flat=True))
    with pytest.raises(ValidationError) as exc, writes_nothing():
        party_org_update(
            actor=personas.longpan_admin, org=branch, parent=_committee("陡岗社区"),
            area=Area.objects.get(code=DOUGANG_Q1),
        )  # fmt: skip
    message = exc.value.message_dict["area"][0]
    assert "党小组" in message and "不能随党支部迁移" in message
    branch.refresh_from_db()
    assert branch.area.code == WENCHANG_Q1
    assert sorted(PartyMember.objects.filter(org=branch).values_list("scope_path", flat=True)) == paths_before
    assert _seen(personas.dougang_worker, branch) == (0, 0, 0)


def test_moving_within_the_community_takes_the_groups_along(personas):
    branch = _branch(WENCHANG_Q1)
    q2 = Area.objects.get(code=WENCHANG_Q2)
    counts = (branch.members.count(), branch.seats.count(), branch.groups.count())
    party_org_update(actor=personas.wenchang_worker, org=branch, area=q2)
    for model, link in ((PartyMember, "org"), (CommitteeSeat, "org"), (PartyGroup, "branch")):
        assert set(model.objects.filter(**{link: branch}).values_list("scope_path", flat=True)) == {q2.path}
    assert _seen(personas.wenchang_worker, branch) == counts


def test_moving_a_committee_away_from_its_branches_is_refused(personas):
    committee = _committee("文昌花园社区")
    with pytest.raises(ValidationError) as exc, writes_nothing():
        party_org_update(actor=personas.longpan_admin, org=committee, area=area("陡岗社区"))
    assert "下级党组织" in exc.value.message_dict["area"][0]


def test_moving_needs_scope_on_the_new_node(personas):
    with pytest.raises(OutOfScope), writes_nothing():
        party_org_update(
            actor=personas.wenchang_worker, org=_branch(), parent=_committee("陡岗社区"),
            area=Area.objects.get(code=DOUGANG_Q1),
        )  # fmt: skip


def test_moving_a_branch_through_the_edit_form_is_refused_in_chinese(client, login):
    login("longpan_admin")
    branch = _branch()
    data = {
        "name": branch.name, "org_type": branch.org_type, "parent": _committee("陡岗社区").pk,
        "area": Area.objects.get(code=DOUGANG_Q1).pk, "joint_units": branch.joint_units,
        "term_start": branch.term_start.isoformat() if branch.term_start else "", "term_years": branch.term_years,
    }  # fmt: skip
    before = row_counts()
    response = client.post(reverse("party:org_edit", args=[branch.pk]), data)
    assert response.status_code == 400
    assert "不能随党支部迁移" in response.content.decode()
    assert row_counts() == before


# --- M1: absurd dates and numbers are 400s ------------------------------------------------------


def _org_form(org=None, **overrides):
    committee = _committee("文昌花园社区")
    data = {
        "name": "测试支部", "org_type": "branch", "parent": committee.pk,
        "area": Area.objects.get(code=WENCHANG_Q1).pk, "joint_units": "1",
    }  # fmt: skip
    if org is not None:
        data.update({"name": org.name, "parent": org.parent_id, "area": org.area_id})
        if org.term_start:
            data["term_start"] = org.term_start.isoformat()
        data["term_years"] = str(org.term_years)
    return {**data, **overrides}


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"term_start": "9999-12-31", "term_years": "3"}, "本届起始日期不能晚于今天。"),
        ({"term_start": "2024-01-01", "term_years": "30000"}, "党组织委员会每届任期为 3-5 年（党章第三十条）。"),
        ({"term_start": "2024-01-01", "term_years": "1"}, "党组织委员会每届任期为 3-5 年（党章第三十条）。"),
    ],
)
def test_org_create_and_edit_with_absurd_terms_are_400(client, login, overrides, message):
    login("wenchang_worker")
    before = row_counts()
    response = client.post(reverse("party:org_add"), _org_form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    branch = _branch(WENCHANG_Q2)
    response = client.post(reverse("party:org_edit", args=[branch.pk]), _org_form(branch, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert row_counts() == before


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"join_date": "9999-06-01"}, "入党日期不能晚于今天。"),
        ({"join_date": "9999-06-01", "full_date": "9999-12-31"}, "入党日期不能晚于今天。"),
        (
            {"join_date": "2020-01-01", "probation_extended": "on", "probation_extension_months": "99999"},
            "预备期只能延长一次，且不超过 1 年（1-12 个月）。",
        ),
    ],
)
def test_member_create_and_edit_with_absurd_dates_are_400(client, login, overrides, message):
    login("wenchang_worker")
    org = _branch(WENCHANG_Q1)
    before = row_counts()
    response = client.post(reverse("party:member_add"), {"name": "X", "org": org.pk, **overrides})
    assert response.status_code == 400
    assert message in response.content.decode()
    member = PartyMember.objects.filter(org=org, resident__isnull=True).first() or org.members.first()
    response = client.post(
        reverse("party:member_edit", args=[member.pk]), {"name": member.name, "org": org.pk, **overrides}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert row_counts() == before


# --- M2: concurrent member_create ----------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks: two writers cannot race")
def test_concurrent_member_creates_keep_the_member_count(personas):
    """Two members join one branch at the same moment: both are counted.

    Each thread waits for the other at its *first* ``PartyOrg.objects.filter`` call, so without a lock
    both have inserted and counted (each seeing only its own insert) before either writes the count.
    With the fix, that first call is the row lock at the start of ``member_create``: the second thread
    waits there until the first commits, then counts both.
    """
    org = _branch(WENCHANG_Q2)
    start = org.members.count()
    barrier = threading.Barrier(2, timeout=10)
    real = svc.PartyOrg
    local = threading.local()

    class _Objects:
        def __getattr__(self, name):
            return getattr(real.objects, name)

        def filter(self, *args, **kwargs):
            if not getattr(local, "waited", False):
                local.waited = True
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass
            return real.objects.filter(*args, **kwargs)

    class _PartyOrg:
        objects = _Objects()
        DoesNotExist = real.DoesNotExist

    created, errors = [], []

    def worker(i):
        try:
            actor = personas.wenchang_worker
            created.append(
                member_create(actor=actor, **_member_data(real.objects.get(pk=org.pk), f"并发党员{i}")).obj.pk
            )
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(repr(exc))
        finally:
            connections.close_all()

    svc.PartyOrg = _PartyOrg
    try:
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        svc.PartyOrg = real
    try:
        assert errors == []
        box = {}

        def read():
            try:
                fresh = real.objects.get(pk=org.pk)
                box["stored"] = (fresh.member_count, fresh.full_member_count)
                box["actual"] = PartyMember.objects.filter(org_id=org.pk).count()
            finally:
                connections.close_all()

        t = threading.Thread(target=read)
        t.start()
        t.join(30)
        assert box["actual"] == start + 2
        assert box["stored"][0] == box["actual"], f"lost update: stored {box['stored']}, real {box['actual']}"
    finally:

        def cleanup():  # the threads committed: undo by hand
            try:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"DELETE FROM {AuditLog._meta.db_table} WHERE object_type = %s AND object_id = ANY(%s)",
                        ["party.PartyMember", [str(pk) for pk in created]],
                    )
                PartyMember.objects.filter(pk__in=created).delete()
                svc.refresh_org_counts([org.pk])
            finally:
                connections.close_all()

        t = threading.Thread(target=cleanup)
        t.start()
        t.join(30)


# --- L5: linked objects must be within view scope -----------------------------------------------


def _dougang_resident():
    return Resident.objects.filter(scope_path__startswith=area("陡岗社区").path, party_member__isnull=True).first()


def test_group_with_a_foreign_building_is_refused(personas):
    foreign = Building.objects.filter(scope_path__startswith=area("陡岗社区").path).first()
    with pytest.raises(OutOfScope) as exc, writes_nothing():
        group_create(actor=personas.wenchang_worker, branch=_branch(), name="越界党小组", buildings=[foreign])
    assert foreign.name not in str(exc.value)


def test_group_with_a_foreign_leader_is_refused(personas):
    foreign = PartyMember.objects.filter(scope_path__startswith=area("陡岗社区").path).first()
    with pytest.raises(OutOfScope), writes_nothing():
        group_create(actor=personas.wenchang_worker, branch=_branch(), name="越界党小组", leader=foreign)
    group = PartyGroup.objects.filter(branch=_branch()).first()
    with pytest.raises(OutOfScope), writes_nothing():
        group_update(actor=personas.wenchang_worker, group=group, leader=foreign)


def test_group_update_adding_a_foreign_building_is_refused(personas):
    group = PartyGroup.objects.filter(branch=_branch()).first()
    foreign = Building.objects.filter(scope_path__startswith=area("陡岗社区").path).first()
    with pytest.raises(OutOfScope), writes_nothing():
        group_update(actor=personas.wenchang_worker, group=group, buildings=[*group.buildings.all(), foreign])
    # unchanged buildings (even if the actor could not pick them today) still save
    assert group_update(actor=personas.wenchang_worker, group=group, buildings=list(group.buildings.all())).obj


def test_central_household_with_a_foreign_linked_household_is_refused(personas):
    actor = personas.wenchang_worker
    member = (
        PartyMember.objects.filter(
            scope_path__startswith=area("文昌花园社区").path, resident__isnull=False, central_household__isnull=True
        )
        .select_related("resident")
        .first()
    )
    group = PartyGroup.objects.filter(scope_path__startswith=area("文昌花园社区").path).first()
    foreign = Household.objects.filter(scope_path__startswith=area("陡岗社区").path).first()
    with pytest.raises(OutOfScope), writes_nothing():
        central_household_create(
            actor=actor, member=member, household=member.resident.household, group=group, linked_households=[foreign]
        )
    assert not CentralHousehold.objects.filter(member=member).exists()


def test_member_with_a_foreign_resident_is_refused(personas):
    actor = personas.wenchang_worker
    foreign = _dougang_resident()
    with pytest.raises(OutOfScope), writes_nothing():
        member_create(actor=actor, **_member_data(_branch(), "越界党员", resident=foreign))
    member = PartyMember.objects.filter(org=_branch()).first()
    with pytest.raises(OutOfScope), writes_nothing():
        member_update(actor=actor, member=member, resident=foreign)


def test_member_with_a_foreign_report_community_is_refused(personas):
    actor = personas.wenchang_worker
    data = _member_data(
        _branch(), "越界在职党员", is_in_service=True, employer="某单位", report_community=area("陡岗社区")
    )
    with pytest.raises(OutOfScope), writes_nothing():
        member_create(actor=actor, **data)
    # reporting to one's own community is fine
    data["report_community"] = area("文昌花园社区")
    assert member_create(actor=actor, **data).obj.report_community == area("文昌花园社区")


def test_unchanged_links_still_save(personas):
    """An update that does not touch the links is not re-checked (an unchanged form saves unchanged)."""
    member = PartyMember.objects.filter(
        scope_path__startswith=area("文昌花园社区").path, resident__isnull=False
    ).first()
    assert (
        member_update(actor=personas.wenchang_worker, member=member, party_posts="组织委员").obj.party_posts
        == "组织委员"
    )


def test_join_date_in_the_future_is_a_validation_error_not_a_crash(personas):
    with pytest.raises(ValidationError) as exc:
        member_create(
            actor=personas.wenchang_worker, **_member_data(_branch(), "未来党员", join_date=dt.date(9999, 6, 1))
        )
    assert exc.value.message_dict["join_date"] == ["入党日期不能晚于今天。"]


def test_member_work_phone_is_encrypted_and_never_echoed(client, login):
    login("wenchang_worker")
    member = PartyMember.objects.filter(scope_path__startswith=area("文昌花园社区").path, org__isnull=False).first()
    url = reverse("party:member_edit", args=[member.pk])
    page = client.get(url)
    data = {k: v for k, v in page.context["form"].initial.items() if v not in (None, "") and not isinstance(v, bool)}
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    data.update({"phone": "0550-3012345", "name": member.name, "join_date": member.join_date.isoformat()})
    for flag in ("is_in_service", "is_floating", "probation_extended"):
        if getattr(member, flag):
            data[flag] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM party_partymember WHERE id = %s", [member.pk])
        raw = cursor.fetchone()[0]
    assert "3012345" not in raw
    member.refresh_from_db()
    assert member.phone == "0550-3012345"
    body = client.get(url).content.decode()
    assert "0550-3012345" not in body and member.phone_masked in body
    bad = client.post(url, {**data, "phone": "12345"})
    assert bad.status_code == 400 and "电话号码" in bad.content.decode()
