"""The authentication backend (``accounts.backends``): the user, its grants and a resident's or Party
member's scope read in one query, the same as the ORM reads them, and never cached between requests."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.accounts.backends import AccountBackend, load_user_with_scope
from jiceng.accounts.models import RoleGrant, User
from jiceng.accounts.scope import UserScope
from jiceng.testing.personas import PERSONAS

pytestmark = pytest.mark.django_db


def _fields(user) -> dict:
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


@pytest.mark.parametrize("username", PERSONAS)
def test_each_persona_loads_as_the_orm_loads_it(username):
    orm = User.objects.get(username=username)
    mine = load_user_with_scope(orm.pk)
    assert _fields(mine) == _fields(orm)
    assert mine._state.adding is False and mine._state.db == "default"
    assert mine.scope == UserScope.for_user(orm)  # grants, resident / household, Party member / community


def test_the_residents_and_the_members_scope_come_with_the_user():
    resident = User.objects.get(username="resident_demo")
    member = User.objects.get(username="member_demo")
    with CaptureQueriesContext(connection) as cq:
        r = load_user_with_scope(resident.pk).scope
        m = load_user_with_scope(member.pk).scope
    assert len(cq.captured_queries) == 2
    assert r.household_id == resident.resident.household_id is not None
    assert m.report_community_id == member.party_member.report_community_id is not None


def test_an_unknown_or_inactive_user_is_nobody():
    assert load_user_with_scope(10**9) is None
    user = User.objects.get(username="grid_wc01")
    assert AccountBackend().get_user(user.pk).pk == user.pk
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert AccountBackend().get_user(user.pk) is None


def test_a_user_without_grants_has_an_empty_scope():
    user = User.objects.create_user(username="无角色", password="x")
    loaded = load_user_with_scope(user.pk)
    assert loaded.scope.grants == [] and loaded.scope.resident_id is None


def test_a_page_reads_the_user_and_its_grants_in_one_query(client):
    user = User.objects.get(username="wenchang_worker")
    client.force_login(user)
    assert client.session[BACKEND_SESSION_KEY] == "jiceng.accounts.backends.AccountBackend"
    with CaptureQueriesContext(connection) as cq:
        assert client.get(reverse("people:resident_list")).status_code == 200
    touching = [q["sql"] for q in cq.captured_queries if "accounts_" in q["sql"]]
    assert len(touching) == 1, touching


def test_a_withdrawn_grant_is_gone_on_the_next_request(client):
    user = User.objects.get(username="wenchang_worker")
    client.force_login(user)
    url = reverse("people:resident_list")
    assert client.get(url).status_code == 200
    RoleGrant.objects.filter(user=user).delete()
    assert client.get(url).status_code == 403


def test_a_changed_password_still_ends_other_sessions(client):
    user = User.objects.get(username="wenchang_worker")
    client.force_login(user)
    assert client.get(reverse("people:resident_list")).status_code == 200
    user.set_password("另一个-Passw0rd!")
    user.save()
    response = client.get(reverse("people:resident_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_two_roles_on_one_node_come_in_the_order_they_were_granted_both_ways():
    from jiceng.territory.models import Area

    user = User.objects.create_user(username="双角色", password="x")
    community = Area.objects.filter(kind="community").order_by("path").first()
    for role in ("grid_worker", "community_worker", "system_admin"):
        RoleGrant.objects.create(user=user, role=role, area=community)
    loaded = load_user_with_scope(user.pk).scope
    assert [g.role for g in loaded.grants] == ["grid_worker", "community_worker", "system_admin"]
    assert loaded == UserScope.for_user(user)


def test_the_query_is_built_once_per_connection(django_assert_num_queries):
    from django.db import connection

    user = User.objects.get(username="grid_wc01")
    load_user_with_scope(user.pk)
    built = connection._jiceng_user_query
    with django_assert_num_queries(1):
        load_user_with_scope(user.pk)
    assert connection._jiceng_user_query is built
