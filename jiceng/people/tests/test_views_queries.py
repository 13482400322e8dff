"""Query counts of the resident and worker lists are pinned, and do not grow with the rows shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.core.tests.helpers import make_id
from jiceng.people.models import Resident, Worker
from jiceng.people.services import id_hash_for, phone_hash_for
from jiceng.territory.models import Household
from jiceng.testing.queries import assert_num_queries

pytestmark = pytest.mark.django_db

#: session, user with its grants (one query, ``accounts.backends``; the scope is kept for the request),
#: the chosen building (filter validation), count, grid and building choices of the filter form, the page
#: (grid/building/household joined). The session is not written back: it is renewed at most once a
#: minute (SessionRenewalMiddleware).
RESIDENT_LIST_QUERIES = 7
#: session, user with its grants, count, community choices, the page, the grids (one prefetch).
WORKER_LIST_QUERIES = 6


def add_residents(household, n=30):
    rows = []
    for i in range(n):
        number = make_id("19800101", seq=f"{500 + i:03d}")
        phone = f"1390000{i:04d}"
        rows.append(
            Resident(
                name=f"批量居民{i}",
                id_number=number,
                id_hash=id_hash_for(number),
                id_last4=number[-4:],
                phone=phone,
                phone_hash=phone_hash_for(phone),
                gender="1" if int(number[16]) % 2 else "2",
                birth_date="1980-01-01",
                household=household,
                building_id=household.building_id,
                grid_id=household.building.grid_id,
                scope_path=household.scope_path,
            )  # fmt: skip
        )
    Resident.objects.bulk_create(rows)


def test_resident_list_query_count_is_pinned_and_flat(client, login):
    user = login("wenchang_worker")
    household = Household.objects.restrict(user).select_related("building").first()
    url = reverse("people:resident_list")
    params = {"building": household.building_id}
    shown_before = Resident.objects.filter(building=household.building_id).count()
    with assert_num_queries(RESIDENT_LIST_QUERIES):
        response = client.get(url, params)
    assert len(response.context["table"].page.object_list) == shown_before
    add_residents(household)
    with assert_num_queries(RESIDENT_LIST_QUERIES):
        response = client.get(url, params)
    assert len(response.context["table"].page.object_list) == shown_before + 30
    content = response.content.decode()
    assert "批量居民29" in content and "1390000" not in content  # phones masked: 139****0029


def test_worker_list_query_count_is_pinned_and_flat(client, login):
    user = login("wenchang_worker")
    url = reverse("people:worker_list")
    with assert_num_queries(WORKER_LIST_QUERIES):
        client.get(url)
    template = Worker.objects.restrict(user).first()
    grids = list(template.grids.all())
    for i in range(30):
        worker = Worker.objects.create(
            name=f"批量工作者{i}", community=template.community, scope_path=template.scope_path
        )
        worker.grids.set(grids)
    with assert_num_queries(WORKER_LIST_QUERIES):
        response = client.get(url)
    assert response.context["table"].paginator.count == Worker.objects.restrict(user).count()
