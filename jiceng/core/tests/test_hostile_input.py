"""Hostile request input answers a clear Chinese 400 (or 413), never a 500.

``jiceng.core.middleware.HostileInputMiddleware`` refuses NUL characters anywhere in the path, the
parameters or a JSON body (PostgreSQL cannot take them), JSON nested too deep, and over-large bodies —
as JSON under ``/api/``, as a GeoReport v2 error array under ``/open311/``, as the HTML page elsewhere.
Nothing is written on a refusal.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jiceng.core.middleware import DEPTH_MESSAGE, MAX_JSON_DEPTH, NUL_MESSAGE

pytestmark = pytest.mark.django_db

TOO_BIG = "请求体过大（上限 2.5 MB），请缩小后重试；上传文件请使用文件字段。"


@pytest.fixture
def api(db):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from jiceng.testing.personas import persona

    def _api(username: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=persona(username))[0].key}")
        return client

    return _api


def _api_refusal(response, message=NUL_MESSAGE, status=400):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": message}


def _open311_refusal(response, message=NUL_MESSAGE, status=400):
    assert response.status_code == status, response.content[:300]
    assert response.json() == [{"code": status, "description": message}]


def _html_refusal(response, message=NUL_MESSAGE, status=400):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


@pytest.mark.parametrize(
    "path, params",
    [
        ("/open311/v2/requests.json", {"service_request_id": "2026\x00"}),
        ("/open311/v2/requests.json", {"service_code": "\x00"}),
        ("/open311/v2/requests.json", {"status\x00": "open"}),
        ("/open311/v2/services.json", {"jurisdiction_id": "a\x00"}),
    ],
)
def test_nul_in_open311_parameters(path, params):
    _open311_refusal(Client().get(path, params))


def test_nul_in_open311_path_and_post_and_xml():
    _open311_refusal(Client().get("/open311/v2/requests/%00.json"))
    _open311_refusal(Client().post("/open311/v2/requests.json", {"service_code": "201", "api_key": "\x00"}))
    xml = Client().get("/open311/v2/requests.xml", {"service_code": "\x00"})
    assert xml.status_code == 400 and xml["Content-Type"].startswith("text/xml")
    assert xml.content.decode() == (
        f"<?xml version='1.0' encoding='utf-8'?>\n<errors><error><code>400</code>"
        f"<description>{NUL_MESSAGE}</description></error></errors>"
    )


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/v1/residents/", {"search": "张\x00"}),
        ("/api/v1/tickets/", {"status": "\x00"}),
        ("/api/v1/areas/", {"kind": "grid", "path\x00": "1"}),
        ("/api/v1/notifications/", {"unread": "\x00"}),
    ],
)
def test_nul_in_api_filters(api, path, params):
    _api_refusal(api("longpan_admin").get(path, params))


def test_nul_in_a_json_body_string_or_key(api):
    from rest_framework.authtoken.models import Token

    before = Token.objects.count()
    client = Client()
    for body in ('{"username": "grid_wc01\\u0000", "password": "x"}', '{"user\\u0000": 1}', '["\\u0000"]'):
        _api_refusal(client.post("/api/v1/auth/token/", body, content_type="application/json"))
    assert Token.objects.count() == before
    # A raw NUL byte, and the same in a body that is not JSON at all.
    _api_refusal(client.post("/api/v1/auth/token/", b'{"username": "a\x00"}', content_type="application/json"))
    # ``\\u0000`` is the six characters \u0000 (an escaped backslash), not a NUL: the endpoint answers.
    ok = client.post(
        "/api/v1/auth/token/", '{"username": "a\\\\u0000", "password": "x"}', content_type="application/json"
    )
    assert ok.status_code == 400 and ok.json() == {"detail": "用户名或密码错误。"}


def test_nul_in_the_login_form_writes_nothing():
    from axes.models import AccessAttempt

    before = AccessAttempt.objects.count()
    response = Client().post("/accounts/login/", {"username": "grid_wc01\x00", "password": "x"})
    _html_refusal(response)
    assert AccessAttempt.objects.count() == before


def test_nul_in_page_parameters_and_paths(login, client):
    login("longpan_admin")
    _html_refusal(client.get("/people/residents/", {"q": "\x00"}))
    _html_refusal(client.get("/tickets/lookup/", {"ticket_no": "\x00", "code": "1"}))
    _html_refusal(client.get("/people/residents/%00/"))


def test_deeply_nested_json_to_the_token_endpoint():
    client = Client()
    message = DEPTH_MESSAGE.format(depth=MAX_JSON_DEPTH)
    for depth in (100_000, MAX_JSON_DEPTH + 1):
        nested = "[" * depth + "]" * depth
        _api_refusal(client.post("/api/v1/auth/token/", nested, content_type="application/json"), message)
        body = '{"username": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
        _api_refusal(client.post("/api/v1/auth/token/", body, content_type="application/json"), message)
    # Brackets inside strings are text, not nesting.
    flat = json.dumps({"username": "[" * 100, "password": "{" * 100})
    assert client.post("/api/v1/auth/token/", flat, content_type="application/json").json() == {
        "detail": "用户名或密码错误。"
    }


def test_deep_nesting_message():
    response = Client().post("/api/v1/auth/token/", "[" * 5000, content_type="application/json")
    _api_refusal(response, DEPTH_MESSAGE.format(depth=MAX_JSON_DEPTH))


def test_over_large_bodies_answer_in_the_shape_of_their_part_of_the_site(settings):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    client = Client()
    _api_refusal(
        client.post("/api/v1/auth/token/", json.dumps({"username": big}), content_type="application/json"),
        TOO_BIG,
        413,
    )
    _api_refusal(client.post("/api/v1/auth/token/", {"username": big}), TOO_BIG, 413)
    _open311_refusal(client.post("/open311/v2/requests.json", {"description": big}), TOO_BIG, 413)
    _html_refusal(client.post("/accounts/login/", {"username": big}), TOO_BIG, 413)


def test_too_many_fields(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    message = "请求中的参数过多（最多 10 个）。"
    query = "&".join(f"f{i}=1" for i in range(11))
    client = Client()
    _api_refusal(client.get(f"/api/v1/residents/?{query}"), message)
    _open311_refusal(client.get(f"/open311/v2/requests.json?{query}"), message)
    _open311_refusal(client.post("/open311/v2/requests.json", {f"f{i}": "1" for i in range(11)}), message)
    _html_refusal(client.post("/accounts/login/", {f"f{i}": "1" for i in range(11)}), message)


def test_handler400_answers_json_under_the_api():
    from django.core.exceptions import SuspiciousOperation
    from django.test import RequestFactory

    from jiceng.core.views import bad_request

    request = RequestFactory().get("/api/v1/residents/")
    response = bad_request(request, SuspiciousOperation("x"))
    assert response.status_code == 400 and json.loads(response.content) == {"detail": "请求有误，请检查输入后重试。"}
    page = bad_request(RequestFactory().get("/people/"), SuspiciousOperation("x"))
    assert page.status_code == 400 and "请求有误，请检查输入后重试。" in page.content.decode()
