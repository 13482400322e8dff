"""单位联络员 (``unit_liaison``): a personal role that sees its own unit and nothing of residents or of a sibling unit."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import RoleGrant, User
from jiceng.accounts.roles import ROLES
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.models import Organisation
from jiceng.people.models import Resident
from jiceng.territory.models import Area, Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def liaison():
    street = Area.objects.get(name="龙蟠街道")
    unit = Organisation.objects.filter(kind=OrgKind.UNIT, area=street).first()
    user = User.objects.create(
        username="unit_liaison_test", display_name="单位联络员甲", home_area=street, must_change_password=False,
        password_changed_at=timezone.now(),
    )  # fmt: skip
    RoleGrant.objects.create(user=user, role="unit_liaison", area=street)
    unit.members.add(user)
    return User.objects.get(pk=user.pk), unit


def test_the_role_is_personal_and_reads_only_organisations():
    role = ROLES["unit_liaison"]
    assert role.personal and role.label == "单位联络员"
    assert role.has_perm("orgs.view_organisation")
    assert not any(role.has_perm(p) for p in ("people.view_resident", "territory.view_household", "tickets.view_ticket",
                                              "orgs.change_organisation", "people.reveal_resident"))  # fmt: skip


def test_the_liaison_sees_its_unit_and_not_a_sibling_unit(client, liaison):
    user, unit = liaison
    sibling = Organisation.objects.filter(kind=OrgKind.UNIT).exclude(pk=unit.pk).first()
    assert list(Organisation.objects.restrict(user, "view")) == [unit]
    client.force_login(user)
    response = client.get(reverse("orgs:organisation_list"))
    assert response.status_code == 200
    assert [row.record for row in response.context["table"].paginated_rows] == [unit]
    assert client.get(reverse("orgs:organisation_detail", args=[unit.pk])).status_code == 200
    assert client.get(reverse("orgs:organisation_detail", args=[sibling.pk])).status_code == 404
    assert client.get(reverse("orgs:organisation_edit", args=[unit.pk])).status_code in (403, 404)
    assert client.get(reverse("dashboards:home")).status_code == 200


def test_the_liaison_sees_nothing_of_residents(client, liaison):
    user, _unit = liaison
    assert Resident.objects.exists() and Household.objects.exists()
    assert not Resident.objects.restrict(user, "view").exists()
    assert not Household.objects.restrict(user, "view").exists()
    client.force_login(user)
    assert client.get(reverse("people:resident_list")).status_code == 403
    resident = Resident.objects.first()
    assert client.get(reverse("people:resident_detail", args=[resident.pk])).status_code in (403, 404)
    response = client.get("/api/v1/residents/")
    assert response.status_code == 403 or response.json()["results"] == []


def test_the_demo_liaison_sees_its_own_unit_only(client, login):
    user = login("unit_demo")
    unit = Organisation.objects.get(members=user)
    assert unit.kind == OrgKind.UNIT and unit.unit_category and unit.party_org_name
    assert list(Organisation.objects.restrict(user, "view")) == [unit]
    page = client.get(reverse("orgs:organisation_detail", args=[unit.pk])).content.decode()
    assert unit.party_org_name in page
    assert not Resident.objects.restrict(user, "view").exists()
