import datetime as dt
import time

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.middleware import RENEWED_KEY
from jiceng.audit.models import AuditLog
from jiceng.testing.personas import PASSWORD

LOGIN_URL = "/accounts/login/"


def _post(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def test_login_page_is_chinese_and_has_the_fields(client, db):
    response = client.get(LOGIN_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_username"' in html and 'id="id_password"' in html
    assert ">登录</button>" in html
    assert "jc-nav" not in html  # no navigation for anonymous visitors
    assert "jc-demo-accounts" not in html  # demo logins only while DEBUG


def test_login_success_is_audited_with_ip(client, personas):
    response = _post(client, "wenchang_worker", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    row = AuditLog.objects.get(action="login")
    assert (row.username, row.success, row.ip) == ("wenchang_worker", True, "10.1.2.3")
    assert row.user == personas.wenchang_worker
    assert row.scope_path == personas.wenchang_worker.scope.grants[0].area_path


def test_login_failure_is_audited_and_says_so_in_chinese(client, personas):
    response = _post(client, "wenchang_worker", "wrong-Password1")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    row = AuditLog.objects.get(action="login_failed")
    assert (row.username, row.success, row.ip) == ("wenchang_worker", False, "10.1.2.3")
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(client, db):
    response = _post(client, "nobody_here", "whatever1A")
    assert "用户名或密码错误" in response.content.decode()
    assert AuditLog.objects.filter(action="login_failed", username="nobody_here", success=False).count() == 1


def test_five_failures_lock_the_account_for_15_minutes(client, personas):
    for _ in range(4):
        assert _post(client, "grid_wc01", "Wrong#pass1").status_code == 200
    fifth = _post(client, "grid_wc01", "Wrong#pass1")
    assert fifth.status_code == 403
    assert "账号已锁定" in fifth.content.decode() and "15 分钟" in fifth.content.decode()
    # The sixth attempt, with the right password, is refused too.
    sixth = _post(client, "grid_wc01", PASSWORD)
    assert sixth.status_code == 403
    assert "已被锁定 15 分钟" in sixth.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AuditLog.objects.filter(action="login", username="grid_wc01").exists()
    assert AuditLog.objects.filter(action="login_failed", username="grid_wc01").count() == 6
    # Another account is not affected (lockout is per user name, not per shared NAT address).
    assert _post(client, "grid_wc02", PASSWORD).status_code == 302


def test_lockout_expires_after_cool_off(client, personas, settings):
    import datetime as dt

    from axes.models import AccessAttempt

    for _ in range(5):
        _post(client, "grid_wc01", "Wrong#pass1")
    AccessAttempt.objects.filter(username="grid_wc01").update(
        attempt_time=AccessAttempt.objects.get(username="grid_wc01").attempt_time - dt.timedelta(minutes=16)
    )
    assert _post(client, "grid_wc01", PASSWORD).status_code == 302


def test_logout_is_post_only_and_audited(client, personas):
    _post(client, "wenchang_worker", PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert AuditLog.objects.filter(action="logout", username="wenchang_worker").count() == 1
    assert "_auth_user_id" not in client.session


def test_pages_need_login(client, db):
    response = client.get("/accounts/users/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_idle_timeout_is_at_most_30_minutes():
    assert settings.SESSION_COOKIE_AGE <= 1800
    assert 0 < settings.JICENG_SESSION_RENEW_SECONDS <= 60


def _session_row(client):
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _set_session(client, *, renewed_ago: int, expires_in: int):
    """Pretend the session was last renewed ``renewed_ago`` seconds ago and ends in ``expires_in``."""
    session = client.session
    session[RENEWED_KEY] = int(time.time()) - renewed_ago
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(seconds=expires_in)
    )


def test_a_session_in_use_is_renewed_at_most_once_a_minute(client, personas):
    assert _post(client, "wenchang_worker", PASSWORD).status_code == 302
    # Renewed a few seconds ago: the page is served without writing the session.
    _set_session(client, renewed_ago=5, expires_in=600)
    before = _session_row(client).expire_date
    assert client.get("/").status_code == 200
    assert _session_row(client).expire_date == before
    # Renewed over a minute ago: this request moves the end to 30 minutes from now.
    _set_session(client, renewed_ago=61, expires_in=600)
    assert client.get("/").status_code == 200
    row = _session_row(client)
    left = (row.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 10 < left <= settings.SESSION_COOKIE_AGE
    assert abs(row.get_decoded()[RENEWED_KEY] - time.time()) < 10


def test_an_idle_session_ends(client, personas):
    assert _post(client, "wenchang_worker", PASSWORD).status_code == 302
    _set_session(client, renewed_ago=1801, expires_in=-1)
    response = client.get("/people/residents/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def test_anonymous_requests_create_no_session(client, db):
    client.cookies[settings.SESSION_COOKIE_NAME] = "stale-or-forged-session-key"
    assert client.get(LOGIN_URL).status_code == 200
    assert not Session.objects.exists()


def test_demo_logins_are_listed_only_while_debug(client, db, settings):
    settings.DEBUG = True
    html = client.get(LOGIN_URL).content.decode()
    assert "jc-demo-accounts" in html and "qu_admin" in html


def test_login_page_leads_visitors_to_report_and_look_up(client, db):
    html = client.get(LOGIN_URL).content.decode()
    assert '<a class="btn btn-outline-danger btn-sm" href="/tickets/report/">我要反映</a>' in html
    assert '<a class="btn btn-outline-secondary btn-sm" href="/tickets/lookup/">凭编号查询</a>' in html
    # Both answer a visitor without an account.
    assert client.get("/tickets/report/").status_code == 200
    assert client.get("/tickets/lookup/").status_code == 200
