"""Which models the cached figures count, and the hook through which the figures' cache is reached.

``core`` names no app, yet the home numbers, the stats API, the coverage gaps and the list counts are
cached per territory node and must be invalidated by every committed write to what they count. So each
app declares, in its ``AppConfig.ready()``, the models (and many-to-many fields) whose writes change a
figure (:func:`register_counted`); the app that owns the cache (``jiceng.dashboards``) registers its
implementation (:func:`register_cache`) and listens to the counted models' writes
(:func:`on_counted`).

Without a registered cache every call here computes and invalidates nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS


@dataclass(frozen=True)
class Counted:
    """A model whose writes change cached figures; ``m2m``: its many-to-many fields whose changes do too."""

    model: type
    m2m: tuple[str, ...] = ()


_counted: list[Counted] = []
_listeners: list[Callable[[Counted], None]] = []
_cache = None


def register_counted(model, *, m2m: tuple[str, ...] | list[str] = ()) -> None:
    """Declare that writes to ``model`` (and changes of its many-to-many fields ``m2m``) change cached figures."""
    entry = Counted(model, tuple(m2m))
    if any(c.model is model for c in _counted):
        return
    _counted.append(entry)
    for listener in _listeners:
        listener(entry)


def counted() -> list[Counted]:
    return list(_counted)


def counted_models() -> list[type]:
    """Every model registered with :func:`register_counted`, in registration order."""
    return [c.model for c in _counted]


def on_counted(listener: Callable[[Counted], None]) -> None:
    """Call ``listener`` for every counted model, those registered so far and those registered later."""
    _listeners.append(listener)
    for entry in list(_counted):
        listener(entry)


def register_cache(cache) -> None:
    """Register the figures' cache: an object with ``bump_paths(paths, using)``, ``cached(kind, user,
    version_paths, extra, compute, using)`` and ``versioned_tables()`` (``jiceng.dashboards.stats_cache``)."""
    global _cache
    _cache = cache


def bump_paths(paths, using: str = DEFAULT_DB_ALIAS) -> None:
    """Invalidate the cached figures of every node at or above ``paths`` when the transaction commits
    (writes that bypass the models' signals: bulk inserts and bulk moves)."""
    if _cache is not None:
        _cache.bump_paths(paths, using=using)


def cached(kind: str, user, version_paths, extra: str, compute, using: str = DEFAULT_DB_ALIAS):
    """``compute()``, cached under the versions of ``version_paths`` when a cache is registered."""
    if _cache is None:
        return compute()
    return _cache.cached(kind, user, version_paths, extra, compute, using=using)


def versioned_tables() -> frozenset[str]:
    """The tables whose every write through the models invalidates the cache (none without a cache)."""
    return _cache.versioned_tables() if _cache is not None else frozenset()
