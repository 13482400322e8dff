import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.accounts import services
from jiceng.audit.models import AuditLog
from jiceng.testing.personas import PASSWORD

from .utils import current_code, verified_login

OTP_URL = "/accounts/otp/"


def _login(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditor"])
def test_admin_roles_must_pass_totp_before_any_page(client, personas, settings, username):
    settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP = False
    _login(client, username)
    for url in ["/", "/accounts/users/", "/audit/", "/territory/streets/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(OTP_URL), url


def test_totp_is_required_even_when_debug_if_the_demo_skip_is_off(client, personas, settings):
    settings.DEBUG = True
    settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP = False
    _login(client, "sysadmin")
    assert client.get("/")["Location"] == OTP_URL


def test_demo_skip_needs_debug(client, personas, settings):
    settings.DEBUG = False
    settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP = True
    _login(client, "auditor")
    assert client.get("/")["Location"] == OTP_URL


def test_demo_mode_lets_admins_skip_and_says_so(client, personas, settings):
    settings.DEBUG = True
    settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP = True
    _login(client, "sysadmin")
    home = client.get("/")
    assert home.status_code == 200
    assert "jc-demo-otp-banner" in home.content.decode()
    page = client.get(OTP_URL).content.decode()
    assert "演示模式可暂不绑定" in page


def test_business_users_are_not_asked_for_totp(client, personas):
    _login(client, "grid_wc01")
    assert client.get("/accounts/otp/").status_code == 200  # they may enrol voluntarily
    assert not TOTPDevice.objects.filter(user=personas.grid_wc01, confirmed=True).exists()


def test_enrolment_then_verification_with_real_codes(client, personas, settings):
    settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP = False
    # The first security administrator's enrolment code comes from the server (manage.py).
    code, _ = services.otp_enrolment_code_issue(actor=None, user=personas.secadmin)
    _login(client, "secadmin")
    page = client.get(OTP_URL).content.decode()
    assert "<svg" not in page and "jc-otp-code-form" in page  # a password alone shows no secret
    assert not TOTPDevice.objects.filter(user=personas.secadmin).exists()
    page = client.post(OTP_URL, {"enrolment_code": code.lower().replace("-", " ")})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "jc-otp-qr" in html and "<script" not in html.split("jc-otp-qr")[1].split("</div>")[0]
    device = TOTPDevice.objects.get(user=personas.secadmin, confirmed=False)
    assert "otpauth://totp/%E5%9F%BA%E5%B1%82%E6%B2%BB%E7%90%86%E5%B9%B3%E5%8F%B0%3Asecadmin?secret=" in html
    # Reloading shows the same secret (the pending device is reused).
    assert client.get(OTP_URL).content.decode().count(device.key) == 0  # hex key never shown
    assert TOTPDevice.objects.filter(user=personas.secadmin).count() == 1

    wrong = client.post(OTP_URL, {"token": "000000" if current_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "动态口令错误或已过期" in wrong.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)

    response = client.post(OTP_URL, {"token": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/accounts/users/").status_code == 200
    assert list(
        AuditLog.objects.filter(action="otp_enroll", username="secadmin").values_list("success", flat=True)
    ) == [True, False]

    # A new login must verify with the enrolled device; enrolling another one is not offered.
    client.post("/accounts/logout/")
    _login(client, "secadmin")
    assert client.get("/accounts/users/")["Location"].startswith(OTP_URL)
    page = client.get(OTP_URL).content.decode()
    assert "<svg" not in page and "请打开已绑定的验证器" in page
    # The code already used is refused (no replay); the next one is accepted.
    assert client.post(OTP_URL, {"token": current_code(device)}).status_code == 400
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()
    response = client.post(OTP_URL, {"token": current_code(device, drift=1)})
    assert response.status_code == 302
    assert client.get("/accounts/users/").status_code == 200
    assert TOTPDevice.objects.filter(user=personas.secadmin).count() == 1
    verify_rows = AuditLog.objects.filter(action="otp_verify", username="secadmin").order_by("id")
    assert list(verify_rows.values_list("success", flat=True)) == [False, True]


def test_verification_returns_to_the_page_asked_for(client, personas):
    user = personas.auditor
    device = TOTPDevice.objects.create(user=user, name="验证器", confirmed=True)
    _login(client, "auditor")
    response = client.get("/audit/?action=login")
    assert response["Location"] == f"{OTP_URL}?next=%2Faudit%2F%3Faction%3Dlogin"
    response = client.post(f"{OTP_URL}?next=/audit/%3Faction%3Dlogin", {"token": current_code(device)})
    assert response.status_code == 302 and response["Location"] == "/audit/?action=login"


def test_next_cannot_point_off_site(client, personas):
    device = TOTPDevice.objects.create(user=personas.auditor, name="验证器", confirmed=True)
    _login(client, "auditor")
    response = client.post(f"{OTP_URL}?next=https://evil.example/", {"token": current_code(device)})
    assert response.status_code == 302 and response["Location"] == "/"


def test_invalid_code_format_in_chinese(client, personas):
    TOTPDevice.objects.create(user=personas.auditor, name="验证器", confirmed=True)
    _login(client, "auditor")
    response = client.post(OTP_URL, {"token": "12ab"})
    assert response.status_code == 400 and "动态口令为 6 位数字" in response.content.decode()


def test_verified_helper_passes_the_gate(client, personas):
    verified_login(client, "sysadmin")
    assert client.get("/accounts/users/").status_code == 200


def test_security_admin_resets_a_lost_authenticator(client, personas):
    target = personas.auditor
    TOTPDevice.objects.create(user=target, name="旧手机", confirmed=True)
    verified_login(client, "secadmin")
    assert "重置（手机丢失时）" in client.get(f"/accounts/users/{target.pk}/").content.decode()
    assert client.post(f"/accounts/users/{target.pk}/otp-reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert AuditLog.objects.get(action="otp_reset").detail == {"devices_removed": 1}


def test_system_admin_cannot_reset_totp(client, personas):
    target = personas.auditor
    TOTPDevice.objects.create(user=target, name="旧手机", confirmed=True)
    verified_login(client, "sysadmin")
    assert client.post(f"/accounts/users/{target.pk}/otp-reset/").status_code == 404
    assert TOTPDevice.objects.filter(user=target, confirmed=True).exists()
