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
