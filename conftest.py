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


@pytest.fixture
def outside(monkeypatch, settings):
    """Caches as after a commit: inside the suite's transaction ``stats_cache`` would never cache (a
    caller may be reading its own uncommitted writes); this lifts that rule for one test, with an empty
    cache before and after. Pair it with ``django_capture_on_commit_callbacks(execute=True)`` around
    writes, so the version bumps a commit would run do run."""
    from django.core.cache import cache

    from jiceng.dashboards import stats_cache

    settings.JICENG_STATS_CACHE_SECONDS = 300
    cache.clear()
    monkeypatch.setattr(stats_cache, "in_transaction", lambda conn: False)
    yield
    cache.clear()
