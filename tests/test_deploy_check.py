"""The production settings pass ``manage.py check --deploy`` with no warnings, and refuse to start
without their secrets. Each check runs in a fresh interpreter: settings are read once per process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET = "deploy-check-only-not-a-real-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

CHECK_SCRIPT = """
import io, sys
import django
from django.core.management import call_command
from django.core.management.base import SystemCheckError

django.setup()
out, err = io.StringIO(), io.StringIO()
try:
    call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=err)
except SystemCheckError as exc:
    print(exc, file=sys.stderr)
    sys.exit(3)
finally:
    sys.stdout.write(out.getvalue())
    sys.stderr.write(err.getvalue())
"""


def run_with_prod_settings(script: str, **env_overrides: str | None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiceng.settings.prod",
        "SECRET_KEY": SECRET,
        "JICENG_FIELD_KEY": "x",
    }
    # The test suite's own relaxation (root conftest.py) must not leak into a production process.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_prod_settings_pass_deploy_check_without_warnings():
    result = run_with_prod_settings(CHECK_SCRIPT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY"),
        ({"JICENG_FIELD_KEY": None}, "JICENG_FIELD_KEY"),
    ],
)
def test_prod_settings_refuse_to_start_without_secrets(overrides, message):
    result = run_with_prod_settings("import django; django.setup()", **overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_prod_settings_are_hardened():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP, s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    result = run_with_prod_settings(script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "False", "zh-hans", "Asia/Shanghai"]
