"""A list's capped count is cached under the stats versions of the user's nodes, and only where every
table the count reads bumps those versions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.core.tests.helpers import make_id
from jiceng.people.models import Resident
from jiceng.people.services import resident_create
from jiceng.territory.models import Area, Household

pytestmark = pytest.mark.django_db


def _get(client, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("people:resident_list"), params or {})
    assert response.status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    return response.context["table"].paginator.count, len(counts)


def test_the_count_is_cached_until_a_write_under_the_users_node(client, login, outside,
                                                                 django_capture_on_commit_callbacks):  # fmt: skip
    user = login("wenchang_worker")
    first, counted = _get(client)
    assert counted == 1
    assert _get(client) == (first, 0)  # from the cache: no COUNT
    household = Household.objects.restrict(user).order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):
        resident_create(actor=user, name="计数缓存", id_number=make_id(seq="971"), household=household,
                        relation_to_head="99")  # fmt: skip
    assert _get(client) == (first + 1, 1)  # the write bumped the community's version: counted again


def test_each_filter_and_each_scope_has_its_own_count(client, login, outside):
    login("wenchang_worker")
    everyone, _ = _get(client)
    women, counted = _get(client, {"gender": "2"})
    assert counted == 1 and 0 < women < everyone
    client.logout()
    login("yinhua_admin")
    other, counted = _get(client)
    assert counted == 1 and other != everyone  # another street's grants: another key


def test_a_filter_on_a_table_without_versions_is_counted_every_time(client, login, outside):
    login("longpan_admin")  # may see special-population tags
    _get(client, {"tag_type": "disabled"})
    assert _get(client, {"tag_type": "disabled"})[1] == 1  # tags do not bump versions: never cached


def test_an_impossible_search_is_not_an_error(client, login, outside):
    login("wenchang_worker")
    assert _get(client, {"q": "12345"}) == (0, 0)


def test_a_chosen_row_is_keyed_by_its_id_not_its_name(client, login, outside):
    """Two grids of the same name are two filters: each count is its own."""
    user = login("wenchang_worker")
    first, second = Area.objects.restrict(user, "view").filter(kind="grid").order_by("path")[:2]
    Area.objects.filter(pk=second.pk).update(name=first.name)
    counts = [_get(client, {"grid": str(g.pk)}) for g in (first, second)]
    expected = [Resident.objects.filter(grid=g, deleted_at__isnull=True).count() for g in (first, second)]
    assert [n for n, _ in counts] == expected and expected[0] != expected[1]
    assert [counted for _, counted in counts] == [1, 1]  # the second grid was counted, not served from the first
