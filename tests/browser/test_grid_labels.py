"""The grid map names its grids with permanent text labels."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_grid_map_labels_every_grid_with_its_name(desktop, login, screenshot):
    page = login(desktop, "wenchang_worker")
    page.goto("/map/")
    expect(page.locator("#jc-map")).to_have_attribute("data-loaded", "31")
    labels = page.locator("#jc-map .leaflet-tooltip.jc-grid-label")
    expect(labels).to_have_count(31)
    names = page.evaluate(
        "fetch(document.getElementById('jc-map').dataset.geojson).then(r => r.json())"
        ".then(d => d.features.map(f => f.properties.name).sort())"
    )
    texts = sorted(labels.all_inner_texts())
    assert texts == names and "文昌花园第1网格" in texts
    # Text nodes only: a label holds no element.
    assert page.eval_on_selector_all("#jc-map .jc-grid-label", "ls => ls.filter(l => l.children.length).length") == 0
    screenshot(page, "map-labels-wenchang-desktop")
