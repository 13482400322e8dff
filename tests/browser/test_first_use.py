"""What new users tripped on, in a real browser — at phone size for the pages grid
workers, residents and members use:

* a new account's first login (forced password change) keeps exactly one navbar: the bell's htmx
  request no longer swaps the password page into the navbar, again and again;
* the map picker names the grid a tapped point lies in, says so when it lies in none, and shows the
  server's refusal of a point outside every grid;
* the request queue and the resident list are cards on a phone, tables on a desktop;
* the "对办理人员隐藏我的姓名" checkbox is on the screen, on a phone and on a desktop;
* a Party member's 我要反映 opens the report form (it was a 403);
* a grid worker's home shows their 待办.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NEWCOMER = "newcomer_ux"
INITIAL = "Init#2026abc"
CREATE_NEWCOMER = f"""
from jiceng.accounts.models import RoleGrant, User
area = User.objects.get(username="grid_wc01").grants.get().area
user, _ = User.objects.get_or_create(username="{NEWCOMER}", defaults={{"display_name": "新网格员", "home_area": area}})
user.set_password("{INITIAL}")
user.must_change_password = True
user.save()
RoleGrant.objects.get_or_create(user=user, role="grid_worker", area=area)
"""


def _no_overflow(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, overflow


def test_first_login_with_a_forced_password_change_has_one_navbar(phone, login, live_manage, screenshot):
    live_manage("shell", "-c", CREATE_NEWCOMER)
    page = login(phone, NEWCOMER, INITIAL)
    expect(page).to_have_url(re.compile(r"/accounts/password/"))
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.wait_for_timeout(3000)  # the bell used to load a navbar into the navbar every ~150 ms
    assert page.locator("nav.navbar").count() == 1
    assert navigations == []  # and no reload loop either
    expect(page.locator("#id_old_password")).to_be_visible()
    screenshot(page, "first-login-password-phone")


def _report_form(page):
    page.goto("/tickets/report/")
    page.locator(".jc-kinds label", has_text="求助").click()
    page.select_option("#id_category", label="求助 · 生活求助")
    page.fill("#id_description", "地图选点测试（浏览器测试）")
    map_el = page.locator("#jc-pick-map")
    expect(map_el).to_have_attribute("data-loaded", re.compile(r"^[1-9]\d*$"))
    return map_el


def test_map_picker_names_the_grid_and_refuses_a_point_outside(phone, screenshot):
    page = phone
    map_el = _report_form(page)
    status = page.locator("#jc-pick-status")
    box = map_el.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(map_el).to_have_attribute("data-picked", "1")
    grid = map_el.get_attribute("data-grid")
    assert grid, status.inner_text()
    expect(status).to_contain_text(f"已选位置：{grid}")
    # Drag the grids off the map to the left, then tap the empty space on the right.
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] - 5, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 5, y, steps=12)
    page.mouse.up()
    page.mouse.move(box["x"] + box["width"] - 5, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 5, y, steps=12)
    page.mouse.up()
    page.mouse.click(box["x"] + box["width"] - 15, y)
    expect(map_el).to_have_attribute("data-grid", "")
    expect(status).to_have_text("所选位置不在地图上的网格内，请重新选点或选择楼栋。")
    screenshot(page, "map-picker-outside-phone")
    # Submitted anyway, the server's refusal is on the screen (it used to sit on a hidden field).
    page.fill("#id_reporter_name", "周先生")
    page.fill("#id_reporter_phone", "13855556666")
    page.evaluate("document.querySelector('input[name=lng]').value = '100.0';"
                  "document.querySelector('input[name=lat]').value = '30.0'")  # fmt: skip
    with page.expect_navigation():
        page.get_by_role("button", name="提交诉求").click()
    expect(page.locator("#jc-pick-error")).to_be_visible()
    expect(page.locator("#jc-pick-error")).to_have_text("该位置不在本区任何网格内，请重新选点或选择楼栋。")
    box = page.locator("#jc-pick-error").bounding_box()
    assert box["width"] > 100 and box["height"] > 10
    screenshot(page, "map-picker-refused-phone")


def _checkbox_on_screen(page, viewport) -> None:
    box = page.locator("#id_anonymous").bounding_box()
    form = page.locator("#jc-report-form").bounding_box()
    assert box is not None
    assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"], box
    assert box["x"] >= form["x"], (box, form)  # inside the form, not in its margin
    label = page.locator("label[for=id_anonymous]").bounding_box()
    assert label["x"] >= box["x"] + box["width"], (box, label)  # the label follows the box


def test_hide_my_name_checkbox_is_on_screen_on_phone_and_desktop(phone, desktop, login):
    for page, viewport in ((phone, {"width": 390}), (desktop, {"width": 1366})):
        page.goto("/tickets/report/")
        _checkbox_on_screen(page, viewport)
    resident = login(phone, "resident_demo")
    resident.goto("/tickets/report/")
    _checkbox_on_screen(resident, {"width": 390})
    resident.locator("label[for=id_anonymous]").click()
    expect(resident.locator("#id_anonymous")).to_be_checked()


def _is_card_layout(page, table: str) -> bool:
    return page.evaluate(
        """(sel) => {
          const t = document.querySelector(sel);
          const row = t.querySelector('tbody tr');
          return getComputedStyle(t.querySelector('thead')).display === 'none'
            && getComputedStyle(row).display === 'block';
        }""",
        table,
    )


def test_queue_and_resident_list_are_cards_on_a_phone(phone, desktop, login, screenshot):
    page = login(phone, "grid_wc01")
    page.goto("/tickets/")
    expect(page.locator("#id_status")).to_have_value("open")
    table = page.locator("#jc-ticket-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    assert _is_card_layout(page, "#jc-ticket-table")
    first = table.locator("tbody tr").first
    card = first.bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= 390
    expect(first.locator('td[data-label="状态"]')).to_be_visible()
    expect(first.locator('td[data-label="办理时限"]')).to_be_visible()
    _no_overflow(page)
    screenshot(page, "queue-cards-grid_wc01-phone")
    number = first.get_attribute("data-ticket")
    with page.expect_navigation():
        first.locator("td").first.locator("a").click()
    expect(page.locator("h1")).to_contain_text(number)

    page.goto("/people/residents/")
    assert _is_card_layout(page, "#jc-resident-table")
    expect(page.locator("#jc-resident-table tbody tr").first.locator('td[data-label="网格"]')).to_be_visible()
    _no_overflow(page)
    screenshot(page, "residents-cards-grid_wc01-phone")

    wide = login(desktop, "grid_wc01")
    wide.goto("/tickets/")
    assert not _is_card_layout(wide, "#jc-ticket-table")
    expect(wide.locator("#jc-ticket-table thead")).to_be_visible()
    wide.select_option("#id_status", value="all")
    with wide.expect_navigation():
        wide.get_by_role("button", name="查询").click()
    expect(wide.locator("#id_status")).to_have_value("all")


def test_party_member_files_a_request_on_a_phone(phone, login, screenshot):
    page = login(phone, "member_demo")
    with page.expect_navigation():
        page.locator("#jc-member-tickets").get_by_role("link", name="我要反映").click()
    expect(page.locator("h1")).to_have_text("我要反映")
    page.locator(".jc-kinds label", has_text="投诉").click()
    page.select_option("#id_category", label="投诉 · 物业服务")
    page.fill("#id_description", "联系户反映楼道灯坏了（浏览器测试）")
    page.select_option("#id_building", index=1)
    with page.expect_navigation():
        page.get_by_role("button", name="提交诉求").click()
    expect(page.locator(".alert-success")).to_contain_text("诉求已提交")
    expect(page.locator("#jc-status")).to_have_text("待受理")
    screenshot(page, "member-report-phone")


def test_grid_worker_home_shows_the_todo_on_a_phone(phone, login, screenshot):
    page = login(phone, "grid_wc01")
    expect(page.locator("#jc-todo-title")).to_contain_text("我的待办")
    total = int(page.locator("#jc-todo-total").get_attribute("data-count"))
    page.goto("/tickets/todo/")
    expect(page.locator("h1")).to_have_text("我的待办")
    assert int(page.locator("#jc-todo-total").get_attribute("data-count")) == total
    _no_overflow(page)
    screenshot(page, "todo-grid_wc01-phone")
