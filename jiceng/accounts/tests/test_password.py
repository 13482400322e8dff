import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng.accounts import services
from jiceng.accounts.models import PasswordHistory, User
from jiceng.audit.models import AuditLog
from jiceng.testing.personas import PASSWORD

URL = "/accounts/password/"
INITIAL = "Init#2026abc"


@pytest.fixture
def newcomer(personas):
    """An account just opened by the system administrator: no role yet, initial password to change."""
    return services.user_create(actor=personas.sysadmin, username="zhang_wei", display_name="张伟", password=INITIAL)


def _change(client, old, new, confirm=None):
    return client.post(URL, {"old_password": old, "new_password1": new, "new_password2": confirm or new})


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab#1234", "密码长度太短，至少需要 8 个字符。"),
        ("abcdefgh12", "密码须包含大写字母、小写字母、数字、特殊符号中的至少三类。"),
        ("ZHANG_wei", "密码不能与用户名相同。"),
        (INITIAL, "新密码不能与最近 5 次使用过的密码相同。"),
    ],
    ids=["too-short", "two-classes", "equals-username", "current-password"],
)
def test_password_policy_is_enforced_in_chinese(client, newcomer, new, message):
    client.force_login(newcomer)
    response = _change(client, INITIAL, new)
    assert response.status_code == 400
    assert message in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.check_password(INITIAL) and newcomer.must_change_password
    assert not PasswordHistory.objects.filter(user=newcomer).exists()


def test_none_of_the_last_five_passwords_may_come_back(newcomer):
    passwords = [INITIAL, "Second#2026", "Third#2026x", "Fourth#2026", "Fifth#2026x"]
    user = newcomer
    for old, new in zip(passwords, passwords[1:], strict=False):
        user = services.password_change(user=user, old=old, new=new)
    # The current password and the four before it are refused ...
    for reused in passwords:
        with pytest.raises(ValidationError) as exc:
            services.password_change(user=user, old=passwords[-1], new=reused)
        assert exc.value.messages == ["新密码不能与最近 5 次使用过的密码相同。"]
    # ... a sixth change pushes the initial password out of the window, so it may return.
    user = services.password_change(user=user, old=passwords[-1], new="Sixth#2026x")
    user = services.password_change(user=user, old="Sixth#2026x", new=INITIAL)
    assert user.check_password(INITIAL)
    assert PasswordHistory.objects.filter(user=user).count() == 5


def test_change_keeps_old_hash_clears_flag_keeps_session_and_audits(client, newcomer):
    client.force_login(newcomer)
    old_hash = newcomer.password
    response = _change(client, INITIAL, "Brand#New2026")
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.check_password("Brand#New2026")
    assert newcomer.must_change_password is False
    assert timezone.now() - newcomer.password_changed_at < dt.timedelta(minutes=1)
    assert list(PasswordHistory.objects.filter(user=newcomer).values_list("password", flat=True)) == [old_hash]
    assert check_password(INITIAL, old_hash)
    # The session survived the hash change (update_session_auth_hash): the next page is served.
    assert client.get("/", follow=False).status_code == 200
    row = AuditLog.objects.get(action="password_change", username="zhang_wei")
    assert row.success is True


def test_wrong_old_password_is_refused_and_audited(client, newcomer):
    client.force_login(newcomer)
    response = _change(client, "Not#The0ld", "Brand#New2026")
    assert response.status_code == 400
    assert "原密码不正确" in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.check_password(INITIAL)
    assert AuditLog.objects.get(action="password_change", username="zhang_wei").success is False


def test_confirmation_must_match(client, newcomer):
    client.force_login(newcomer)
    response = _change(client, INITIAL, "Brand#New2026", confirm="Brand#New2027")
    assert "两次输入的新密码不一致" in response.content.decode()


def test_first_login_forces_a_change(client, newcomer):
    response = client.post("/accounts/login/", {"username": "zhang_wei", "password": INITIAL})
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == URL
    response = client.get("/territory/streets/")
    assert response["Location"] == f"{URL}?next=%2Fterritory%2Fstreets%2F"
    page = client.get(URL)
    assert "首次登录须修改初始密码" in page.content.decode()
    response = client.post(
        URL, {"old_password": INITIAL, "new_password1": "Brand#New2026", "new_password2": "Brand#New2026"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_91_day_old_password_forces_a_change(client, personas):
    User.objects.filter(username="grid_wc01").update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client.post("/accounts/login/", {"username": "grid_wc01", "password": PASSWORD})
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == URL
    # An 89-day-old password is still fine.
    User.objects.filter(username="grid_wc01").update(password_changed_at=timezone.now() - dt.timedelta(days=89))
    assert User.objects.get(username="grid_wc01").password_expired is False


def test_expired_password_page_says_why(client, newcomer):
    User.objects.filter(pk=newcomer.pk).update(
        must_change_password=False, password_changed_at=timezone.now() - dt.timedelta(days=91)
    )
    client.force_login(User.objects.get(pk=newcomer.pk))
    assert "已使用超过 90 天" in client.get(URL).content.decode()


def test_password_help_is_one_sentence_with_chinese_punctuation(personas):
    from jiceng.accounts.forms import PasswordChangeForm, UserCreateForm

    rules = (
        "密码至少包含 8 个字符；密码须包含大写字母、小写字母、数字、特殊符号中的至少三类；"
        "密码不能与用户名相同；新密码不能与最近 5 次使用过的密码相同。"
    )
    assert UserCreateForm(user=personas.sysadmin).fields["password1"].help_text == rules + "首次登录时须修改。"
    assert PasswordChangeForm().fields["new_password1"].help_text == rules
