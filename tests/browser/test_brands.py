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


def test_activity_photos_upload_on_the_brands_page(desktop, login):
    page = desktop
    login(page, "wenchang_worker")
    page.goto("/brands/")
    page.get_by_role("link", name="香樟树下").click()
    expect(page.get_by_role("heading", name="活动照片")).to_be_visible()
    page.set_input_files("input[name=file]", files=[{"name": "活动.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="上传活动照片").click()
    expect(page.locator("[role=alert], .alert-success").first).to_contain_text("已上传1个活动照片")
    expect(page.locator("img[alt='活动.png']")).to_have_count(1)


def test_the_party_building_overview_charts_the_chosen_figure(desktop, login):
    page = desktop
    login(page, "longpan_admin")
    page.get_by_role("link", name="党建看板").click()
    expect(page.locator("h1")).to_contain_text("党建引领看板 · 龙蟠街道")
    expect(page.locator("#jc-overview-table tbody tr").first).to_be_visible()
    chart = page.locator("#jc-overview-chart")
    expect(chart).to_have_attribute("data-rendered", "quarter_branches")
    page.select_option("#jc-overview-key", label="党员")
    expect(chart).to_have_attribute("data-rendered", "party_members")
    expect(chart.locator("canvas")).to_have_count(1)
    page.locator("#jc-overview-table a", has_text="文昌花园社区").click()
    expect(page.locator("h1")).to_contain_text("党建引领看板 · 文昌花园社区")
