"""Grid names reach every map as text, never as markup (a community worker may rename a grid).

A grid of 文昌花园 is renamed through the edit form (``area_update``) to an HTML payload; the
community map, the heat map of 诉求统计 (community and district), the patrol location picker and the
public "我要反映" picker then show the name in their tooltip as the same characters, no ``<img>`` is
created anywhere and the payload's handler never runs.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAYLOAD = "<img src=x onerror=window.__xss=1>"


def _rename(page, url: str, name: str) -> None:
    page.goto(url)
    page.fill("#id_name", name)
    with page.expect_navigation():
        page.locator("form.jc-form button[type=submit]").click()
    expect(page.locator(".alert-danger, .invalid-feedback")).to_have_count(0)


def _tooltip_of(page, map_id: str, geojson_url: str, name: str):
    """Hover the polygon of the feature named ``name`` (paths are drawn in the features' order)."""
    expect(page.locator(f"#{map_id}")).to_have_attribute("data-loaded", re.compile(r"^[1-9]\d*$"))
    names = page.evaluate(
        "url => fetch(url, {credentials: 'same-origin'}).then(r => r.json())"
        ".then(d => d.features.map(f => f.properties.name))",
        geojson_url,
    )
    index = names.index(name)
    page.locator(f"#{map_id} path.leaflet-interactive").nth(index).hover(force=True)
    tooltip = page.locator(".leaflet-tooltip").last
    expect(tooltip).to_be_visible()
    return tooltip


def _elements(tooltip) -> list[str]:
    return tooltip.evaluate("el => Array.from(el.querySelectorAll('*')).map(e => e.tagName)")


def _assert_text_only(page, tooltip, expected: str) -> None:
    assert tooltip.inner_text() == expected
    assert _elements(tooltip) == ["SPAN"]  # the one text holder: no element was parsed from the name
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_a_grid_named_like_markup_is_text_on_every_map(desktop, phone, login, new_context, screenshot):
    page = login(desktop, "wenchang_worker")
    page.goto("/territory/grids/")
    link = page.locator("table tbody a", has_text=re.compile("第\\d+网格$")).last
    original = link.inner_text()
    link.click()
    area_url = page.url
    edit_url = area_url.rstrip("/") + "/edit/"
    _rename(page, edit_url, PAYLOAD)
    try:
        expect(page.locator("h1")).to_contain_text(PAYLOAD)  # the detail page shows it as text too

        # The community map (社区网格地图).
        page.goto("/map/")
        community = page.locator("#jc-map").get_attribute("data-geojson")
        tooltip = _tooltip_of(page, "jc-map", community, PAYLOAD)
        _assert_text_only(page, tooltip, PAYLOAD)
        screenshot(page, "map-name-as-text-desktop")

        # The heat map of 诉求统计 (the community's).
        page.goto("/tickets/stats/")
        heat = page.locator("#jc-heat-map").get_attribute("data-geojson")
        tooltip = _tooltip_of(page, "jc-heat-map", heat, PAYLOAD)
        assert re.fullmatch(re.escape(PAYLOAD) + r"：\d+ 件（在办 \d+）", tooltip.inner_text())
        assert _elements(tooltip) == ["SPAN"]
        assert page.evaluate("typeof window.__xss") == "undefined"

        # The patrol location picker.
        page.goto("/tickets/patrol/")
        tooltip = _tooltip_of(page, "jc-pick-map", "/tickets/map/grids.geojson", PAYLOAD)
        _assert_text_only(page, tooltip, PAYLOAD)

        # The district's heat map.
        district_context = new_context(viewport={"width": 1366, "height": 900})
        district = login(district_context.new_page(), "qu_admin")
        district.goto("/tickets/stats/")
        heat = district.locator("#jc-heat-map").get_attribute("data-geojson")
        tooltip = _tooltip_of(district, "jc-heat-map", heat, PAYLOAD)
        assert tooltip.inner_text().startswith(PAYLOAD + "：") and _elements(tooltip) == ["SPAN"]
        assert district.evaluate("typeof window.__xss") == "undefined"
        district_context.close()

        # The public map of 我要反映, anonymous, on a phone.
        phone.goto("/tickets/report/")
        tooltip = _tooltip_of(phone, "jc-pick-map", "/tickets/map/grids.geojson", PAYLOAD)
        _assert_text_only(phone, tooltip, PAYLOAD)
        screenshot(phone, "report-map-name-as-text-phone")
    finally:
        _rename(page, edit_url, original)
