"""Every committed write to a counted model invalidates the cached numbers (home, stats, coverage) of its
node and ancestors.

The counted models are declared by their own apps (``core.counting.register_counted`` in each
``AppConfig.ready()``); this module listens to each one as it is declared."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from jiceng.core import counting
from jiceng.core.scoping import LOADED_PATH

from .stats_cache import bump_paths


def _path_field(model) -> str:
    return getattr(model, "scope_path_field", "scope_path")


def _path_of(instance, field: str) -> str | None:
    """The row's scope path: its own column, or through its links for a ``scope_path_field`` such as
    ``area__path`` (an organisation is scoped by the node it serves)."""
    if "__" not in field:
        return instance.__dict__.get(field)
    value = instance
    for part in field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _changed(sender, instance, using=None, **kwargs):
    # The path the row was loaded with (``LoadedPathMixin``): a move invalidates where it was as well.
    # A row scoped through a link (``area__path``) has no loaded path: only its current node is bumped.
    field = _path_field(sender)
    new = _path_of(instance, field)
    old = instance.__dict__.get(LOADED_PATH)
    bump_paths([new, old], using=using or "default")
    instance.__dict__[LOADED_PATH] = new


def _m2m_changed(sender, instance, action, using=None, pk_set=None, reverse=False, model=None, **kwargs):
    """A counted many-to-many relation changed (a worker's grids, a 楼栋党小组's buildings), from either side:
    the row's own path, and — from the declaring side — the paths of the rows added or removed."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    paths = [_path_of(instance, _path_field(type(instance)))]
    if pk_set and not reverse:
        paths += list(
            model._default_manager.using(using).filter(pk__in=pk_set).values_list(_path_field(model), flat=True)
        )
    bump_paths(paths, using=using or "default")


def counted_models():
    """The models whose writes change the figures, as their apps declared them."""
    return counting.counted_models()


def _connect(entry: counting.Counted) -> None:
    model = entry.model
    uid = f"jiceng-stats-{model._meta.label_lower}"
    post_save.connect(_changed, sender=model, dispatch_uid=uid)
    post_delete.connect(_changed, sender=model, dispatch_uid=uid)
    for name in entry.m2m:
        through = model._meta.get_field(name).remote_field.through
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"{uid}-{name}")


def connect() -> None:
    """Listen to every counted model, those declared before the dashboards app is ready and after."""
    counting.on_counted(_connect)
