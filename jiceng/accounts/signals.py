"""Logins, logouts and failed logins go to the audit log (the auth signals are Django's own hook)."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from jiceng.audit.services import audit_record
from jiceng.core.request_context import client_ip


def _user_path(user) -> str:
    from .selectors import user_scope_path

    return user_scope_path(user)


def _ip(request):
    return client_ip(request) if request is not None and hasattr(request, "META") else None


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record(actor=user, action="login", obj=user, ip=_ip(request), scope_path=_user_path(user))
    session = getattr(request, "session", None)
    if session is not None:  # the login saves the session: its idle timeout starts now
        from .middleware import RENEWED_KEY

        session[RENEWED_KEY] = int(time.time())


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="logout", obj=user, ip=_ip(request), scope_path=_user_path(user))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    from .models import User

    username = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=username).first()
    audit_record(
        action="login_failed",
        username=username,
        success=False,
        ip=_ip(request),
        scope_path=_user_path(known) if known else "",
    )
