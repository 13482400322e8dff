"""Every object a Party service links to (buildings, leaders, residents, households, the report
community) must be within the actor's view scope; unchanged links are not re-checked."""

import pytest

from jiceng.core.errors import OutOfScope
from jiceng.core.tests.helpers import area, writes_nothing
from jiceng.party.models import CentralHousehold, PartyGroup, PartyMember
from jiceng.party.services import central_household_create, group_create, group_update, member_create, member_update
from jiceng.party.tests.helpers import member_data, party_branch
from jiceng.people.models import Resident
from jiceng.territory.models import Building, Household

pytestmark = pytest.mark.django_db


def _dougang_resident():
    return Resident.objects.filter(scope_path__startswith=area("陡岗社区").path, party_member__isnull=True).first()


def test_group_with_a_foreign_building_is_refused(personas):
    foreign = Building.objects.filter(scope_path__startswith=area("陡岗社区").path).first()
    with pytest.raises(OutOfScope) as exc, writes_nothing():
        group_create(actor=personas.wenchang_worker, branch=party_branch(), name="越界党小组", buildings=[foreign])
    assert foreign.name not in str(exc.value)


def test_group_with_a_foreign_leader_is_refused(personas):
    foreign = PartyMember.objects.filter(scope_path__startswith=area("陡岗社区").path).first()
    with pytest.raises(OutOfScope), writes_nothing():
        group_create(actor=personas.wenchang_worker, branch=party_branch(), name="越界党小组", leader=foreign)
    group = PartyGroup.objects.filter(branch=party_branch()).first()
    with pytest.raises(OutOfScope), writes_nothing():
        group_update(actor=personas.wenchang_worker, group=group, leader=foreign)


def test_group_update_adding_a_foreign_building_is_refused(personas):
    group = PartyGroup.objects.filter(branch=party_branch()).first()
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
        member_create(actor=actor, **member_data(party_branch(), "越界党员", resident=foreign))
    member = PartyMember.objects.filter(org=party_branch()).first()
    with pytest.raises(OutOfScope), writes_nothing():
        member_update(actor=actor, member=member, resident=foreign)


def test_member_with_a_foreign_report_community_is_refused(personas):
    actor = personas.wenchang_worker
    data = member_data(
        party_branch(), "越界在职党员", is_in_service=True, employer="某单位", report_community=area("陡岗社区")
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
