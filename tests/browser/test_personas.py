"""Every persona in a real browser: what they see after logging in, on desktop and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_district_admin_home_and_navigation_down_the_tree(desktop, login, screenshot):
    page = login(desktop, "qu_admin")
    expect(page.locator("h1")).to_contain_text("南谯区")
    expect(page.locator('[data-stat="streets"] .num')).to_have_text("3")
    expect(page.locator('[data-stat="grids"] .num')).to_have_text("366")
    expect(page.locator('[data-stat="quarter_branches"] .num')).to_have_text("84")
    screenshot(page, "home-qu_admin-desktop")
    page.get_by_role("link", name="进入南谯区").click()
    page.get_by_role("link", name="龙蟠街道").click()
    expect(page.locator("h1")).to_contain_text("龙蟠街道")
    page.get_by_role("link", name="文昌花园社区").click()
    expect(page.locator(".breadcrumb")).to_contain_text("南谯区")
    expect(page.locator(".breadcrumb")).to_contain_text("龙蟠街道")
    screenshot(page, "community-wenchang-desktop")


def test_street_admin_sees_own_street_only(desktop, login):
    page = login(desktop, "longpan_admin")
    expect(page.locator('[data-stat="streets"] .num')).to_have_text("1")
    expect(page.locator('[data-stat="communities"] .num')).to_have_text("4")
    page.goto("/territory/streets/")
    expect(page.locator("table")).to_contain_text("龙蟠街道")
    expect(page.locator("table")).not_to_contain_text("银花街道")


def test_grid_worker_on_a_phone(phone, login, screenshot):
    page = login(phone, "grid_wc01")
    expect(page.locator('[data-stat="grids"] .num')).to_have_text("1")
    screenshot(page, "home-grid_wc01-phone")
    # The navigation collapses behind the toggler on a phone.
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name="人员").click()
    page.get_by_role("link", name=re.compile("居民")).click()
    expect(page.locator("table")).to_be_visible()
    masked = page.locator("table tbody tr").first.inner_text()
    assert re.search(r"\d{3}\*+\d{3}[\dX]", masked), masked  # ID numbers are masked
    screenshot(page, "residents-grid_wc01-phone")
    # No horizontal overflow of the page body on a 390px screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1


def test_community_worker_coverage_and_map(desktop, login, screenshot):
    page = login(desktop, "wenchang_worker")
    page.goto("/coverage/")
    expect(page.locator("#jc-gap-buildings")).to_contain_text("未建楼栋党小组的楼栋")
    expect(page.locator("body")).not_to_contain_text("陡岗")
    screenshot(page, "coverage-wenchang_worker-desktop")
    first = page.locator("#jc-gap-buildings tbody a").first  # the cached rows carry their links
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_contain_text(name)
    page.goto("/map/")
    expect(page.locator("#jc-map")).to_have_attribute("data-loaded", "31")
    expect(page.locator("#jc-map path.leaflet-interactive")).to_have_count(31)
    screenshot(page, "map-wenchang-desktop")


def test_resident_sees_only_own_household_on_a_phone(phone, login, screenshot):
    page = login(phone, "resident_demo")
    expect(page.locator("h1")).to_contain_text("我的家庭")
    expect(page.locator("#jc-my-household .list-group-item").first).to_be_visible()
    screenshot(page, "home-resident_demo-phone")
    response = page.goto("/people/residents/")
    assert response.status in (403, 404) or "我的家庭" not in page.content()
    rows = page.locator("table tbody tr")
    if rows.count():
        # At most their own household members are listed.
        assert rows.count() <= 5


def test_member_sees_own_record_and_community(phone, login, screenshot):
    page = login(phone, "member_demo")
    expect(page.locator("#jc-my-member")).to_contain_text("在职")
    expect(page.locator("body")).to_contain_text("文昌花园社区")
    screenshot(page, "home-member_demo-phone")


def test_wrong_password_gives_a_chinese_message(desktop, login):
    page = login(desktop, "wenchang_worker", password="wrong-Password1")
    expect(page.locator("body")).to_contain_text("用户名或密码错误")


def test_admin_must_enrol_totp(desktop, login, screenshot):
    page = login(desktop, "auditor")
    expect(page).to_have_url(re.compile(r"/accounts/otp/"))
    expect(page.locator("body")).to_contain_text("动态口令")
    # A password alone shows no QR code: first the one-time 绑定码 from the security administrator.
    expect(page.locator("body > main #jc-otp-code-form")).to_be_visible()
    expect(page.locator("#jc-otp-qr")).to_have_count(0)
    screenshot(page, "otp-enrol-auditor-desktop")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/otp/"))


def test_grid_worker_opens_their_grid_and_a_building_on_a_phone(phone, login, screenshot):
    """The grid page's buildings table (links built from one ``reverse``) leads to each building."""
    page = login(phone, "grid_wc01")
    page.get_by_role("link", name=re.compile("^进入")).click()
    expect(page.locator("h1")).to_contain_text("网格")
    first = page.locator(".card:has(.card-header:text-is('楼栋')) tbody a").first
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("body")).to_contain_text("楼栋编码")
    screenshot(page, "building-grid_wc01-phone")
