"""Binding an administrator's first authenticator needs a one-time enrolment code (动态口令绑定码) from
the security administrator (the first one's from ``manage.py issue_enrolment_code``); changing an
administrator's password needs a TOTP-verified session."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts import services
from jiceng.accounts.models import OTPEnrolmentCode, User
from jiceng.audit.models import AuditLog
from jiceng.testing.personas import PASSWORD

from .utils import current_code, verified_login

pytestmark = pytest.mark.django_db

OTP_URL = "/accounts/otp/"
PASSWORD_URL = "/accounts/password/"
NEW_PASSWORD = "Xin#Mima2027"


@pytest.fixture(autouse=True)
def no_demo_skip(settings):
    settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP = False


def _login(client, username):
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302


def _digest(code):
    return hashlib.sha256(code.replace("-", "").encode()).hexdigest()


def test_a_password_alone_binds_no_authenticator(client, personas):
    _login(client, "auditor")
    page = client.get(OTP_URL)
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "jc-otp-code-form" in html and "<svg" not in html and "otpauth://" not in html
    assert not TOTPDevice.objects.filter(user=personas.auditor).exists()
    # A 6-digit code is not an enrolment code; a made-up one is refused and audited.
    response = client.post(OTP_URL, {"enrolment_code": "123456"})
    assert response.status_code == 400
    assert "绑定码无效、已使用或已过期" in response.content.decode()
    response = client.post(OTP_URL, {"token": "123456"})
    assert response.status_code == 400 and "请输入安全管理员签发的绑定码" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=personas.auditor).exists()
    assert list(AuditLog.objects.filter(action="otp_code_check").values_list("username", "success")) == [
        ("auditor", False)
    ]
    assert client.get("/audit/")["Location"].startswith(OTP_URL)


def test_the_security_admin_issues_a_code_shown_once_stored_hashed(client, personas):
    auditor = personas.auditor
    verified_login(client, "secadmin")
    detail = client.get(f"/accounts/users/{auditor.pk}/").content.decode()
    assert 'id="jc-issue-code"' in detail and "签发绑定码" in detail
    before = timezone.now()
    response = client.post(f"/accounts/users/{auditor.pk}/enrolment-code/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    code = html.split('id="jc-enrolment-code">')[1].split("<")[0]
    assert len(code) == 19 and code.count("-") == 3
    row = OTPEnrolmentCode.objects.get(user=auditor)
    assert row.code_hash == _digest(code) and code.replace("-", "") not in row.code_hash
    assert row.issued_by.username == "secadmin" and row.used_at is None
    assert before + timedelta(hours=24) <= row.expires_at <= timezone.now() + timedelta(hours=24)
    log = AuditLog.objects.get(action="otp_code_issue")
    assert (log.username, log.object_repr, log.detail["via"]) == ("secadmin", str(auditor), "page")
    assert code.replace("-", "") not in str(log.detail)
    assert "已签发绑定码" in client.get(f"/accounts/users/{auditor.pk}/").content.decode()


def test_binding_with_the_code_then_the_code_is_used_up(client, personas):
    auditor = personas.auditor
    code, row = services.otp_enrolment_code_issue(actor=personas.secadmin, user=auditor)
    # A pending device made before the fix (its secret seen by whoever had the password) is dropped.
    stale = TOTPDevice.objects.create(user=auditor, name="旧的", confirmed=False)
    _login(client, "auditor")
    page = client.post(OTP_URL, {"enrolment_code": code})
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert not TOTPDevice.objects.filter(pk=stale.pk).exists()
    device = TOTPDevice.objects.get(user=auditor, confirmed=False)
    assert services.otp_secret(device) in page.content.decode()
    assert services.otp_secret(device) in client.get(OTP_URL).content.decode()  # the same device on reload
    assert client.post(OTP_URL, {"token": current_code(stale)}).status_code == 400
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()
    response = client.post(OTP_URL, {"token": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    row.refresh_from_db()
    assert device.confirmed is True and row.used_at is not None
    assert client.get("/audit/").status_code == 200
    # The same code never binds again (after a reset, a new one is needed).
    services.otp_reset(actor=personas.secadmin, user=auditor)
    client.post("/accounts/logout/")
    _login(client, "auditor")
    assert client.post(OTP_URL, {"enrolment_code": code}).status_code == 400
    assert not TOTPDevice.objects.filter(user=auditor).exists()


def test_expired_voided_and_foreign_codes_are_refused(client, personas):
    auditor, sysadmin = personas.auditor, personas.sysadmin
    old, _ = services.otp_enrolment_code_issue(actor=personas.secadmin, user=auditor)
    new, row = services.otp_enrolment_code_issue(actor=personas.secadmin, user=auditor)  # voids ``old``
    other, _ = services.otp_enrolment_code_issue(actor=personas.secadmin, user=sysadmin)
    _login(client, "auditor")
    assert client.post(OTP_URL, {"enrolment_code": old}).status_code == 400
    assert client.post(OTP_URL, {"enrolment_code": other}).status_code == 400  # sysadmin's, not auditor's
    OTPEnrolmentCode.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(OTP_URL, {"enrolment_code": new}).status_code == 400
    assert not TOTPDevice.objects.filter(user=auditor).exists()


def test_who_may_issue_a_code(client, personas):
    secadmin, auditor = personas.secadmin, personas.auditor
    with pytest.raises(ValidationError, match="不能给自己签发绑定码"):
        services.otp_enrolment_code_issue(actor=secadmin, user=secadmin)
    with pytest.raises(PermissionDenied):
        services.otp_enrolment_code_issue(actor=personas.sysadmin, user=auditor)
    TOTPDevice.objects.create(user=auditor, name="手机", confirmed=True)
    with pytest.raises(ValidationError, match="已绑定动态口令"):
        services.otp_enrolment_code_issue(actor=secadmin, user=auditor)
    assert not OTPEnrolmentCode.objects.exists() and not AuditLog.objects.filter(action="otp_code_issue").exists()
    verified_login(client, "sysadmin")
    assert client.post(f"/accounts/users/{auditor.pk}/enrolment-code/").status_code == 404


def test_the_first_security_admin_gets_the_code_from_manage_py(client, personas):
    out = StringIO()
    call_command("issue_enrolment_code", "secadmin", stdout=out)
    code = out.getvalue().split("绑定码：")[1].split()[0]
    assert OTPEnrolmentCode.objects.get(user=personas.secadmin).code_hash == _digest(code)
    log = AuditLog.objects.get(action="otp_code_issue")
    assert (log.username, log.detail["via"]) == ("", "manage.py")
    _login(client, "secadmin")
    assert "<svg" in client.post(OTP_URL, {"enrolment_code": code}).content.decode()
    with pytest.raises(CommandError, match="没有账号"):
        call_command("issue_enrolment_code", "nobody", stdout=StringIO())
    TOTPDevice.objects.filter(user=personas.secadmin).update(confirmed=True)
    with pytest.raises(CommandError, match="已绑定动态口令"):
        call_command("issue_enrolment_code", "secadmin", stdout=StringIO())
    call_command("issue_enrolment_code", "secadmin", "--reset", stdout=StringIO())  # the phone is lost
    assert not TOTPDevice.objects.filter(user=personas.secadmin).exists()
    assert AuditLog.objects.get(action="otp_reset").detail == {"devices_removed": 1, "via": "manage.py"}


def test_an_admin_changes_the_password_only_in_a_verified_session(client, personas):
    auditor = personas.auditor
    TOTPDevice.objects.create(user=auditor, name="手机", confirmed=True)
    _login(client, "auditor")  # password only
    response = client.get(PASSWORD_URL)
    assert response.status_code == 302 and response["Location"] == f"{OTP_URL}?next=%2Faccounts%2Fpassword%2F"
    response = client.post(
        PASSWORD_URL, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"].startswith(OTP_URL)
    assert User.objects.get(pk=auditor.pk).check_password(PASSWORD)
    assert not AuditLog.objects.filter(action="password_change").exists()

    verified_login(client, "auditor")
    assert client.get(PASSWORD_URL).status_code == 200
    response = client.post(
        PASSWORD_URL, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=auditor.pk).check_password(NEW_PASSWORD)


def test_a_new_admin_verifies_totp_before_the_forced_password_change(client, personas):
    User.objects.filter(username="auditor").update(must_change_password=True)
    _login(client, "auditor")
    assert client.get("/")["Location"] == OTP_URL
    assert client.get(PASSWORD_URL)["Location"].startswith(OTP_URL)
    # A business account goes straight to the password page as before.
    User.objects.filter(username="grid_wc01").update(must_change_password=True)
    client.post("/accounts/logout/")
    _login(client, "grid_wc01")
    assert client.get("/")["Location"] == PASSWORD_URL
    assert client.get(PASSWORD_URL).status_code == 200


def test_the_demo_still_lets_admins_skip(client, personas, settings):
    settings.DEBUG = True
    settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP = True
    _login(client, "sysadmin")
    assert client.get("/").status_code == 200
    assert client.get(PASSWORD_URL).status_code == 200
