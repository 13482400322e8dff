"""在职党员双报到 on a phone (390×844): the member's page 我的双报到 — their report, the posts of their
community, recording a service and a visit whose problem becomes a request — with nothing wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def test_member_page_on_a_phone_records_a_service_and_a_visit(phone, login, screenshot):
    page = phone
    login(page, "member_demo")
    page.goto("/members/reports/")
    expect(page.locator("h1")).to_contain_text("我的双报到")
    expect(page.locator("#jc-report [data-state]")).to_have_text("已报到")
    expect(page.locator("#jc-posts")).to_contain_text("平安巡逻队员")
    _fits(page)
    screenshot(page, "members-my-phone")

    form = page.locator("#jc-services form")
    form.locator("[name=hours]").fill("2")
    form.locator("[name=kind]").select_option("activity")
    form.locator("[name=content]").fill("浏览器里的垃圾分类宣传")
    form.get_by_role("button", name="登记服务").click()
    expect(page.locator(".alert-success, [role=alert]").first).to_contain_text("服务已登记")
    expect(page.locator("#jc-services")).to_contain_text("浏览器里的垃圾分类宣传")

    visit = page.locator("#jc-households form")
    visit.locator("[name=notes]").fill("电话问候，一切正常")
    visit.locator("[name=problem]").fill("单元门禁坏了")
    visit.get_by_role("button", name="记录走访").click()
    expect(page.locator(".alert-success, [role=alert]").first).to_contain_text("已转为诉求")
    expect(page.locator("#jc-households")).to_contain_text("已转诉求")
    _fits(page)
