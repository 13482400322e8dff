"""The Content-Security-Policy every response carries (django-csp 4.0, ``CONTENT_SECURITY_POLICY`` in
jiceng/settings/base.py). It includes ``base-uri`` (no ``<base>`` can re-point relative script
URLs), ``form-action`` (forms post only to jiceng itself) and ``frame-ancestors`` (no framing, the CSP
twin of ``X-Frame-Options: DENY``). tests/browser/test_csp.py shows the pages that post forms, htmx and
Swagger UI still work under it in Chromium."""

from __future__ import annotations

import pytest

EXPECTED = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "script-src": ["'self'"],
    "connect-src": ["'self'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/docs/", "/tickets/report/", "/tickets/lookup/"])
def test_anonymous_pages_carry_the_whole_policy(client, db, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert _policy(response) == EXPECTED
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_logged_in_page_and_an_htmx_fragment_carry_it_too(client, db, login):
    login("wenchang_worker")
    assert _policy(client.get("/people/residents/")) == EXPECTED
    assert _policy(client.get("/notices/badge/", HTTP_HX_REQUEST="true")) == EXPECTED
