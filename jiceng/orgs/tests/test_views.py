"""The organisation pages: scoped lists, details, creation and editing, checked against a sibling street."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.accounts.models import User
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db


def unit_of(street: str) -> Organisation:
    return Organisation.objects.filter(kind=OrgKind.UNIT, area__name=street).get()


def test_the_list_shows_the_subtree_and_no_territory_mirror(client, login):
    login("longpan_admin")
    response = client.get(reverse("orgs:organisation_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert unit_of("龙蟠街道").name in page
    assert unit_of("银花街道").name not in page
    assert "区城市管理局" not in page  # the district's department
    assert 'href="/orgs/add/"' in page
    login("qu_admin")
    page = client.get(reverse("orgs:organisation_list"), {"kind": "department"}).content.decode()
    assert "区城市管理局" in page and unit_of("银花街道").name not in page
    response = client.get(reverse("orgs:organisation_list"), {"under": Area.objects.get(name="龙蟠街道").pk})
    listed = {row.record for row in response.context["table"].paginated_rows}
    assert unit_of("龙蟠街道") in listed
    assert all(not o.is_territory for o in listed)  # the street's own mirror (and its grids') are not listed
    mirror = Organisation.objects.get(kind=OrgKind.STREET, area__name="龙蟠街道")
    assert client.get(reverse("orgs:organisation_detail", args=[mirror.pk])).status_code == 404


def test_a_sibling_streets_organisation_is_404(client, login):
    login("longpan_admin")
    sibling = unit_of("银花街道")
    for name in ("orgs:organisation_detail", "orgs:organisation_edit"):
        assert client.get(reverse(name, args=[sibling.pk])).status_code == 404
    assert client.post(reverse("orgs:organisation_edit", args=[sibling.pk]), {"name": "x"}).status_code == 404
    assert Organisation.objects.get(pk=sibling.pk).name != "x"
    own = unit_of("龙蟠街道")
    assert client.get(reverse("orgs:organisation_detail", args=[own.pk])).status_code == 200


def test_roles_without_the_permission_get_403(client, login):
    login("wenchang_worker")
    assert client.get(reverse("orgs:organisation_list")).status_code == 403
    assert client.get(reverse("orgs:organisation_add")).status_code == 403


def test_create_and_edit_with_members(client, login):
    login("longpan_admin")
    community = Area.objects.get(name="文昌花园社区")
    person = User.objects.create(username="wenchang_wuye", display_name="物业小李", home_area=community)
    far = User.objects.create(username="yinhua_wuye", home_area=Area.objects.get(name="银花街道"))
    form = client.get(reverse("orgs:organisation_add")).content.decode()
    assert "wenchang_wuye" in form and "yinhua_wuye" not in form
    data = {
        "kind": "property", "name": "文昌花园物业", "area": community.pk, "uscc": "", "contact_name": "李经理",
        "contact_phone": "13912345678", "address": "", "is_active": "on", "members": [person.pk],
    }  # fmt: skip
    response = client.post(reverse("orgs:organisation_add"), data)
    assert response.status_code == 302, response.content.decode()
    org = Organisation.objects.get(name="文昌花园物业")
    assert list(org.members.all()) == [person]
    page = client.get(reverse("orgs:organisation_detail", args=[org.pk])).content.decode()
    assert "物业小李" in page and "13912345678" in page
    # A bad credit code: a Chinese message on the form, nothing saved.
    response = client.post(reverse("orgs:organisation_edit", args=[org.pk]), {**data, "uscc": "91341103MA0000001X"})
    assert response.status_code == 400
    assert "统一社会信用代码格式或校验位不正确" in response.content.decode()
    # A member from the sibling street: not offered, and refused if posted.
    response = client.post(reverse("orgs:organisation_edit", args=[org.pk]), {**data, "members": [far.pk]})
    assert response.status_code == 400
    assert list(org.members.all()) == [person]
    # Serving the sibling street: the area is not offered, and the service refuses it.
    response = client.post(
        reverse("orgs:organisation_edit", args=[org.pk]), {**data, "area": Area.objects.get(name="银花街道").pk}
    )
    assert response.status_code == 400
    assert Organisation.objects.get(pk=org.pk).area == community
