"""An unchanged edit form saves unchanged: links the user cannot see are kept, not silently dropped."""

import pytest
from django.urls import reverse

from jiceng.party.models import PartyOrg
from jiceng.territory.models import Area, Building

pytestmark = pytest.mark.django_db


def _post_unchanged(client, url):
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {}
    for name in form.initial:
        if name not in form.fields:
            continue
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value
    return client.post(url, data)


def test_grid_worker_saving_a_quarter_building_keeps_its_quarter(client, login):
    user = login("grid_wc01")
    grid = Area.objects.get(pk=user.grants.get().area_id)
    building = Building.objects.filter(grid=grid, quarter__isnull=False).first()
    response = _post_unchanged(client, reverse("territory:building_edit", args=[building.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    building.refresh_from_db()
    assert building.quarter_id is not None


def test_community_worker_can_save_their_committee_unchanged(client, login):
    login("wenchang_worker")
    org = PartyOrg.objects.get(area__name="文昌花园社区", org_type__in=["community_committee", "community_general"])
    parent = org.parent_id
    response = _post_unchanged(client, reverse("party:org_edit", args=[org.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert org.parent_id == parent
