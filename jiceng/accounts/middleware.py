"""Account security on every request: the audit IP, forced password change, and TOTP for admins."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from jiceng.core.request_context import client_ip, reset_current_ip, set_current_ip

EXEMPT_PREFIXES = ("/static/", "/accounts/", "/api/", "/open311/", "/healthz")


def admin_otp_satisfied(user) -> bool:
    """Administrator roles need a verified TOTP device; the DEBUG demo may skip it (and says so)."""
    if not user.is_admin_role:
        return True
    if user.is_verified():
        return True
    return bool(settings.DEBUG and settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP)


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_ip(client_ip(request))
        try:
            redirect_to = self._gate(request)
            if redirect_to:
                return redirect(redirect_to)
            return self.get_response(request)
        finally:
            reset_current_ip(token)

    def _gate(self, request) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.path.startswith(EXEMPT_PREFIXES):
            return None
        if user.must_change_password or user.password_expired:
            return reverse("accounts:password_change")
        if not admin_otp_satisfied(user):
            return reverse("accounts:otp")
        return None
