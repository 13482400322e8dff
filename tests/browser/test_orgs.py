"""The organisations pages (``jiceng/orgs``) in Chromium, as a street admin: the nav entry, the list of
their street's organisations only, a detail page, and the create form refusing a bad 统一社会信用代码
with its Chinese reason before saving without one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_street_admin_lists_opens_and_creates_an_organisation(desktop, login):
    page = desktop
    login(page, "longpan_admin")
    page.get_by_role("link", name="组织机构").first.click()
    expect(page).to_have_url(re.compile(r"/orgs/$"))
    table = page.locator("table")
    expect(table).to_contain_text("滁州文昌花园物业服务有限公司")
    expect(table).not_to_contain_text("银花西区")  # another street's organisations do not exist here

    page.get_by_role("link", name="滁州文昌花园物业服务有限公司").first.click()
    expect(page.locator("h1")).to_contain_text("滁州文昌花园物业服务有限公司")

    page.goto(page.url.split("/orgs/")[0] + "/orgs/add/")
    page.select_option("#id_kind", label="物业服务企业")
    page.fill("#id_name", "浏览器物业服务有限公司")
    community = page.locator("#id_area option", has_text="文昌花园社区").first.get_attribute("value")
    page.select_option("#id_area", value=community)
    page.fill("#id_uscc", "91341103MA00000001")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("form.jc-form")).to_contain_text("统一社会信用代码格式或校验位不正确。")

    page.fill("#id_uscc", "")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("浏览器物业服务有限公司")
