"""A central household's page (and list, export, API) names and links only what the reader may open.

``grid_wc02`` sees the 党员中心户 whose household lies in their grid, but not its 党小组, the group's
branch or the member's record (they sit on the quarter, beside the grids): those are not named —
the rule of the subtree, as if they did not exist — and nothing links to a page that would be a 404.
"""

from __future__ import annotations

import pytest

from jiceng.core.scoping import user_can
from jiceng.party.models import CentralHousehold

pytestmark = pytest.mark.django_db

HIDDEN = "（不在您的查看范围内）"


@pytest.fixture
def ch(personas):
    """A central household grid_wc02 sees whose group, branch and member record it does not."""
    user = personas.grid_wc02
    for ch in CentralHousehold.objects.restrict(user).select_related("group__branch", "member", "household"):
        if ch.group and not user_can(user, ch.group, "view") and not user_can(user, ch.group.branch, "view"):
            assert not user_can(user, ch.member, "view") and user_can(user, ch.household, "view")
            return ch
    pytest.fail("no such central household in the test tree")


def test_the_page_names_no_group_or_organisation_outside_the_scope(personas, client, ch):
    client.force_login(personas.grid_wc02)
    response = client.get(ch.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert ch.group.name not in html and ch.group.branch.name not in html
    assert ch.group.get_absolute_url() not in html and ch.group.branch.get_absolute_url() not in html
    assert ch.member.get_absolute_url() not in html
    assert f'<dd class="col-7" id="jc-ch-group">{HIDDEN}</dd>' in html
    assert f'<dd class="col-7" id="jc-ch-member">{ch.member.name}</dd>' in html  # the household's own name
    assert ch.household.get_absolute_url() in html
    # Every link on the page opens.
    for url in (ch.household.get_absolute_url(),):
        assert client.get(url).status_code == 200
    assert client.get(ch.group.get_absolute_url()).status_code == 404


def test_a_reader_who_may_open_them_gets_the_links(personas, client, ch):
    client.force_login(personas.wenchang_worker)
    html = client.get(ch.get_absolute_url()).content.decode()
    assert f'<a href="{ch.group.get_absolute_url()}">{ch.group.name}</a>' in html
    assert f'<a href="{ch.group.branch.get_absolute_url()}">{ch.group.branch.name}</a>' in html
    assert f'<a href="{ch.member.get_absolute_url()}">{ch.member.name}</a>' in html


def test_the_sibling_grid_does_not_see_it_at_all(personas, client, ch):
    client.force_login(personas.grid_wc01)
    assert client.get(ch.get_absolute_url()).status_code == 404


def test_the_list_and_the_api_do_not_name_the_group(personas, client, ch):
    client.force_login(personas.grid_wc02)
    html = client.get("/party/central-households/").content.decode()
    assert ch.member.name in html and ch.group.name not in html
    row = next(r for r in client.get("/api/v1/central-households/").json()["results"] if r["id"] == ch.pk)
    assert (row["group"], row["group_name"]) == (None, None)
    client.force_login(personas.wenchang_worker)
    assert ch.group.name in client.get("/party/central-households/").content.decode()
    row = next(r for r in client.get(f"/api/v1/central-households/?group={ch.group_id}").json()["results"]
               if r["id"] == ch.pk)  # fmt: skip
    assert (row["group"], row["group_name"]) == (ch.group_id, ch.group.name)
