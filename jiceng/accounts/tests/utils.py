"""Test helpers for accounts: log a persona in with a verified TOTP session (administrators need it)."""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.testing.personas import persona


def verified_login(client, username: str):
    """``force_login`` plus a confirmed TOTP device recorded as verified in the session."""
    user = persona(username)
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user


def current_code(device: TOTPDevice, drift: int = 0) -> str:
    """The code an authenticator app would show now (``drift`` steps ahead)."""
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift + drift)).zfill(device.digits)
