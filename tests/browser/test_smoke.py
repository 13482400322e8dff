"""Smoke test of the browser harness: the login page renders in Chinese on desktop and phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_login_page_is_in_chinese_on_desktop_and_phone(desktop, phone, screenshot):
    for name, page in (("desktop", desktop), ("phone", phone)):
        response = page.goto("/accounts/login/")
        assert response is not None and response.status == 200, f"{name}: {response and response.status}"
        expect(page.locator("body")).to_contain_text("登录")
        expect(page.locator("#id_username")).to_be_visible()
        expect(page.locator("#id_password")).to_be_visible()
        screenshot(page, f"login-{name}")
