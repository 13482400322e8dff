"""Cached home / stats numbers: served from the cache until a committed write under the node.

Each test runs inside the suite's transaction, where the cache is bypassed by design (a caller may read
its own uncommitted writes); ``outside`` lifts that rule and ``django_capture_on_commit_callbacks``
runs the version bumps that a real commit would run.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from jiceng.core.tests.helpers import make_id
from jiceng.dashboards import stats_cache
from jiceng.dashboards.models import StatsVersion
from jiceng.dashboards.selectors import node_stats
from jiceng.people.models import Resident
from jiceng.people.services import resident_create, resident_update
from jiceng.territory.models import Area, Household

pytestmark = pytest.mark.django_db


def _new_resident(user, household, seq):
    return resident_create(actor=user, name="缓存测试", id_number=make_id(seq=f"{950 + seq}"), household=household,
                           relation_to_head="99").obj  # fmt: skip


def test_second_read_is_one_query_and_a_write_is_seen_at_commit(
    personas, outside, django_assert_num_queries, django_capture_on_commit_callbacks
):
    user = personas.longpan_admin
    first = node_stats(user)
    with django_assert_num_queries(1):  # the versions; the figures come from the cache
        assert node_stats(user) == first
    household = Household.objects.restrict(user).order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):
        _new_resident(user, household, 1)
    assert node_stats(user)["residents"] == first["residents"] + 1


def test_a_write_elsewhere_keeps_the_cache(personas, outside, django_assert_num_queries,
                                           django_capture_on_commit_callbacks):  # fmt: skip
    longpan, yinhua = personas.longpan_admin, personas.yinhua_admin
    node_stats(yinhua)
    household = Household.objects.restrict(longpan).order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):
        _new_resident(longpan, household, 2)
    with django_assert_num_queries(1):  # 银花's numbers did not change: still cached
        node_stats(yinhua)


def test_a_move_refreshes_both_places(personas, outside, django_capture_on_commit_callbacks):
    user = personas.qu_admin
    resident = Resident.objects.filter(deleted_at__isnull=True).order_by("id").first()
    old_grid = resident.grid
    target = Household.objects.exclude(scope_path__startswith=old_grid.path[:-4]).order_by("id").first()
    new_grid = target.building.grid
    before_old, before_new = node_stats(user, old_grid), node_stats(user, new_grid)
    with django_capture_on_commit_callbacks(execute=True):
        resident_update(actor=user, resident=resident, household=target)
    assert node_stats(user, old_grid)["residents"] == before_old["residents"] - 1
    assert node_stats(user, new_grid)["residents"] == before_new["residents"] + 1


def test_bumps_are_collapsed_per_transaction_and_dropped_on_rollback(personas, django_capture_on_commit_callbacks):
    grid = Area.objects.filter(kind="grid").order_by("path").first()
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            stats_cache.bump_paths([grid.path])
            stats_cache.bump_paths([grid.path[:-4] + "ZZZZ"])
    assert len(callbacks) == 1  # one flush for the transaction, whatever the number of writes
    callbacks[0]()
    assert set(StatsVersion.objects.values_list("path", flat=True)) >= stats_cache.ancestors(grid.path)
    # A rolled-back savepoint drops its bump; the next write queues a new one.
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                stats_cache.bump_paths([grid.path])
                raise RuntimeError
        except RuntimeError:
            pass
        with transaction.atomic():
            stats_cache.bump_paths([grid.path])
    assert len(callbacks) == 1
    assert connection.in_atomic_block  # the test's own transaction


def test_inside_a_transaction_numbers_are_never_cached(personas, settings):
    from django.test.utils import CaptureQueriesContext

    settings.JICENG_STATS_CACHE_SECONDS = 300
    cache.clear()
    user = personas.longpan_admin
    node_stats(user)
    with CaptureQueriesContext(connection) as ctx:
        node_stats(user)
    assert len(ctx.captured_queries) >= 13  # every count, again


def test_versions_read_what_the_orm_reads():
    StatsVersion.objects.all().delete()
    StatsVersion.objects.bulk_create(
        [StatsVersion(path="0001", version=7), StatsVersion(path="00010002", version=2**61)]
    )
    paths = ["0001", "00010002", "0009"]
    orm = dict(StatsVersion.objects.filter(path__in=paths).values_list("path", "version"))
    assert stats_cache.versions(paths) == tuple(orm.get(p, 0) for p in paths) == (7, 2**61, 0)
    assert stats_cache.versions([]) == ()


@pytest.mark.parametrize("username", ["qu_admin", "longpan_admin", "wenchang_worker", "grid_wc01"])
def test_the_home_pages_chain_and_versions_are_what_the_orm_reads(personas, username):
    from jiceng.dashboards.selectors import area_chain_with_versions

    grant = getattr(personas, username).scope.top_grant
    stats_cache.bump_paths([grant.area_path])  # outside a commit: written at once here, or at the test's end
    for fn in connection.run_on_commit[:]:
        fn[1]()
    chain, known = area_chain_with_versions(grant.area_path)
    orm = Area.objects.get(path=grant.area_path).ancestors_and_self()
    assert [(a.pk, a.path, a.kind, a.name) for a in chain] == [(a.pk, a.path, a.kind, a.name) for a in orm]
    assert list(known) == [a.path for a in chain]
    assert tuple(known.values()) == stats_cache.versions(list(known))
    assert chain[-1].get_kind_display() and not chain[-1].get_deferred_fields() >= {"name", "kind", "path"}


def test_the_home_page_reads_session_user_and_chain_then_the_cache(
    client, personas, outside, django_assert_num_queries
):
    client.force_login(personas.longpan_admin)
    first = client.get("/")
    assert first.status_code == 200
    with django_assert_num_queries(3):  # the session, the user with its grants, the chain with its versions
        again = client.get("/")
    assert (
        again.context["stats"] == first.context["stats"]
        and again.context["breadcrumbs"] == first.context["breadcrumbs"]
    )


def test_known_versions_missing_a_path_are_read(personas, outside, django_assert_num_queries):
    user, node = personas.longpan_admin, Area.objects.get(name="龙蟠街道")
    first = node_stats(user, node)
    known = {node.path: stats_cache.versions([node.path])[0]}
    with django_assert_num_queries(0):
        assert node_stats(user, node, known_versions=known) == first
    with django_assert_num_queries(1):
        assert node_stats(user, node, known_versions={"9999": 0}) == first


def test_a_row_scoped_through_a_link_bumps_its_nodes_figures(personas, outside, django_capture_on_commit_callbacks):
    """An organisation's ``scope_path_field`` is ``area__path``: its write reaches the node it serves
    (``signals._changed`` read only a column of that name, so such a row bumped nothing)."""
    from jiceng.dashboards import signals
    from jiceng.orgs.models import Organisation

    org = Organisation.objects.filter(area__kind="community").select_related("area").order_by("pk").first()
    assert signals._path_of(org, "area__path") == org.area.path
    before = StatsVersion.objects.filter(path=org.area.path).values_list("version", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        signals._changed(sender=Organisation, instance=org)
    after = StatsVersion.objects.filter(path=org.area.path).values_list("version", flat=True).first()
    assert after is not None and after != before  # a fresh version: the node's cached figures are stale
