"""The one scoping mechanism: subtree grants, personal links, sibling isolation."""

import pytest
from django.http import Http404

from jiceng.core.scoping import get_scoped_object_or_404
from jiceng.party.models import PartyMember
from jiceng.people.models import Resident
from jiceng.territory.models import Area, Household

pytestmark = pytest.mark.django_db


def test_street_admin_sees_only_own_street(personas):
    longpan = personas.longpan_admin
    streets = list(Area.objects.restrict(longpan).filter(kind="street").values_list("name", flat=True))
    assert streets == ["龙蟠街道"]
    assert Area.objects.restrict(longpan).filter(kind="community").count() == 4
    assert not Resident.objects.restrict(longpan).filter(scope_path__startswith=_path("银花街道")).exists()
    assert (
        Resident.objects.restrict(longpan).count()
        == Resident.objects.filter(scope_path__startswith=_path("龙蟠街道")).count()
    )


def test_sibling_object_is_404(personas):
    yinhua_resident = Resident.objects.filter(scope_path__startswith=_path("银花街道")).first()
    with pytest.raises(Http404):
        get_scoped_object_or_404(Resident, personas.longpan_admin, pk=yinhua_resident.pk)
    assert get_scoped_object_or_404(Resident, personas.yinhua_admin, pk=yinhua_resident.pk) == yinhua_resident


def test_resident_sees_only_own_household(personas):
    user = personas.resident_demo
    households = list(Household.objects.restrict(user))
    assert households == [user.resident.household]
    assert set(Resident.objects.restrict(user)) == set(user.resident.household.residents.all())
    assert not Area.objects.restrict(user).exists()
    assert not PartyMember.objects.restrict(user).exists()


def test_member_sees_own_record_and_community(personas):
    user = personas.member_demo
    assert list(PartyMember.objects.restrict(user)) == [user.party_member]
    assert list(Area.objects.restrict(user)) == [user.party_member.report_community]
    assert not Resident.objects.restrict(user).exists()


def test_anonymous_sees_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert not Area.objects.restrict(AnonymousUser()).exists()


def _path(name):
    return Area.objects.get(name=name).path
