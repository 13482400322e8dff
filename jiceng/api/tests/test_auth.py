"""Token issue: password through axes (lockout), TOTP for administrators, audit; errors in Chinese."""

import datetime as dt

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiceng.audit.models import AuditLog
from jiceng.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


def post(data):
    return APIClient().post(URL, data, format="json")


def test_token_issued_and_usable(personas):
    response = post({"username": "longpan_admin", "password": PASSWORD})
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(key=key).user == personas.longpan_admin
    assert AuditLog.objects.filter(action="api_token", username="longpan_admin", success=True).count() == 1

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/streets/").json()["count"] == 1


def test_token_is_stable_across_requests():
    first = post({"username": "wenchang_worker", "password": PASSWORD}).json()["token"]
    second = post({"username": "wenchang_worker", "password": PASSWORD}).json()["token"]
    assert first == second


def test_bad_password_is_400_in_chinese():
    response = post({"username": "longpan_admin", "password": "wrong-password"})
    assert response.status_code == 400
    assert response.json() == {"detail": "用户名或密码错误。"}
    assert not Token.objects.filter(user__username="longpan_admin").exists()


def test_unknown_user_looks_like_bad_password():
    response = post({"username": "nobody", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json() == {"detail": "用户名或密码错误。"}


def test_missing_fields_are_400_in_chinese():
    response = post({})
    assert response.status_code == 400
    assert response.json()["username"] == ["该字段是必填项。"]


def test_lockout_after_five_failures():
    statuses = [post({"username": "yinhua_admin", "password": f"wrong-{i}"}).status_code for i in range(5)]
    assert statuses == [400, 400, 400, 400, 403]
    # The fifth failure reaches the limit and locks the account; then even the right password is refused.
    response = post({"username": "yinhua_admin", "password": PASSWORD})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "锁定" in response.json()["detail"]
    assert not Token.objects.filter(user__username="yinhua_admin").exists()
    # Another account is not affected (the lock is per account, not per address).
    assert post({"username": "tongle_admin", "password": PASSWORD}).status_code == 200


def test_success_resets_failure_count():
    for i in range(4):
        assert post({"username": "tongle_admin", "password": f"wrong-{i}"}).status_code == 400
    assert post({"username": "tongle_admin", "password": PASSWORD}).status_code == 200
    for i in range(4):
        assert post({"username": "tongle_admin", "password": f"wrong-{i}"}).status_code == 400
    assert post({"username": "tongle_admin", "password": PASSWORD}).status_code == 200


def _device(user):
    return TOTPDevice.objects.create(user=user, name="验证器", confirmed=True)


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def test_admin_needs_otp(personas):
    device = _device(personas.sysadmin)
    response = post({"username": "sysadmin", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json() == {"detail": "管理员账号须提供动态口令（otp_token）。"}
    assert AuditLog.objects.filter(action="api_token", username="sysadmin", success=False).exists()

    wrong = "000000" if _code(device) != "000000" else "111111"
    response = post({"username": "sysadmin", "password": PASSWORD, "otp_token": wrong})
    assert response.status_code == 400
    assert response.json() == {"detail": "动态口令错误或已过期。"}
    assert not Token.objects.filter(user__username="sysadmin").exists()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a wrong code; the test does not wait

    response = post({"username": "sysadmin", "password": PASSWORD, "otp_token": _code(device)})
    assert response.status_code == 200
    assert Token.objects.filter(user__username="sysadmin", key=response.json()["token"]).exists()


def test_admin_without_confirmed_device_cannot_get_token(personas):
    device = TOTPDevice.objects.create(user=personas.auditor, name="未确认", confirmed=False)
    response = post({"username": "auditor", "password": PASSWORD, "otp_token": _code(device)})
    assert response.status_code == 400
    assert not Token.objects.filter(user__username="auditor").exists()


def test_demo_may_skip_otp_only_with_debug():
    with override_settings(DEBUG=False, JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP=True):
        assert post({"username": "secadmin", "password": PASSWORD}).status_code == 400
    with override_settings(DEBUG=True, JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP=True):
        assert post({"username": "secadmin", "password": PASSWORD}).status_code == 200


def test_non_admin_needs_no_otp():
    assert post({"username": "grid_wc01", "password": PASSWORD}).status_code == 200


def test_password_change_required_refuses_token(personas):
    user = personas.dougang_worker
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    response = post({"username": "dougang_worker", "password": PASSWORD})
    assert response.status_code == 403
    assert "修改密码" in response.json()["detail"]


def test_inactive_user_gets_no_token(personas):
    user = personas.dougang_worker
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert post({"username": "dougang_worker", "password": PASSWORD}).status_code == 400


# --- Errors in Chinese --------------------------------------------------------------------------


def test_unauthenticated_is_401_with_token_challenge():
    response = APIClient().get("/api/v1/residents/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "身份认证信息未提供。"}


def test_invalid_token_is_401_in_chinese():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = client.get("/api/v1/residents/")
    assert response.status_code == 401
    assert response.json() == {"detail": "认证令牌无效。"}


def test_not_found_is_chinese_and_names_no_model(api):
    response = api("longpan_admin").get("/api/v1/residents/999999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_method_not_allowed_is_chinese(api):
    response = api("longpan_admin").post("/api/v1/residents/", {}, format="json")
    assert response.status_code == 405
    assert "POST" in response.json()["detail"]
    assert "not allowed" not in response.json()["detail"]


def test_english_request_still_gets_chinese(api):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/streets/")
    assert response.status_code == 401
    assert response.json() == {"detail": "身份认证信息未提供。"}


def test_session_admin_without_otp_is_refused(client, personas):
    client.force_login(personas.sysadmin)
    response = client.get("/api/v1/areas/")
    assert response.status_code == 403
    assert "动态口令" in response.json()["detail"]


def test_session_user_may_use_api(client, personas):
    client.force_login(personas.longpan_admin)
    assert client.get("/api/v1/streets/").json()["count"] == 1


def test_expired_password_closes_the_api_for_an_existing_token(api, personas):
    client = api("dougang_worker")
    assert client.get("/api/v1/communities/").status_code == 200
    user = personas.dougang_worker
    user.password_changed_at = user.password_changed_at - dt.timedelta(days=91)
    user.save(update_fields=["password_changed_at"])
    response = client.get("/api/v1/communities/")
    assert response.status_code == 403
    assert "修改密码" in response.json()["detail"]
