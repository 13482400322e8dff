"""Every committed write to a counted model invalidates the cached numbers (home, stats, coverage) of its
node and ancestors."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from jiceng.core.scoping import LOADED_PATH

from .stats_cache import bump_paths


def _path_field(model) -> str:
    return getattr(model, "scope_path_field", "scope_path")


def _changed(sender, instance, using=None, **kwargs):
    # The path the row was loaded with (``LoadedPathMixin``): a move invalidates where it was as well.
    field = _path_field(sender)
    new = instance.__dict__.get(field)
    old = instance.__dict__.get(LOADED_PATH)
    bump_paths([new, old], using=using or "default")
    instance.__dict__[LOADED_PATH] = new


def _grids_changed(sender, instance, action, using=None, pk_set=None, reverse=False, **kwargs):
    """A worker's grids changed (from either side of the relation)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from jiceng.territory.models import Area

    paths = [instance.__dict__.get("scope_path") or instance.__dict__.get("path")]
    if pk_set and not reverse:
        paths += list(Area.objects.using(using).filter(pk__in=pk_set).values_list("path", flat=True))
    bump_paths(paths, using=using or "default")


def _group_buildings_changed(sender, instance, action, using=None, pk_set=None, reverse=False, **kwargs):
    """A 楼栋党小组's buildings changed: the coverage page counts buildings without one."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from jiceng.territory.models import Building

    paths = [instance.__dict__.get("scope_path")]
    if pk_set and not reverse:
        paths += list(Building.objects.using(using).filter(pk__in=pk_set).values_list("scope_path", flat=True))
    bump_paths(paths, using=using or "default")


def counted_models():
    from jiceng.party.models import CentralHousehold, PartyGroup, PartyMember, PartyOrg
    from jiceng.people.models import Resident, Worker
    from jiceng.territory.models import Area, Building, Community, Grid, Household, Quarter, Street

    return [
        Area,
        Street,
        Community,
        Grid,
        Quarter,
        Building,
        Household,
        Resident,
        PartyOrg,
        PartyGroup,
        CentralHousehold,
        PartyMember,
        Worker,
    ]


def connect() -> None:
    from jiceng.people.models import Worker

    for model in counted_models():
        uid = f"jiceng-stats-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
    m2m_changed.connect(_grids_changed, sender=Worker.grids.through, dispatch_uid="jiceng-stats-worker-grids")
    from jiceng.party.models import PartyGroup

    m2m_changed.connect(
        _group_buildings_changed, sender=PartyGroup.buildings.through, dispatch_uid="jiceng-stats-group-buildings"
    )
