"""Moving a Party organisation carries its members, seats and 党小组 to the new node, or is refused
(with a Chinese message in the edit form); the new node must be within the actor's scope."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jiceng.audit.models import AuditLog
from jiceng.core.errors import OutOfScope
from jiceng.core.tests.helpers import area, row_counts, writes_nothing, years_ago
from jiceng.party.choices import OrgType
from jiceng.party.models import CommitteeSeat, PartyGroup, PartyMember, PartyOrg
from jiceng.party.services import member_create, party_org_create, party_org_update, seat_create
from jiceng.party.tests.helpers import (
    DOUGANG_Q1,
    WENCHANG_Q1,
    WENCHANG_Q2,
    community_committee,
    member_data,
    party_branch,
)
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db


def _seen(user, org):
    """What ``user`` sees of the organisation's members, seats and groups (counts)."""
    return (
        PartyMember.objects.restrict(user).filter(org=org).count(),
        CommitteeSeat.objects.restrict(user).filter(org=org).count(),
        PartyGroup.objects.restrict(user).filter(branch=org).count(),
    )


def test_moving_a_branch_without_groups_takes_members_and_seats_along(personas):
    actor = personas.longpan_admin
    branch = party_org_create(
        actor=actor, name="迁移测试党支部", org_type=OrgType.BRANCH, parent=community_committee("文昌花园社区"),
        area=Area.objects.get(code=WENCHANG_Q1), term_start=years_ago(1),
    ).obj  # fmt: skip
    members = [member_create(actor=actor, **member_data(branch, f"迁移党员{i}")).obj for i in range(3)]
    seat_create(actor=actor, org=branch, member=members[0], role="secretary", start=years_ago(1), channel="elected")
    assert _seen(personas.wenchang_worker, branch) == (3, 1, 0)
    assert _seen(personas.dougang_worker, branch) == (0, 0, 0)

    dougang_q1 = Area.objects.get(code=DOUGANG_Q1)
    party_org_update(actor=actor, org=branch, parent=community_committee("陡岗社区"), area=dougang_q1)

    assert _seen(personas.wenchang_worker, branch) == (0, 0, 0)
    assert _seen(personas.dougang_worker, branch) == (3, 1, 0)
    assert not PartyOrg.objects.restrict(personas.wenchang_worker).filter(pk=branch.pk).exists()
    assert set(PartyMember.objects.filter(org=branch).values_list("scope_path", flat=True)) == {dougang_q1.path}
    log = AuditLog.objects.filter(action="update", object_type="party.PartyOrg", object_id=str(branch.pk)).get()
    assert log.detail["moved"]["to"] == dougang_q1.path and log.detail["moved"]["members"] == 3


def test_moving_a_branch_whose_groups_cover_old_community_buildings_is_refused(personas):
    branch = party_branch()
    assert branch.groups.exists() and branch.members.exists()
    paths_before = sorted(PartyMember.objects.filter(org=branch).values_list("scope_path", flat=True))
    with pytest.raises(ValidationError) as exc, writes_nothing():
        party_org_update(
            actor=personas.longpan_admin, org=branch, parent=community_committee("陡岗社区"),
            area=Area.objects.get(code=DOUGANG_Q1),
        )  # fmt: skip
    message = exc.value.message_dict["area"][0]
    assert "党小组" in message and "不能随党支部迁移" in message
    branch.refresh_from_db()
    assert branch.area.code == WENCHANG_Q1
    assert sorted(PartyMember.objects.filter(org=branch).values_list("scope_path", flat=True)) == paths_before
    assert _seen(personas.dougang_worker, branch) == (0, 0, 0)


def test_moving_within_the_community_takes_the_groups_along(personas):
    branch = party_branch(WENCHANG_Q1)
    q2 = Area.objects.get(code=WENCHANG_Q2)
    counts = (branch.members.count(), branch.seats.count(), branch.groups.count())
    party_org_update(actor=personas.wenchang_worker, org=branch, area=q2)
    for model, link in ((PartyMember, "org"), (CommitteeSeat, "org"), (PartyGroup, "branch")):
        assert set(model.objects.filter(**{link: branch}).values_list("scope_path", flat=True)) == {q2.path}
    assert _seen(personas.wenchang_worker, branch) == counts


def test_moving_a_committee_away_from_its_branches_is_refused(personas):
    committee = community_committee("文昌花园社区")
    with pytest.raises(ValidationError) as exc, writes_nothing():
        party_org_update(actor=personas.longpan_admin, org=committee, area=area("陡岗社区"))
    assert "下级党组织" in exc.value.message_dict["area"][0]


def test_moving_needs_scope_on_the_new_node(personas):
    with pytest.raises(OutOfScope), writes_nothing():
        party_org_update(
            actor=personas.wenchang_worker, org=party_branch(), parent=community_committee("陡岗社区"),
            area=Area.objects.get(code=DOUGANG_Q1),
        )  # fmt: skip


def test_moving_a_branch_through_the_edit_form_is_refused_in_chinese(client, login):
    login("longpan_admin")
    branch = party_branch()
    data = {
        "name": branch.name, "org_type": branch.org_type, "parent": community_committee("陡岗社区").pk,
        "area": Area.objects.get(code=DOUGANG_Q1).pk, "joint_units": branch.joint_units,
        "term_start": branch.term_start.isoformat() if branch.term_start else "", "term_years": branch.term_years,
    }  # fmt: skip
    before = row_counts()
    response = client.post(reverse("party:org_edit", args=[branch.pk]), data)
    assert response.status_code == 400
    assert "不能随党支部迁移" in response.content.decode()
    assert row_counts() == before
