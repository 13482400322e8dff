"""Account forms: they collect and clean input; the services in ``services.py`` check and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts

from jiceng.core.forms import bootstrapify

from . import selectors
from .roles import ROLE_CHOICES

INVALID_LOGIN = "用户名或密码错误。"


def _password_help() -> str:
    """The validators' rules as one sentence: 密码至少包含 8 个字符；……；新密码不能……相同。"""
    return "；".join(text.rstrip("。；") for text in password_validators_help_texts()) + "。"


class LoginForm(AuthenticationForm):
    error_messages = {
        # The same message for an unknown user, a wrong password and a disabled account.
        "invalid_login": INVALID_LOGIN,
        "inactive": INVALID_LOGIN,
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"autocapitalize": "none", "autocorrect": "off"})
        self.fields["username"].error_messages["required"] = "请输入用户名。"
        self.fields["password"].error_messages["required"] = "请输入密码。"
        bootstrapify(self)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": "请输入原密码。"},
    )
    new_password1 = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "请输入新密码。"},
    )
    new_password2 = forms.CharField(
        label="确认新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "请再次输入新密码。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = _password_help()
        bootstrapify(self)

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class EnrolmentCodeForm(forms.Form):
    """Step 1 of binding an authenticator: the one-time code the security administrator issued."""

    enrolment_code = forms.CharField(
        label="绑定码",
        max_length=40,
        error_messages={"required": "请输入安全管理员签发的绑定码。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class TokenForm(forms.Form):
    token = forms.RegexField(
        label="动态口令",
        regex=r"^\s*\d{6}\s*$",
        max_length=10,
        error_messages={"required": "请输入 6 位动态口令。", "invalid": "动态口令为 6 位数字。"},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "pattern": r"\d{6}"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)

    def clean_token(self):
        return self.cleaned_data["token"].strip()


class FilterableSelect(forms.Select):
    """A drop-down with a search box above it (``select-filter.js``): the node picker lists a whole
    district's nodes, too many to scroll."""

    class Media:
        js = ("accounts/select-filter.js",)

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-jc-filter": "输入名称筛选，如“文昌”", **(attrs or {})}, choices)


class AreaChoiceField(forms.ModelChoiceField):
    widget = FilterableSelect

    def label_from_instance(self, obj):
        return f"{'　' * (obj.depth - 1)}{obj.name}（{obj.get_kind_display()}）"


class UserCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, help_text="字母、数字和 @ . + - _，登录时使用。")
    display_name = forms.CharField(label="姓名", max_length=50)
    home_area = AreaChoiceField(label="所属节点", queryset=None, empty_label=None)
    password1 = forms.CharField(
        label="初始密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="确认初始密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_area"].queryset = selectors.areas_for(user, "add").exclude(kind__in=["grid", "quarter"])
        self.fields["password1"].help_text = _password_help() + "首次登录时须修改。"
        bootstrapify(self)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "两次输入的密码不一致。")
        return data


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=ROLE_CHOICES)
    area = AreaChoiceField(label="管辖节点", queryset=None, empty_label=None, help_text="角色覆盖该节点及其全部下级。")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = selectors.areas_for(user, "grant")
        bootstrapify(self)
