"""The node picker's search box (``accounts/select-filter.js``) in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

SCRIPT = Path(__file__).resolve().parents[2] / "jiceng/accounts/static/accounts/select-filter.js"

pytestmark = pytest.mark.browser


def test_typing_keeps_only_matching_nodes_and_selects_one_of_them(desktop):
    page = desktop
    page.set_content(
        '<form><select id="id_area" name="area" data-jc-filter="输入名称筛选">'
        '<option value="1">南谯区（区）</option><option value="2">　龙蟠街道（街道）</option>'
        '<option value="3">　　文昌花园社区（社区）</option><option value="4">　　　文昌花园第1网格（网格）</option>'
        '<option value="5">　银花街道（街道）</option></select></form>'
    )
    page.add_script_tag(path=str(SCRIPT))
    box = page.locator('input[data-jc-filter-for="id_area"]')
    expect(box).to_have_attribute("placeholder", "输入名称筛选")
    box.fill("文昌")
    visible = page.eval_on_selector_all("#id_area option", "os => os.filter(o => !o.hidden).map(o => o.value)")
    assert visible == ["3", "4"]
    assert page.input_value("#id_area") == "3"
    expect(page.get_by_text("符合“文昌”的有 2 项")).to_be_visible()
    box.fill("<img src=x onerror=alert(1)>")  # text only: nothing typed becomes markup
    assert page.locator("img").count() == 0
    box.fill("")
    assert page.eval_on_selector_all("#id_area option", "os => os.filter(o => o.hidden).length") == 0
