"""One scoping mechanism for every read and write (NetBox ``RestrictedQuerySet`` + Wagtail subtree grants).

A role is granted on a territory node and covers its whole subtree. Every scoped model carries the
materialised path of the territory node it belongs to (``scope_path``); "everything under X" is one
``scope_path__startswith`` filter. Personal roles (resident, Party member) add the model's own
``personal_scope_q``. ``restrict(user, action)`` is called once, in the generic views, viewsets,
exports and dashboard selectors; ``get_scoped_object_or_404`` is the only way to fetch a scoped
object by id, so "not allowed" and "does not exist" look the same.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.http import Http404

ACTIONS = ("view", "add", "change", "delete")

_node_path: Callable[[int], str | None] | None = None


def register_node_path(lookup: Callable[[int], str | None]) -> None:
    """``lookup(pk)``: the materialised path of that node of the tree, or ``None`` (no such node).

    The tree belongs to ``territory``, which fills this in ``TerritoryConfig.ready()``, so that the layers
    below it (the API plumbing's ``within`` filter) import no territory model."""
    global _node_path
    _node_path = lookup


def node_path(pk: int) -> str | None:
    if _node_path is None:
        raise ImproperlyConfigured("未注册辖区树：jiceng.territory 须在 INSTALLED_APPS 中。")
    return _node_path(pk)


def permission_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def scope_q(user, model: type[models.Model], action: str = "view") -> Q | None:
    """The filter that limits ``model`` to what ``user`` may ``action``; ``None`` means nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    scope = getattr(user, "scope", None)
    if scope is None:
        return None
    return scope.q_for(model, action)


def scope_q_through(user, model: type[models.Model], relation: str, action: str = "view") -> Q:
    """:func:`scope_q` for ``model`` rows reached through ``relation`` of another model (a central
    household's ``linked_households``): for a ``Count(relation, filter=…)`` that counts only what the
    user may see. Nothing allowed → a filter that matches nothing."""
    q = scope_q(user, model, action)
    return Q(pk__in=[]) if q is None else _prefixed(q, relation)


def _prefixed(q: Q, prefix: str) -> Q:
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    out.children = [_prefixed(c, prefix) if isinstance(c, Q) else (f"{prefix}__{c[0]}", c[1]) for c in q.children]
    return out


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> ScopedQuerySet:
        q = scope_q(user, self.model, action)
        if q is None:
            return self.none()
        return self.filter(q)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


#: Instance attribute: the scope path a row had when it was loaded (a move must also update where it was).
LOADED_PATH = "_loaded_scope_path"


class LoadedPathMixin:
    """Remembers the scope path each row was loaded with (``LOADED_PATH``), in ``from_db``.

    Cheaper than a ``post_init`` receiver, which Django would call for every instance of the model
    built anywhere (a list page builds hundreds)."""

    scope_path_field = "scope_path"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.__dict__[LOADED_PATH] = instance.__dict__.get(cls.scope_path_field)
        return instance


class ScopedModel(LoadedPathMixin, models.Model):
    """Abstract base: a row that belongs to one node of the territory tree."""

    scope_path = models.CharField("管辖路径", max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()

    #: Lookup of the quarter (小区) this row lies in, for grants held on a quarter node.
    scope_quarter_lookup: str | None = None
    #: The foreign key whose row's ``scope_path`` this row carries (a household its building's, a resident
    #: their household's): when that row moves, :func:`cascade_scope_path` moves this one in the same
    #: transaction. Declared by the app that owns the row, so the parent's app names none of its followers.
    scope_parent: str | None = None
    #: Fields copied from the parent along with the path when it moves: this row's field → a lookup on the
    #: parent (a resident's ``building`` and ``grid`` are their household's building and its grid).
    scope_parent_copies: dict[str, str] = {}

    class Meta:
        abstract = True

    @classmethod
    def personal_scope_q(cls, scope, action: str) -> Q | None:
        """What a resident or Party member may see of this model through their personal link."""
        return None


@cache
def scope_followers(model: type[models.Model]) -> list[type[models.Model]]:
    """The models that declare ``scope_parent`` pointing at ``model`` (or one of its parents)."""
    found = []
    for candidate in apps.get_models():
        name = getattr(candidate, "scope_parent", None)
        if name and issubclass(model, candidate._meta.get_field(name).related_model):
            found.append(candidate)
    return found


def cascade_scope_path(model: type[models.Model], rows, path: str) -> None:
    """``rows`` (a queryset of ``model``) now live under ``path``: every row that follows them
    (``scope_parent``) takes that path and the fields it copies from them, and so on down, with one
    ``UPDATE`` per following model (``QuerySet.update``: no signals; the caller's own save bumps the
    cached figures of the old and the new node)."""
    for follower in scope_followers(model):
        fk = follower.scope_parent
        copies = follower.scope_parent_copies
        followers = follower._default_manager.filter(**{f"{fk}__in": rows})
        if copies:
            sources = list(copies.values())
            combos = list(rows.values_list(*sources).distinct())
            for combo in combos:  # one in practice: the households of one building
                subset = rows.filter(**dict(zip(sources, combo, strict=True))) if len(combos) > 1 else rows
                values = dict(zip(copies, combo, strict=True))
                follower._default_manager.filter(**{f"{fk}__in": subset}).update(scope_path=path, **values)
        else:
            followers.update(scope_path=path)
        cascade_scope_path(follower, followers, path)


def get_scoped_object_or_404(queryset_or_model, user, action: str = "view", **lookup):
    """Fetch-and-authorise in one step; out of scope is indistinguishable from absent (404)."""
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs.objects.all()
    try:
        return qs.restrict(user, action).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError, models.ObjectDoesNotExist):
        raise Http404("未找到对象，或对象不在您的管辖范围内。") from None


def user_can(user, obj: models.Model, action: str) -> bool:
    """Whether ``user`` may ``action`` this particular object (same rule as the querysets)."""
    q = scope_q(user, type(obj), action)
    if q is None:
        return False
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()
