"""Account security on every request: the idle timeout, the audit IP, forced password change, and TOTP
for admins."""

from __future__ import annotations

import time
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect
from django.urls import reverse

from jiceng.core.request_context import client_ip, reset_current_ip, set_current_ip

EXEMPT_PREFIXES = ("/static/", "/api/", "/open311/", "/healthz")
# Only the pages that lead through the gate are exempt; account administration (/accounts/users/)
# is not, so it needs a changed password and, for administrators, TOTP like every other page.
EXEMPT_URL_NAMES = ("accounts:login", "accounts:logout", "accounts:password_change", "accounts:otp")


@lru_cache(maxsize=1)
def _exempt_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in EXEMPT_URL_NAMES)


def admin_otp_satisfied(user) -> bool:
    """Administrator roles need a verified TOTP device; the DEBUG demo may skip it (and says so)."""
    if not user.is_admin_role:
        return True
    if user.is_verified():
        return True
    return bool(settings.DEBUG and settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP)


#: Session key holding when the session was last renewed (Unix seconds).
RENEWED_KEY = "_jc_renewed"


def renew_every() -> int:
    return getattr(settings, "JICENG_SESSION_RENEW_SECONDS", 60)


class SessionRenewalMiddleware:
    """The idle timeout (DOMAIN §18: ≤ 30 minutes) without a database write on every request.

    A session ends ``SESSION_COOKIE_AGE`` (30 min) after it was last saved. Django's
    ``SESSION_SAVE_EVERY_REQUEST`` would save it — an UPDATE and a commit — on every page; here a session
    in use is saved again only when its last renewal is ``JICENG_SESSION_RENEW_SECONDS`` (60 s) old or
    more, so it ends between 29 and 30 idle minutes after the last request: never later than 30. Placed
    right after ``SessionMiddleware``: it marks the session modified, and that middleware saves it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None or SESSION_KEY not in session:
            return response  # no session cookie (the API, Open311), not logged in, or a logout
        now = int(time.time())
        last = session.get(RENEWED_KEY)
        if not isinstance(last, int) or not 0 <= now - last < renew_every():
            session[RENEWED_KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response


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
        if request.path.startswith(EXEMPT_PREFIXES) or request.path in _exempt_paths():
            return None
        # An administrator verifies TOTP first: their password is changed only in a verified session.
        if not admin_otp_satisfied(user):
            return _with_next(request, reverse("accounts:otp"))
        if user.must_change_password or user.password_expired:
            return _with_next(request, reverse("accounts:password_change"))
        return None


def _with_next(request, url: str) -> str:
    """Come back to the page asked for once the gate is passed (GET only; ``/`` needs no note)."""
    if request.method != "GET" or request.path == "/":
        return url
    return f"{url}?{urlencode({'next': request.get_full_path()})}"
