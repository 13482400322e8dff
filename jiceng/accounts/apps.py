from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jiceng.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from jiceng.audit.registry import register_detail, register_events, register_redaction

        from .roles import ROLE_CHOICES

        register_events(
            "账号与安全",
            {"login": "登录", "logout": "退出", "login_failed": "登录失败", "password_change": "修改密码",
             "otp_enroll": "绑定动态口令", "otp_verify": "动态口令验证", "otp_reset": "重置动态口令",
             "otp_code_issue": "签发动态口令绑定码", "otp_code_check": "核验动态口令绑定码",
             "user_create": "创建账号", "user_activate": "启用账号", "user_deactivate": "停用账号",
             "role_grant": "授予角色", "role_revoke": "撤销角色"},
        )  # fmt: skip
        register_detail({"devices_removed": "移除的设备数"}, {"role": dict(ROLE_CHOICES)})
        register_redaction("accounts.User", secret={"password"})
        register_redaction("accounts.PasswordHistory", secret={"password"})
        from . import signals  # noqa: F401
