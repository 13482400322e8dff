"""三单制 in Chromium: a resident posts a wish on a phone, the community publishes it to members on a
desktop, member_demo claims and completes it on a phone from 我可认领, and the resident rates it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_post_publish_claim_complete_confirm(phone, desktop, login):
    login(phone, "resident_demo")
    phone.goto("/needs/add/")
    phone.fill("#id_title", "浏览器里的微心愿")
    phone.select_option("#id_category", value="care")
    phone.fill("#id_description", "想请人帮忙买菜")
    phone.get_by_role("button", name="保存").click()
    expect(phone.locator("h1")).to_contain_text("浏览器里的微心愿")
    expect(phone.locator("[data-state]")).to_have_text("待审核")
    url = re.sub(r"^https?://[^/]+", "", phone.url)

    login(desktop, "wenchang_worker")
    desktop.goto(url)
    desktop.get_by_role("link", name="审核发布").click()
    desktop.select_option("#id_audience", value="members")
    desktop.get_by_role("button", name="确认审核发布").click()
    expect(desktop.locator("[data-state]")).to_have_text("待认领")

    phone.context.clear_cookies()
    login(phone, "member_demo")
    phone.goto("/needs/claimable/")
    card = phone.locator("[data-need]", has_text="浏览器里的微心愿")
    card.get_by_role("link", name="认领").click()
    phone.get_by_role("button", name="确认认领").click()
    expect(phone.locator("[data-state]")).to_have_text("已认领")
    phone.get_by_role("link", name="完成").click()
    phone.fill("#id_note", "已买好送到家")
    phone.get_by_role("button", name="确认完成").click()
    expect(phone.locator("[data-state]")).to_have_text("已完成")

    phone.context.clear_cookies()
    login(phone, "resident_demo")
    phone.goto(url)
    phone.get_by_role("link", name="验收评价").click()
    phone.select_option("#id_rating", value="5")
    phone.get_by_role("button", name="确认验收评价").click()
    expect(phone.locator(".jc-attrs")).to_contain_text("5")
    expect(phone.get_by_role("link", name="验收评价")).to_have_count(0)
