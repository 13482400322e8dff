"""The governance brand's pages, made only from its declaration (``jiceng/brands/entities.py``), in
Chromium: the nav entry, the list with its search, and the create form with a logo upload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_nav_list_search_and_create_with_a_logo(desktop, login):
    page = desktop
    login(page, "wenchang_worker")
    page.get_by_role("button", name="党建品牌").or_(page.get_by_role("link", name="党建品牌")).first.click()
    page.get_by_role("link", name="治理品牌").click()
    expect(page).to_have_url(re.compile(r"/brands/$"))
    expect(page.locator("table")).to_contain_text("香樟树下")
    expect(page.locator("table")).not_to_contain_text("红色陡岗")  # the sibling community's brand

    page.fill("input[name=q]", "一格")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table")).to_contain_text("一格一姐")

    page.get_by_role("link", name="新建治理品牌").click()
    page.fill("#id_name", "浏览器里的品牌")
    community = page.locator("#id_area option", has_text="文昌花园社区").first.get_attribute("value")
    page.select_option("#id_area", value=community)
    page.fill("#id_start_date", "2024-05-01")
    page.set_input_files("#id_logo", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("浏览器里的品牌")
    expect(page.locator(".alert-success, .toast, [role=alert]").first).to_contain_text("已保存治理品牌")
    expect(page.locator("img[alt=品牌标识]")).to_be_visible()
