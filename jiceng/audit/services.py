"""Writing the audit trail. Every service calls ``audit_record`` explicitly (no signals)."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import uuid
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from .models import AuditLog, SensitiveAccessLog

SECRET_FIELDS = {"password", "id_number", "phone", "id_hash", "phone_hash", "id_mask", "phone_mask"}

#: Sensitive personal information (PIPL art. 28: religious belief, specific identity …) and what points
#: straight at an identifier. The audit trail records only *that* such a field changed, never its value:
#: the audit administrator reads these rows and must not learn who is under 社区矫正 or what someone's faith is.
SENSITIVE_FIELDS = {
    "religion", "residence_permit_no", "id_last4",  # 居民: 宗教信仰、居住证号码、证件号后 4 位
    "tag_type", "risk_level", "help_measures",  # 特殊人群标签: 类别、风险等级、帮扶措施
}  # fmt: skip
SENSITIVE_PLACEHOLDER = "（敏感信息）"
SENSITIVE_CHANGED = "（敏感信息，已变更）"

#: Objects whose ``str()`` itself is sensitive (a tag's name is its category, e.g. 社区矫正对象): the audit
#: row names them neutrally.
NEUTRAL_REPR = {"people.ResidentTag": "人群标签 #{pk}"}


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
    if isinstance(value, FieldFile):  # a stored file by its name in storage (a logo, a photo)
        return value.name or ""
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
        if f.name in SENSITIVE_FIELDS:
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
