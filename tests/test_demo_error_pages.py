"""The demo (``jiceng.settings.dev``, DEBUG on) shows jiceng's Chinese error pages, not Django's English
debug pages: a 404 — an unknown address, or an object that does not exist or lies
outside the user's subtree — and a 400 render jiceng/templates/errors like production; a 403 already
did. DEBUG stays on (it is what lets the demo's administrators skip TOTP). A 500 keeps Django's
debug page in the demo: it is a defect, and its traceback is what a demo user reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import path

from jiceng.people.models import Resident

ROOT = Path(__file__).resolve().parent.parent
NOT_FOUND = "未找到该页面或对象，或它不在您的管辖范围内。"
DEBUG_404 = "Using the URLconf defined in"  # Django's technical 404 lists the URL patterns
DEBUG_400 = "Traceback"

DEV_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client

client = Client()
out = {"debug": settings.DEBUG, "otp_skip": settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP}
for path in ("/no-such-page/", "/territory/streets"):
    response = client.get(path)
    out[path] = [response.status_code, response.content.decode(), response.headers.get("Location", "")]
print("RESULT=" + json.dumps(out))
"""


def test_the_real_dev_settings_answer_an_unknown_address_with_the_chinese_404(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiceng.settings.dev", "JICENG_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"}  # fmt: skip
    env.pop("DEBUG", None)
    result = subprocess.run([sys.executable, "-c", DEV_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("RESULT="))[7:])
    assert out["debug"] is True and out["otp_skip"] is True, "the demo keeps DEBUG and the TOTP skip"
    status, body, _ = out["/no-such-page/"]
    assert status == 404
    assert NOT_FOUND in body and "<title>404 · 基层治理平台</title>" in body
    assert DEBUG_404 not in body and "no-such-page" not in body
    # APPEND_SLASH still redirects first (CommonMiddleware sees the 404 and adds the slash).
    assert out["/territory/streets"][0] == 301 and out["/territory/streets"][2] == "/territory/streets/"


def _dev():
    from jiceng.settings import dev

    return override_settings(DEBUG=True, MIDDLEWARE=dev.MIDDLEWARE)


@pytest.mark.django_db
def test_an_object_outside_the_subtree_is_the_chinese_404_in_the_demo(client, login):
    login("wenchang_worker")
    sibling = Resident.objects.filter(scope_path__startswith=_community_path("陡岗社区")).order_by("pk").first()
    with _dev():
        outside = client.get(f"/people/residents/{sibling.pk}/")
        missing = client.get("/people/residents/999999999/")
        unknown = client.get("/people/no-such-list/")
    for response in (outside, missing, unknown):
        body = response.content.decode()
        assert response.status_code == 404
        assert NOT_FOUND in body
        assert DEBUG_404 not in body and "No Resident matches" not in body
    assert outside.content == missing.content, "outside the subtree looks exactly like absent"


@pytest.mark.django_db
def test_a_refusal_is_the_chinese_403_in_the_demo(client, login):
    login("resident_demo")
    with _dev():
        response = client.get("/people/workers/")
    assert response.status_code == 403
    assert "您没有查看该列表的权限。" in response.content.decode()


@pytest.mark.django_db
def test_a_suspicious_request_is_the_chinese_400_in_the_demo(client):
    fields = "&".join(f"f{i}=x" for i in range(1001))  # over DATA_UPLOAD_MAX_NUMBER_FIELDS: TooManyFieldsSent
    with _dev():
        response = client.post("/accounts/login/", data=fields, content_type="application/x-www-form-urlencoded")
    body = response.content.decode()
    assert response.status_code == 400
    assert "请求中的参数过多（最多 1000 个）" in body and "<title>400 · 基层治理平台</title>" in body
    assert DEBUG_400 not in body


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]  # ROOT_URLCONF of the 500 test: a view that fails


@pytest.mark.django_db
def test_a_server_error_keeps_the_debug_page_in_the_demo(client):
    client.raise_request_exception = False
    from jiceng.settings import dev

    with override_settings(DEBUG=True, MIDDLEWARE=dev.MIDDLEWARE, ROOT_URLCONF=__name__):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert "RuntimeError" in response.content.decode() and "boom" in response.content.decode()


def _community_path(name: str) -> str:
    from jiceng.territory.models import Area

    return Area.objects.get(name=name).path
