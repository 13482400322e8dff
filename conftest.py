"""The canonical test tree: ``seed_demo`` at a small scale, built once per test database.

Every test runs inside a transaction rolled back at its end, so the tree is the same for all.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from jiceng.demo.builder import build
    from jiceng.testing.personas import TEST_SCALE

    with django_db_blocker.unblock():
        build(TEST_SCALE, log=lambda *_: None)
    yield


@pytest.fixture
def personas(db):
    from jiceng.testing.personas import persona

    class _P:
        def __getattr__(self, name):
            return persona(name)

    return _P()


@pytest.fixture
def login(client):
    """``login("wenchang_worker")`` logs the Django test client in as that persona."""
    from jiceng.testing.personas import persona

    def _login(username):
        user = persona(username)
        client.force_login(user)
        return user

    return _login
