"""Open311 api keys: only a hash is stored; the command prints a new key once; disabled keys stop working."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from jiceng.open311.models import ApiKey
from jiceng.open311.services import api_key_authenticate, key_hash

pytestmark = pytest.mark.django_db


def test_command_creates_lists_and_disables_a_key():
    out = io.StringIO()
    call_command("open311_key", "create", name="某平台", owner="longpan_admin", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    key = ApiKey.objects.get(name="某平台")
    assert key.key_hash == key_hash(raw) and raw not in (key.key_hash, key.key_prefix)
    assert api_key_authenticate(raw).pk == key.pk and key.owner.username == "longpan_admin"
    listing = io.StringIO()
    call_command("open311_key", "list", stdout=listing)
    assert f"{key.key_prefix}…  某平台" in listing.getvalue() and raw not in listing.getvalue()
    call_command("open311_key", "disable", key.key_prefix, stdout=io.StringIO())
    assert api_key_authenticate(raw) is None


def test_a_generated_key_never_starts_with_a_dash_so_its_prefix_can_be_disabled(monkeypatch):
    """``token_urlsafe`` starts with ``-`` one time in 64 (and ``_``): ``disable -AbC12`` was then an
    unknown option and the key could not be switched off (the flaky ``test_command_…``)."""
    from jiceng.open311 import services

    drawn = iter(["-" + "a" * 42, "_" + "b" * 42, "Zc" + "d" * 41])
    monkeypatch.setattr(services.secrets, "token_urlsafe", lambda n: next(drawn))
    out = io.StringIO()
    call_command("open311_key", "create", name="横线", owner="longpan_admin", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert raw == "Zc" + "d" * 41
    key = ApiKey.objects.get(name="横线")
    call_command("open311_key", "disable", key.key_prefix, stdout=io.StringIO())
    assert api_key_authenticate(raw) is None


def test_an_old_key_whose_prefix_starts_with_a_dash_is_disabled_after_double_dash():
    from django.contrib.auth import get_user_model

    from jiceng.open311.services import api_key_create

    owner = get_user_model().objects.get(username="longpan_admin")
    key, raw = api_key_create(actor=None, name="旧", owner=owner, raw_key="-old-key-0123456789")
    out = io.StringIO()
    call_command("open311_key", "disable", "--", key.key_prefix, stdout=out)
    assert "已停用 1 个密钥" in out.getvalue() and api_key_authenticate(raw) is None
