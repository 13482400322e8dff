"""Adding areas: grid division is decided by the street (网格划分须经街道审定), so a community worker
cannot add grids or quarters while a street admin can; administrative codes accept ASCII digits only."""

import pytest
from django.urls import reverse

from jiceng.core.tests.helpers import row_counts
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db


def _grid():
    return Area.objects.get(code="34110300301201")


def _edit(client, boundary):
    grid = _grid()
    return client.post(
        reverse("territory:area_edit", args=[grid.pk]),
        {"name": grid.name, "code": grid.code, "grid_type": "basic", "is_active": "on", "boundary": boundary},
    )


def test_community_worker_cannot_add_grids_or_quarters(client, login):
    login("wenchang_worker")
    community = Area.objects.get(name="文昌花园社区")
    before = row_counts()
    for kind, data in (
        ("grid", {"name": "新网格", "code": community.code + "99", "grid_type": "basic", "is_active": "on"}),
        ("quarter", {"name": "新小区", "code": community.code + "Q99", "is_active": "on"}),
    ):
        response = client.post(reverse("territory:area_add", args=[community.pk, kind]), data)
        assert response.status_code == 403, kind
    assert row_counts() == before
    # …but still edits the attributes of the community and its grids
    assert _edit(client, "").status_code == 302


def test_street_admin_adds_grids(client, login):
    login("longpan_admin")
    community = Area.objects.get(name="文昌花园社区")
    data = {"name": "新网格", "code": community.code + "99", "grid_type": "basic", "is_active": "on"}
    assert client.post(reverse("territory:area_add", args=[community.pk, "grid"]), data).status_code == 302
    assert Area.objects.get(code=community.code + "99").kind == "grid"


@pytest.mark.parametrize("code", ["34110300301٣", "3411030031٩٩", "34110300301३"])
def test_community_code_with_non_ascii_digits_is_refused(client, login, code):
    login("longpan_admin")
    street = Area.objects.get(name="龙蟠街道")
    before = row_counts()
    response = client.post(
        reverse("territory:area_add", args=[street.pk, "community"]),
        {"name": "新社区", "code": code, "is_active": "on"},
    )
    assert response.status_code == 400
    assert "区划代码只能由数字组成。" in response.content.decode()
    assert row_counts() == before
