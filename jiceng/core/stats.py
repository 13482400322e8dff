"""Figures that apps add to the home page and ``/api/v1/stats/`` without naming them in ``dashboards``.

An app counts its own rows for a node: in its ``AppConfig.ready()`` it calls :func:`register_stat` with
the key of ``/api/v1/stats/``, the Chinese label the home page shows and a ``count(scoped, user, node)``
function. ``scoped(qs)`` restricts a queryset to what the user may view and to the node's subtree (by the
model's ``scope_path_field``, default ``scope_path``); ``node`` is ``None`` for the user's whole scope.

The figures are cached per node until a committed write under it (``jiceng.dashboards.stats_cache``), and
only writes to *counted* models bump that cache: an app registering a figure also registers the models
it counts with :func:`jiceng.core.counting.register_counted`, or its figure goes stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Stat:
    key: str
    label: str
    count: Callable[[Callable[[Any], Any], Any, Any], int]


_stats: dict[str, Stat] = {}


def register_stat(key: str, label: str, count: Callable[[Callable[[Any], Any], Any, Any], int]) -> None:
    """Add the figure ``key`` (its label, its ``count(scoped, user, node)``); figures keep registration order."""
    if not key.isidentifier():
        raise ImproperlyConfigured(f"figure key {key!r} must be an identifier")
    existing = _stats.get(key)
    if existing is not None and existing.count is not count:
        raise ImproperlyConfigured(f"figure {key!r} is registered twice")
    _stats[key] = Stat(key, label, count)


def unregister_stat(key: str) -> None:
    """For tests: remove a figure registered by the test."""
    _stats.pop(key, None)


def registered_stats() -> list[Stat]:
    """The registered figures, in registration order."""
    return list(_stats.values())
