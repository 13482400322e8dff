"""The big Party committee on a desktop: a joint meeting (its agenda starts with the last meeting's open
items), a sign-in, an action item decided there, and its follow-up to 已办结 through the workflow pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_meeting_sign_in_action_item_and_follow_up(desktop, login):
    page = desktop
    login(page, "wenchang_worker")
    page.goto("/committee/members/committees/")
    page.get_by_role("link", name=re.compile("文昌花园社区")).first.click()
    expect(page.locator("[data-testid=current-chair]")).to_contain_text("本期轮值单位：")
    page.get_by_role("link", name="新建联席会议").click()
    page.fill("#id_name", "浏览器里的联席会议")
    page.fill("#id_date", "2099-01-15")
    page.fill("#id_venue", "社区党群服务中心")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("浏览器里的联席会议")
    expect(page.locator("dl")).to_contain_text("一、上次会议议定事项办理情况")

    page.get_by_role("link", name="登记签到").click()
    page.select_option("#id_member", index=1)
    page.get_by_role("button", name="签到").click()
    expect(page.locator(".alert-success, [role=alert]").first).to_contain_text("已签到")
    page.get_by_role("link", name="返回会议").click()

    page.get_by_role("link", name="新增议定事项").click()
    page.fill("#id_name", "浏览器里的议定事项")
    page.select_option("#id_owner_unit", index=1)
    page.fill("#id_deadline", "2099-02-15")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("浏览器里的议定事项")
    expect(page.locator("[data-state]")).to_have_text("待办理")

    page.get_by_role("link", name="开始办理").click()
    page.get_by_role("button", name="确认开始办理").click()
    expect(page.locator("[data-state]")).to_have_text("办理中")
    page.get_by_role("link", name="办结").click()
    page.fill("#id_result", "已协调解决")
    page.get_by_role("button", name="确认办结").click()
    expect(page.locator("[data-state]")).to_have_text("已办结")
    expect(page.get_by_label("办理记录")).to_contain_text("已协调解决")
