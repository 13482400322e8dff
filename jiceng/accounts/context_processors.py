"""What every page's template needs about the logged-in account (the navbar, the demo's notices)."""

from django.conf import settings

from .middleware import gate_url


def jiceng(request):
    user = getattr(request, "user", None)
    demo_otp_skipped = bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "is_admin_role", False)
        and settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP
        and settings.DEBUG
        and not (hasattr(user, "is_verified") and user.is_verified())
    )
    return {
        "DEBUG": settings.DEBUG,
        "demo_otp_skipped": demo_otp_skipped,
        # A password change or TOTP is still due: the navbar shows neither the menu nor the bell.
        "gate_pending": bool(user is not None and user.is_authenticated and gate_url(user)),
    }
