"""The menu rendered once per (roles, section) is the menu the template renders for the real request."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory

from jiceng.core.templatetags.jiceng import _rendered_nav
from jiceng.demo.accounts import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db

PATHS = ["/", "/people/residents/", "/people/residents/12/", "/tickets/", "/tickets/mine/", "/tickets/report/",
         "/notices/", "/accounts/users/3/", "/coverage/", "/map/", "/audit/", "/imports/",
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


@pytest.mark.parametrize(
    ("username", "listed"),
    [
        ("member_demo", ["社区"]),
        ("grid_wc01", ["网格"]),
        ("wenchang_worker", ["社区", "网格", "小区"]),
        ("longpan_admin", ["街道", "社区", "网格", "小区"]),
    ],
)
def test_the_area_menu_offers_only_lists_the_user_can_see_into(client, login, username, listed):
    import re

    from jiceng.territory.models import Area

    user = login(username)
    html = client.get("/").content.decode()
    names = {"street_list": "街道", "community_list": "社区", "grid_list": "网格", "quarter_list": "小区"}
    offered = re.findall(
        r'<a class="dropdown-item" href="/territory/(streets|communities|grids|quarters)/">(.*?)</a>', html
    )
    assert [label for _, label in offered] == listed
    # Each list offered shows at least one node; the kinds not offered show none.
    kind = {"街道": "street", "社区": "community", "网格": "grid", "小区": "quarter"}
    for label in names.values():
        visible = Area.objects.restrict(user).filter(kind=kind[label]).exists()
        assert visible == (label in listed), (username, label)
