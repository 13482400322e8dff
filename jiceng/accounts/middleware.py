"""Account security on every request: the idle timeout, the audit IP, forced password change, and TOTP
for admins."""

from __future__ import annotations

import time
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from jiceng.core.request_context import client_ip, reset_current_ip, set_current_ip
from jiceng.core.roles import admin_otp_satisfied

EXEMPT_PREFIXES = ("/static/", "/api/", "/open311/", "/healthz")
# Only the pages that lead through the gate are exempt; account administration (/accounts/users/)
# is not, so it needs a changed password and, for administrators, TOTP like every other page.
EXEMPT_URL_NAMES = ("accounts:login", "accounts:logout", "accounts:password_change", "accounts:otp")


@lru_cache(maxsize=1)
def _exempt_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in EXEMPT_URL_NAMES)


#: Session key holding when the session was last renewed (Unix seconds).
RENEWED_KEY = "_jc_renewed"


def renew_every() -> int:
    return getattr(settings, "JICENG_SESSION_RENEW_SECONDS", 60)


class SessionRenewalMiddleware:
    """The idle timeout (等保 2.0 身份鉴别: log out on idle timeout, here 30 minutes) without a database write on every request.

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


class HtmxRedirectMiddleware:
    """No htmx request ever swaps a whole page in.

    The browser's XMLHttpRequest follows a redirect by itself, so an htmx request redirected to the login
    page (an expired session, ``login_required``), to the forced password change or to TOTP would get
    that page back and swap it into the element that asked — the navbar's bell put a navbar into the
    navbar, which loaded another bell, and so on. Every redirect answering an htmx request becomes
    ``HX-Redirect`` (django-htmx's ``HttpResponseClientRedirect``): htmx then loads the target as a
    full page. Placed right after ``HtmxMiddleware`` so that it sees the redirects of
    ``AccountSecurityMiddleware`` and of every view.
    """

    REDIRECTS = frozenset({301, 302, 303, 307, 308})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        htmx = getattr(request, "htmx", False)
        if htmx and response.status_code in self.REDIRECTS and response.has_header("Location"):
            client = HttpResponseClientRedirect(_page_not_fragment(request, response["Location"]))
            for cookie in response.cookies.values():  # e.g. a session ended by the gate
                client.cookies[cookie.key] = cookie
            return client
        return response


def _page_not_fragment(request, location: str) -> str:
    """A ``?next=`` naming the htmx fragment itself (the bell's badge) is replaced by the page the user
    was on (``HX-Current-URL``, same origin only), so that logging in or changing the password comes back
    to that page rather than to a bare ``<span>``."""
    parts = urlsplit(location)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(key == "next" and value == request.get_full_path() for key, value in query):
        return location
    page = request.htmx.current_url_abs_path
    query = [(k, v) for k, v in query if k != "next"]
    if page and page != "/":
        query.append(("next", page))
    return urlunsplit(parts._replace(query=urlencode(query)))


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
        if request.path.startswith(EXEMPT_PREFIXES) or request.path in _exempt_paths():
            return None
        url = gate_url(user)
        return _with_next(request, url) if url else None


def gate_url(user) -> str | None:
    """Where a logged-in user must go before any other page (TOTP for an administrator, then a password change), or None.

    Also read by the context processor: while the gate is pending the navbar offers no menu and no
    notification bell (each would only lead back to the gate)."""
    if user is None or not user.is_authenticated:
        return None
    # An administrator verifies TOTP first: their password is changed only in a verified session.
    if not admin_otp_satisfied(user):
        return reverse("accounts:otp")
    if user.must_change_password or user.password_expired:
        return reverse("accounts:password_change")
    return None


def _with_next(request, url: str) -> str:
    """Come back to the page asked for once the gate is passed (GET only; ``/`` needs no note)."""
    if request.method != "GET" or request.path == "/":
        return url
    return f"{url}?{urlencode({'next': request.get_full_path()})}"
