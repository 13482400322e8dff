"""No htmx request ever swaps a whole page in.

On a new account's first login the navbar's bell asked ``/tickets/notifications/badge/`` (now ``/notices/badge/``) by htmx; the
gate redirected it to the password page, the browser's XHR followed the redirect, and htmx swapped that
page — navbar and all — into the navbar, whose bell loaded again: 69 navbars in 11 seconds. Now every
redirect answering an htmx request is ``HX-Redirect`` (a full-page navigation), and the gate's own
pages show no bell.
"""

from __future__ import annotations

import pytest

from jiceng.accounts import services

pytestmark = pytest.mark.django_db

BADGE = "/notices/badge/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def newcomer(personas):
    user = services.user_create(actor=personas.sysadmin, username="li_na", display_name="李娜", password="Init#2026abc")
    from jiceng.accounts.models import RoleGrant

    grid = personas.grid_wc01.grants.get().area
    RoleGrant.objects.create(user=user, role="grid_worker", area=grid)
    return user


def test_gate_redirect_of_an_htmx_request_is_hx_redirect(client, newcomer):
    client.force_login(newcomer)
    response = client.get(BADGE, headers={**HTMX, "HX-Current-URL": "http://testserver/"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/password/"  # from the home page: no ?next= needed
    assert response.content == b""  # nothing to swap in
    assert not response.has_header("Location")


def test_hx_redirect_comes_back_to_the_page_not_to_the_fragment(client, newcomer):
    client.force_login(newcomer)
    response = client.get(BADGE, headers={**HTMX, "HX-Current-URL": "http://testserver/tickets/?status=open"})
    assert response["HX-Redirect"] == "/accounts/password/?next=%2Ftickets%2F%3Fstatus%3Dopen"
    # Another site's URL is never a next page.
    response = client.get(BADGE, headers={**HTMX, "HX-Current-URL": "http://evil.example/x"})
    assert response["HX-Redirect"] == "/accounts/password/"


def test_gate_redirect_without_htmx_stays_a_302(client, newcomer):
    client.force_login(newcomer)
    response = client.get(BADGE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/?next=%2Fnotices%2Fbadge%2F"
    assert not response.has_header("HX-Redirect")


def test_login_required_redirect_of_an_htmx_request_is_hx_redirect(client):
    """An expired session (here: none) polling an export job by htmx is sent to the login page."""
    response = client.get("/exports/1/", headers={**HTMX, "HX-Current-URL": "http://testserver/exports/1/"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fexports%2F1%2F"
    assert response.content == b""


def test_the_password_page_shows_no_menu_and_no_bell(client, newcomer):
    client.force_login(newcomer)
    page = client.get("/accounts/password/").content.decode()
    assert page.count('class="navbar ') == 1
    assert BADGE not in page
    assert 'id="jc-bell"' not in page
    assert "退出登录" in page  # the way out stays
    assert 'href="/tickets/"' not in page


def test_after_the_gate_the_bell_is_back(client, login):
    login("grid_wc01")
    page = client.get("/").content.decode()
    assert page.count(f'hx-get="{BADGE}"') == 1
    response = client.get(BADGE, headers=HTMX)
    assert response.status_code == 200 and not response.has_header("HX-Redirect")
    assert b'id="jc-bell-count"' in response.content
