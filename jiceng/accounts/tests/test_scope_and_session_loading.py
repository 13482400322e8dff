"""What every logged-in request reads, written as plain SQL (``accounts.scope._grant_rows``,
``accounts.sessions``): the same answers as the ORM queries and Django's session store they replace."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.backends import db as django_db_sessions
from django.contrib.sessions.models import Session
from django.utils import timezone

from jiceng.accounts import sessions
from jiceng.accounts.models import RoleGrant, User
from jiceng.accounts.scope import Grant, UserScope
from jiceng.territory.models import Area
from jiceng.testing.personas import PERSONAS

pytestmark = pytest.mark.django_db


def _orm_grants(user) -> list[Grant]:
    """The query ``UserScope.for_user`` ran before (the reference)."""
    rows = user.grants.order_by("area__path", "id").values_list(
        "role", "area_id", "area__path", "area__kind", "area__name"
    )
    return [Grant(*row) for row in rows]


@pytest.mark.parametrize("username", PERSONAS)
def test_each_personas_grants_are_what_the_orm_reads(username):
    user = User.objects.get(username=username)
    scope = UserScope.for_user(user)
    assert scope.grants == _orm_grants(user)
    assert (scope.resident_id, scope.household_id) == (
        user.resident_id, user.resident.household_id if user.resident_id else None,
    )  # fmt: skip


def test_several_grants_come_in_path_order_and_none_is_an_empty_scope():
    user = User.objects.create_user(username="多角色", password="x")
    assert UserScope.for_user(user).grants == []
    for area in Area.objects.filter(kind="community").order_by("-path")[:3]:
        RoleGrant.objects.create(user=user, role="community_worker", area=area)
    grants = UserScope.for_user(user).grants
    assert grants == _orm_grants(user) and [g.area_path for g in grants] == sorted(g.area_path for g in grants)


def _both(key):
    return sessions.SessionStore(key), django_db_sessions.SessionStore(key)


def test_the_session_store_reads_what_djangos_reads():
    ours = sessions.SessionStore()
    ours["_auth_user_id"] = "7"
    ours["note"] = "现住"
    ours.save()
    mine, django = _both(ours.session_key)
    assert mine.load() == django.load() == {"_auth_user_id": "7", "note": "现住"}
    assert mine.session_key == django.session_key == ours.session_key


@pytest.mark.parametrize("case", ["expired", "unknown", "tampered", "none"])
def test_a_dead_session_is_empty_and_gets_a_new_key_as_in_django(case):
    live = django_db_sessions.SessionStore()
    live["x"] = 1
    live.save()
    key = live.session_key
    if case == "expired":
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    elif case == "unknown":
        key = "k" * 32
    elif case == "tampered":
        Session.objects.filter(session_key=key).update(session_data="not-a-signed-session")
    elif case == "none":
        key = None
    mine, django = _both(key)
    assert mine.load() == django.load() == {}
    assert (mine.session_key is None) == (django.session_key is None)


def test_a_login_and_a_page_use_the_engine(client, settings):
    assert settings.SESSION_ENGINE == "jiceng.accounts.sessions"
    client.force_login(User.objects.get(username="wenchang_worker"))
    assert client.get("/").status_code == 200
    assert client.session.__class__ is sessions.SessionStore
