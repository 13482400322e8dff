"""An audit row as the auditor reads it: Chinese names for codes and keys, masked as everywhere else.

The stored ``detail`` keeps codes, English keys and (in rows written before masking reached the source)
values the lists never show; rows can never be rewritten, so the screen does the naming and the masking.
``changes`` becomes a table of the model's field ``verbose_name``s with choice labels; every other key a
labelled row. What each app's codes mean comes from ``registry`` (each app contributes its own).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import registry
from .services import display_detail

EMPTY = "—"
#: Placeholders the services write instead of a value: shown as they are.
_PLACEHOLDERS = {"（已加密，不记录明文）", "（敏感信息）", "（敏感信息，已变更）"}


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class DetailRow:
    label: str
    value: str


def _model(label: str) -> type[models.Model] | None:
    if not label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def plain(value: Any) -> str:
    """A value with nothing registered for it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(plain(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _related_names(field, pks: list) -> dict:
    from .services import audit_repr

    related = field.related_model
    found = related._default_manager.filter(pk__in=[pk for pk in pks if pk not in (None, "")])
    building = _field(related, "building")
    if building is not None and building.many_to_one:  # a household is named by its building and room
        found = found.select_related("building")
    return {str(obj.pk): audit_repr(obj) for obj in found}


def field_value(model, field, value: Any) -> str:
    """``value`` of ``field`` (a stored snapshot value) as the auditor reads it: masked, then named."""
    if isinstance(value, str) and value in _PLACEHOLDERS:
        return value
    if model is not None and field is not None:
        mask = registry.masker(model._meta.label, field.name)
        if mask is not None:
            return mask(value) or EMPTY
    if value is None or value == "" or value == []:
        return EMPTY
    if field is None:
        return plain(value)
    if field.is_relation and field.related_model is not None:
        pks = value if isinstance(value, list) else [value]
        names = _related_names(field, pks)
        return "、".join(names.get(str(pk), f"#{pk}（已不存在）") for pk in pks)
    if field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            if timezone.is_aware(parsed):
                parsed = timezone.localtime(parsed)
            return f"{parsed:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return plain(value)


def change_rows(entry) -> list[ChangeRow]:
    """``detail["changes"]`` as rows of (field name, before, after), in the model's field order."""
    changes = display_detail(entry.detail).get("changes") if isinstance(entry.detail, dict) else None
    if not isinstance(changes, dict):
        return []
    model = _model(entry.object_type)
    order = {f.name: i for i, f in enumerate(model._meta.get_fields())} if model is not None else {}
    rows = []
    for key in sorted(changes, key=lambda k: (order.get(k, len(order)), k)):
        change = changes[key] if isinstance(changes[key], dict) else {"before": None, "after": changes[key]}
        field = _field(model, key)
        label = str(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else None
        label = label or registry.detail_label(entry.action, key) or key
        rows.append(
            ChangeRow(
                label=label,
                before=field_value(model, field, change.get("before")),
                after=field_value(model, field, change.get("after")),
            )
        )
    return rows


def detail_rows(entry) -> list[DetailRow]:
    """The other ``detail`` keys, labelled and named (a field name or a model label read in Chinese)."""
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    model = _model(detail.get("model") if isinstance(detail.get("model"), str) else "") or _model(entry.object_type)
    rows = []
    for key, value in detail.items():
        if key == "changes":
            continue
        label = registry.detail_label(entry.action, key) or key
        named = registry.detail_value(entry.action, key, value)
        if named is None and key == "model" and isinstance(value, str) and _model(value) is not None:
            named = str(_model(value)._meta.verbose_name)
        if named is None and key == "field" and isinstance(value, str):
            field = _field(model, value)
            named = str(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else None
        rows.append(DetailRow(label=label, value=named if named is not None else plain(value)))
    return rows


def object_type_label(entry_type: str) -> str:
    """``people.Resident`` → 居民."""
    model = _model(entry_type)
    return str(model._meta.verbose_name) if model is not None else entry_type


def field_label(model_label: str, name: str) -> str:
    """``people.Resident`` + ``id_number`` → 证件号码; several, comma-separated → 证件号码、联系电话. A name
    that is not a model field (a ticket's ``reporter_contact``) is labelled by the model's
    ``access_log_fields``."""
    model = _model(model_label)
    extra = getattr(model, "access_log_fields", {}) if model is not None else {}
    labels = []
    for part in (name or "").split(","):
        part = part.strip()
        field = _field(model, part)
        if field is not None and hasattr(field, "verbose_name"):
            labels.append(str(field.verbose_name))
        else:
            labels.append(str(extra.get(part, part)))
    return "、".join(labels) if labels else name
