"""API test helpers: a client carrying a real token for a named persona."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiceng.territory.models import Area


@pytest.fixture
def api(db):
    """``api("longpan_admin")`` → an ``APIClient`` sending ``Authorization: Token …`` for that persona."""
    from jiceng.testing.personas import persona

    def _api(username: str) -> APIClient:
        token, _ = Token.objects.get_or_create(user=persona(username))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return _api


def node(name: str) -> Area:
    return Area.objects.get(name=name)


def grid_of(username: str) -> Area:
    from jiceng.testing.personas import persona

    return persona(username).grants.get().area
