"""Writing the audit trail. Every service calls ``audit_record`` explicitly (no signals)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models

from .models import AuditLog, SensitiveAccessLog

SECRET_FIELDS = {"password", "id_number", "phone", "id_hash", "phone_hash"}


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
    for f in obj._meta.concrete_fields:
        if f.name in SECRET_FIELDS:
            data[f.name] = "（已加密，不记录明文）" if getattr(obj, f.attname) else ""
            continue
        data[f.name] = _jsonable(getattr(obj, f.attname))
    return data


def diff(before: dict, after: dict) -> dict:
    keys = set(before) | set(after)
    return {k: {"before": before.get(k), "after": after.get(k)} for k in sorted(keys) if before.get(k) != after.get(k)}


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
        object_repr=str(obj)[:200] if obj is not None else "",
        success=success,
        detail=payload,
        scope_path=scope_path or "",
    )


def sensitive_access_record(*, actor, obj: models.Model, field: str, reason: str) -> SensitiveAccessLog:
    log = SensitiveAccessLog.objects.create(
        user=actor,
        subject_type=obj._meta.label,
        subject_id=str(obj.pk),
        subject_repr=getattr(obj, "name_masked", "") or "",
        field=field,
        reason=reason,
        ip=_current_ip(),
        scope_path=getattr(obj, "scope_path", "") or "",
    )
    audit_record(actor=actor, action="reveal", obj=obj, detail={"field": field, "reason": reason})
    return log


def _current_ip() -> str | None:
    from jiceng.core.request_context import get_current_ip

    return get_current_ip()
