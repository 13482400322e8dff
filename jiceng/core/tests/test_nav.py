"""The menu rendered once per (roles, section) is the menu the template renders for the real request."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory

from jiceng.core.templatetags.jiceng import _rendered_nav
from jiceng.demo.builder import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db

PATHS = ["/", "/people/residents/", "/people/residents/12/", "/tickets/", "/tickets/mine/", "/tickets/report/",
         "/tickets/notifications/", "/accounts/users/3/", "/coverage/", "/map/", "/audit/", "/imports/",
         "/exports/", "/territory/areas/5/", "/party/orgs/"]  # fmt: skip


def test_the_cached_menu_is_the_menu_of_every_persona_on_every_section(personas):
    users = [getattr(personas, name) for name, _ in DEMO_ACCOUNTS]
    assert len({tuple(sorted(g.role for g in u.scope.grants)) for u in users}) >= 8  # many different menus
    direct = get_template("components/nav.html")
    tag = Template("{% load jiceng %}{% nav %}")
    for user in users:
        for path in PATHS:
            request = RequestFactory().get(path)
            request.user = user
            expected = direct.render({"request": request, "user": user})
            assert tag.render(Context({"request": request})) == expected, (user.username, path)


def test_the_menu_is_rendered_once_per_roles_and_section(personas):
    _rendered_nav.cache_clear()
    tag = Template("{% load jiceng %}{% nav %}")
    for path in ("/people/residents/", "/people/residents/?page=2", "/people/residents/7/"):
        request = RequestFactory().get(path)
        request.user = personas.longpan_admin
        tag.render(Context({"request": request}))
    assert _rendered_nav.cache_info().misses == 1


def test_no_menu_for_anonymous_visitors(client, db):
    assert 'id="jc-bell"' not in client.get("/accounts/login/").content.decode()
