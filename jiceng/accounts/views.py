"""Login, password change, TOTP and account administration screens. Thin: the services decide."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.core.errors import join_messages
from jiceng.core.roles import admin_otp_satisfied
from jiceng.core.views import ObjectListView, _add_errors

from . import login_hints, selectors, services
from .filters import UserFilterSet
from .forms import EnrolmentCodeForm, LoginForm, PasswordChangeForm, RoleGrantForm, TokenForm, UserCreateForm
from .models import User
from .qr import qr_svg
from .roles import ROLES
from .tables import UserTable


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes: 5 failures lock the account for AXES_COOLOFF_TIME (15 minutes)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"title": "账号已锁定", "failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "accounts/locked.html", context, status=403)


# --- Login / logout ---------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": "登录"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEBUG:
            context["demo_accounts"], context["demo_password"] = login_hints.demo_accounts()
        return context


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link or an image cannot log anybody out."""


# --- Password ---------------------------------------------------------------------------------


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


class PasswordChangeView(LoginRequiredMixin, View):
    """The user's own password. An administrator changes it only in a TOTP-verified session: a password
    alone (stolen, or the initial one) does not let anyone replace it and lock the owner out."""

    template_name = "accounts/password_change.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not admin_otp_satisfied(request.user):
            messages.info(request, "管理员账号须先通过动态口令验证，才能修改密码。")
            return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': reverse('accounts:password_change')})}")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, status=200):
        user = self.request.user
        context = {
            "title": "修改密码",
            "form": form,
            "forced_first": user.must_change_password,
            "forced_expired": not user.must_change_password and user.password_expired,
            "max_age": settings.JICENG_PASSWORD_MAX_AGE_DAYS,
            "next": _next_url(self.request, ""),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(PasswordChangeForm())

    def post(self, request):
        form = PasswordChangeForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            user = services.password_change(
                user=request.user, old=form.cleaned_data["old_password"], new=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                _add_errors(form, exc)
            else:
                for message in exc.messages:
                    form.add_error("new_password1", message)
            return self._render(form, status=400)
        update_session_auth_hash(request, user)  # keep this session; others are logged out
        messages.success(request, "密码已修改。")
        return redirect(_next_url(request, reverse(settings.LOGIN_REDIRECT_URL)))


# --- TOTP -------------------------------------------------------------------------------------


#: Session key of a binding in progress: the enrolment code accepted and the fresh pending device.
ENROLMENT_SESSION_KEY = "_jc_otp_enrolment"


class OTPView(LoginRequiredMixin, View):
    """Bind an authenticator or, once bound, verify this session.

    Binding takes two steps: the one-time enrolment code (绑定码) a security administrator issued, then
    — only after it is accepted — the QR code and secret of a fresh device and its first 6-digit code.
    Without the enrolment code a password alone binds nothing (modes ``code`` → ``enrol``); with a
    confirmed device the page only verifies (``verify``)."""

    template_name = "accounts/otp.html"

    def _context(self, form, mode, device=None):
        user = self.request.user
        context = {
            "title": "双因素认证",
            "form": form,
            "is_admin": user.is_admin_role,
            "demo_skip": bool(user.is_admin_role and settings.DEBUG and settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP),
            "mode": mode,
            "next": _next_url(self.request, ""),
        }
        if device is not None:
            uri = services.otp_uri(device)
            context.update({"otp_uri": uri, "qr_svg": qr_svg(uri), "secret": services.otp_secret(device)})
        return context

    def _state(self, user):
        """(mode, pending) with pending = (enrolment code row, device) while binding."""
        if user.is_verified():
            return "verified", None
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return "verify", None
        started = self.request.session.get(ENROLMENT_SESSION_KEY) or {}
        pending = services.otp_enrolment_pending(
            user=user, code_id=started.get("code"), device_id=started.get("device")
        )
        return ("enrol", pending) if pending else ("code", None)

    def _render(self, form, mode, pending=None, status=200):
        device = pending[1] if pending else None
        response = render(self.request, self.template_name, self._context(form, mode, device), status=status)
        response["Cache-Control"] = "no-store"  # the secret is on the page
        return response

    def get(self, request):
        mode, pending = self._state(request.user)
        return self._render(EnrolmentCodeForm() if mode == "code" else TokenForm(), mode, pending)

    def post(self, request):
        user = request.user
        mode, pending = self._state(user)
        if mode == "verified":
            return redirect(_next_url(request, reverse(settings.LOGIN_REDIRECT_URL)))
        if mode == "code":
            form = EnrolmentCodeForm(request.POST)
            if form.is_valid():
                started = services.otp_enrolment_start(user=user, code=form.cleaned_data["enrolment_code"])
                if started is not None:
                    request.session[ENROLMENT_SESSION_KEY] = {"code": started[0].pk, "device": started[1].pk}
                    return self._render(TokenForm(), "enrol", started)
                form.add_error("enrolment_code", "绑定码无效、已使用或已过期，请向安全管理员重新申请。")
            return self._render(form, mode, status=400)
        form = TokenForm(request.POST)
        if form.is_valid():
            token = form.cleaned_data["token"]
            if mode == "enrol":
                code, device = pending
                ok = services.otp_confirm(user=user, device=device, token=token, code=code)
                matched = device if ok else None
                success = "动态口令已绑定，本次登录已通过双因素认证。"
            else:
                matched = services.otp_verify(user=user, token=token)
                success = "双因素认证通过。"
            if matched is not None:
                request.session.pop(ENROLMENT_SESSION_KEY, None)
                otp_login(request, matched)
                messages.success(request, success)
                return redirect(_next_url(request, reverse(settings.LOGIN_REDIRECT_URL)))
            form.add_error("token", "动态口令错误或已过期，请查看验证器上的最新口令后重试。")
        return self._render(form, mode, pending, status=400)


# --- Account administration (三员: system admin creates accounts, security admin grants roles) --


class UserListView(ObjectListView):
    model = User
    table_class = UserTable
    filterset_class = UserFilterSet
    title = "账号管理"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.scope.has_perm("accounts.view_user"):
            raise PermissionDenied("只有系统管理员和安全管理员可以查看账号。")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.user_list(self.request.user)

    def get_extra_context(self):
        return {"add_url": reverse("accounts:user_add") if self.can("add") else None}


class UserDetailView(LoginRequiredMixin, View):
    template_name = "accounts/user_detail.html"

    def get(self, request, pk):
        target = selectors.get_user_or_404(request.user, pk)
        scope = request.user.scope
        grant_paths = selectors.admin_paths(request.user, "accounts.grant_rolegrant")
        grants = [
            {"grant": g, "label": ROLES[g.role].label, "revocable": any(g.area.path.startswith(p) for p in grant_paths)}
            for g in target.grants.select_related("area", "granted_by").order_by("area__path", "role")
        ]
        can_change = scope.has_perm("accounts.change_user") and target.pk != request.user.pk
        sanyuan_target = can_change and services.is_sanyuan(target)
        has_otp = TOTPDevice.objects.filter(user=target, confirmed=True).exists()
        context = {
            "title": f"账号：{target.username}",
            "object": target,
            "grants": grants,
            "can_change": can_change
            and not sanyuan_target
            and selectors.user_restrict(request.user, "change").filter(pk=target.pk).exists(),
            "sanyuan_target": sanyuan_target,
            "can_grant": bool(grant_paths) and target.pk != request.user.pk,
            "has_otp": has_otp,
            "live_code": None
            if has_otp
            else target.otp_enrolment_codes.filter(used_at__isnull=True, expires_at__gt=timezone.now()).first(),
        }
        return render(request, self.template_name, context)


class UserCreateView(LoginRequiredMixin, View):
    template_name = "generic/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.scope.has_perm("accounts.add_user"):
            raise PermissionDenied("只有系统管理员可以创建账号。")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, status=200):
        context = {"form": form, "title": "新建账号", "model": User, "object": None}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(UserCreateForm(user=request.user))

    def post(self, request):
        form = UserCreateForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(form, status=400)
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                display_name=data["display_name"],
                password=data["password1"],
                home_area=data["home_area"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                _add_errors(form, exc)
            else:
                for message in exc.messages:
                    form.add_error("password1", message)
            return self._render(form, status=400)
        messages.success(request, f"已创建账号“{user.username}”，首次登录须修改初始密码。角色请由安全管理员授予。")
        return redirect("accounts:user_detail", pk=user.pk)


class UserSetActiveView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        target = selectors.get_user_or_404(request.user, pk, "change")
        is_active = request.POST.get("is_active") == "1"
        try:
            services.user_set_active(actor=request.user, user=target, is_active=is_active)
        except ValidationError as exc:
            messages.error(request, join_messages(exc.messages))
        else:
            messages.success(request, f"已{'启用' if is_active else '停用'}账号“{target.username}”。")
        return redirect("accounts:user_detail", pk=target.pk)


class RoleGrantView(LoginRequiredMixin, View):
    template_name = "accounts/role_grant.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.scope.has_perm("accounts.grant_rolegrant"):
            raise PermissionDenied("只有安全管理员可以授予角色。")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, target, status=200):
        context = {"form": form, "object": target, "title": f"授予角色：{target.username}"}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        target = selectors.get_user_or_404(request.user, pk, "grant")
        return self._render(RoleGrantForm(user=request.user), target)

    def post(self, request, pk):
        target = selectors.get_user_or_404(request.user, pk, "grant")
        form = RoleGrantForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(form, target, status=400)
        try:
            grant = services.role_grant(
                actor=request.user, user=target, role=form.cleaned_data["role"], area=form.cleaned_data["area"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
            return self._render(form, target, status=400)
        messages.success(request, f"已授予“{grant.get_role_display()}”（{grant.area.name}）。")
        return redirect("accounts:user_detail", pk=target.pk)


class OTPResetView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        target = selectors.get_user_or_404(request.user, pk, "grant")
        try:
            services.otp_reset(actor=request.user, user=target)
        except ValidationError as exc:
            messages.error(request, join_messages(exc.messages))
        else:
            messages.success(
                request, f"已重置“{target.username}”的动态口令；请为其签发绑定码，其下次登录时凭绑定码重新绑定。"
            )
        return redirect("accounts:user_detail", pk=target.pk)


class EnrolmentCodeIssueView(LoginRequiredMixin, View):
    """The security administrator issues a one-time code (动态口令绑定码) for an account: shown once, here."""

    http_method_names = ["post"]

    def post(self, request, pk):
        target = selectors.get_user_or_404(request.user, pk, "grant")
        try:
            code, row = services.otp_enrolment_code_issue(actor=request.user, user=target)
        except ValidationError as exc:
            messages.error(request, join_messages(exc.messages))
            return redirect("accounts:user_detail", pk=target.pk)
        context = {"title": f"动态口令绑定码：{target.username}", "object": target, "code": code, "row": row}
        response = render(request, "accounts/enrolment_code.html", context)
        response["Cache-Control"] = "no-store"  # shown once: never from a cache or the back button
        return response


class RoleRevokeView(LoginRequiredMixin, View):
    """撤销角色 in two steps: the page asks to confirm (what is revoked, from whom, and what follows), and
    only a POST carrying ``confirm`` revokes. A POST without it (a stray click, an old form) shows the
    question again and changes nothing."""

    http_method_names = ["get", "post"]
    template_name = "accounts/role_revoke.html"

    def get(self, request, pk):
        grant = selectors.get_grant_or_404(request.user, pk)
        return render(request, self.template_name, {"grant": grant, "title": "撤销角色"})

    def post(self, request, pk):
        grant = selectors.get_grant_or_404(request.user, pk)
        if request.POST.get("confirm") != "yes":
            return render(request, self.template_name, {"grant": grant, "title": "撤销角色"})
        user_pk = grant.user_id
        try:
            services.role_revoke(actor=request.user, grant=grant)
        except ValidationError as exc:
            messages.error(request, join_messages(exc.messages))
        else:
            messages.success(request, f"已撤销“{grant.get_role_display()}”（{grant.area.name}）。")
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[user_pk]))
