"""Helpers every service uses: scope checks on the target node, results with warnings, saving with audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from .errors import OutOfScope
from .scoping import permission_name

M = TypeVar("M", bound=models.Model)


@dataclass
class Result(Generic[M]):
    """What a write service returns: the object and any soft warnings (shown, never blocking)."""

    obj: M
    warnings: list[str] = field(default_factory=list)


def require_scope(actor, model: type[models.Model], action: str, path: str, *, quarter_id: int | None = None) -> None:
    """Refuse (and write nothing) unless a grant of ``actor`` with the permission covers ``path`` (or,
    with ``quarter_id``, is a grant on that 小区: ``UserScope.covers_path``)."""
    if quarter_id is not None and getattr(model, "scope_quarter_lookup", None) is None:
        # Writes reach a quarter's rows only where reads do (the model's ``scope_quarter_lookup``).
        raise TypeError(f"{model.__name__} 没有 scope_quarter_lookup，不能按小区授权写入。")
    perm = permission_name(model, action)
    if actor is None or not actor.is_authenticated or not actor.scope.covers_path(path, perm, quarter_id=quarter_id):
        raise OutOfScope()


def require_perm(actor, perm: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.scope.has_perm(perm):
        raise OutOfScope("您没有执行此操作的权限。")


def reject_unknown(data: dict, allowed: set[str], *, verb: str = "设置") -> None:
    """Services take keyword data; a key outside ``allowed`` is an error, never silently dropped."""
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({k: f"该字段不可{verb}。" for k in sorted(unknown)})


def full_clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
