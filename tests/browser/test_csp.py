"""The pages still work under the full Content-Security-Policy (with ``base-uri 'none'``,
``form-action 'self'``, ``frame-ancestors 'none'`` added; tests/test_security_headers.py pins the header).

Every page records the ``securitypolicyviolation`` events Chromium fires; each walk ends with none:
the login form, an htmx post (revealing an ID number), the export form (its post answers with the
file), and Swagger UI under /api/v1/docs/ rendering the schema."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_login_htmx_post_and_export_form_under_the_policy(desktop, login):
    page = desktop
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, "wenchang_worker")
    expect(page).to_have_url(re.compile(r"/$"))  # the login form's post and its redirect were allowed
    assert _violations(page) == []

    page.goto("/people/residents/")
    page.locator("table tbody tr a").first.click()
    expect(page.locator("#jc-reveal-form")).to_be_visible()
    page.fill("#jc-reveal-form [name=reason]", "入户走访核实身份")
    page.locator("#jc-reveal-form button[type=submit]").click()
    expect(page.locator("#jc-reveal-value")).to_contain_text(re.compile(r"\d{17}[\dX]|1\d{10}"))
    assert _violations(page) == [], "the htmx post swapped its answer in"

    page.goto("/territory/grids/")
    page.locator("#jc-export").click()
    with page.expect_download() as download:
        page.locator("form[action='/exports/new/'] button[type=submit]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert _violations(page) == [], "the export form posted"


def test_swagger_ui_renders_the_schema_under_the_policy(desktop):
    page = desktop
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto("/api/v1/docs/")
    assert response.status == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("jiceng 基层治理平台 API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert _violations(page) == []
