"""Writing the audit trail. Every service calls ``audit_record`` explicitly (no signals)."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import os
import uuid
from typing import Any

from django.db import models

from jiceng.core.request_context import get_current_ip

from .models import AuditLog, SensitiveAccessLog
from .registry import NEUTRAL_REPR, SECRET, SENSITIVE, SENSITIVE_FIELDS

# What is secret or sensitive is declared by the app owning each model (``registry.register_redaction`` in its
# ``AppConfig.ready()``): the audit administrator reads these rows and must not learn a phone number, who is
# under 社区矫正 or what someone's faith is.

SENSITIVE_PLACEHOLDER = "（敏感信息）"
SENSITIVE_CHANGED = "（敏感信息，已变更）"


class Redacted(str):
    """A snapshot value that reads (and serialises to JSON) as a placeholder, yet still compares by the
    real value, so ``diff`` can tell *that* it changed. Only a digest is kept, never the value itself."""

    __slots__ = ("digest",)

    def __new__(cls, value: Any):
        obj = super().__new__(cls, SENSITIVE_PLACEHOLDER)
        obj.digest = hashlib.sha256(repr(_jsonable(value)).encode()).hexdigest()
        return obj

    def __eq__(self, other):
        if isinstance(other, Redacted):
            return self.digest == other.digest
        return NotImplemented if not isinstance(other, str) else False

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = str.__hash__


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model | None) -> dict[str, Any]:
    """The concrete field values of ``obj`` for before/after; personal data is never copied in clear."""
    if obj is None:
        return {}
    data = {}
    secret = SECRET.get(obj._meta.label, ())
    sensitive = SENSITIVE.get(obj._meta.label, ())
    for f in obj._meta.concrete_fields:
        if f.name in secret:
            data[f.name] = "（已加密，不记录明文）" if getattr(obj, f.attname) else ""
            continue
        if f.name in sensitive:
            data[f.name] = Redacted(getattr(obj, f.attname))
            continue
        data[f.name] = _jsonable(getattr(obj, f.attname))
    return data


def diff(before: dict, after: dict) -> dict:
    keys = set(before) | set(after)
    changes = {}
    for k in sorted(keys):
        old, new = before.get(k), after.get(k)
        if old == new:
            continue
        if isinstance(old, Redacted) or isinstance(new, Redacted) or k in SENSITIVE_FIELDS:
            # Only the fact of the change is recorded (whatever the caller passed in).
            old = SENSITIVE_PLACEHOLDER if old not in (None, "") else old
            new = SENSITIVE_CHANGED
        changes[k] = {"before": old, "after": new}
    return changes


def audit_repr(obj: models.Model) -> str:
    """What the audit row calls the object: its ``str()``, or a neutral name where that is sensitive."""
    neutral = NEUTRAL_REPR.get(obj._meta.label)
    if neutral is not None:
        return neutral.format(pk=obj.pk if obj.pk is not None else "")
    masked = getattr(obj, "name_masked", None)  # a resident is named as on screen: 张*明
    if isinstance(masked, str) and masked:
        return f"{obj._meta.verbose_name} {masked}"[:200]
    return str(obj)[:200]


def display_detail(detail: dict) -> dict:
    """A stored ``detail`` as shown to the auditor: sensitive values are hidden even in rows written
    before they were redacted at the source (the rows themselves can never be rewritten)."""
    changes = detail.get("changes") if isinstance(detail, dict) else None
    if not isinstance(changes, dict) or not SENSITIVE_FIELDS & set(changes):
        return detail
    safe = {}
    for key, change in changes.items():
        if key in SENSITIVE_FIELDS and isinstance(change, dict):
            before = change.get("before")
            change = {
                "before": SENSITIVE_PLACEHOLDER if before not in (None, "") else before,
                "after": SENSITIVE_CHANGED,
            }
        safe[key] = change
    return {**detail, "changes": safe}


def display_repr(entry) -> str:
    """An audit row's object name as shown: neutral for objects whose name is itself sensitive."""
    neutral = NEUTRAL_REPR.get(entry.object_type)
    if neutral is not None:
        return neutral.format(pk=entry.object_id)
    return entry.object_repr


def audit_bulk_create(*, actor, model, ids: list[int], paths: list[str], detail: dict | None = None) -> AuditLog:
    """**One** audit row for rows inserted in one statement (a batch import): ``action="bulk_create"``,
    every created id in ``detail.ids``, filed under the deepest node path all the rows share."""
    prefix = os.path.commonprefix(paths) if paths else ""
    prefix = prefix[: len(prefix) - len(prefix) % 4]  # a whole node path
    return audit_record(
        actor=actor,
        action="bulk_create",
        scope_path=prefix,
        detail={"model": model._meta.label_lower, "count": len(ids), "ids": ids, **(detail or {})},
    )


def audit_record(
    *,
    actor=None,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    success: bool = True,
    detail: dict | None = None,
    ip: str | None = None,
    scope_path: str | None = None,
    username: str | None = None,
) -> AuditLog:
    payload = dict(detail or {})
    if before is not None or after is not None:
        payload["changes"] = diff(before or {}, after or {})
    if scope_path is None and obj is not None:
        scope_path = getattr(obj, "scope_path", None) or getattr(obj, "path", "") or ""
    return AuditLog.objects.create(
        user=actor if actor is not None and getattr(actor, "pk", None) else None,
        username=username or (actor.get_username() if actor is not None and getattr(actor, "pk", None) else ""),
        ip=ip or _current_ip(),
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=audit_repr(obj) if obj is not None else "",
        success=success,
        detail=payload,
        scope_path=scope_path or "",
    )


def access_label(obj: models.Model) -> str:
    """What the sensitive-data access log calls the object: a resident's masked name (张*明), else the
    model's own ``access_log_label`` (a ticket: its number — never its text, which may name people),
    else the audit row's name."""
    masked = getattr(obj, "name_masked", None)
    if isinstance(masked, str) and masked:
        return masked
    label = getattr(obj, "access_log_label", None)
    if isinstance(label, str) and label:
        return label
    return audit_repr(obj)


def sensitive_access_record(*, actor, obj: models.Model, field: str, reason: str) -> SensitiveAccessLog:
    log = SensitiveAccessLog.objects.create(
        user=actor,
        subject_type=obj._meta.label,
        subject_id=str(obj.pk),
        subject_repr=access_label(obj)[:100],
        field=field,
        reason=reason,
        ip=_current_ip(),
        scope_path=getattr(obj, "scope_path", "") or "",
    )
    audit_record(actor=actor, action="reveal", obj=obj, detail={"field": field, "reason": reason})
    return log


def _current_ip() -> str | None:
    return get_current_ip()
