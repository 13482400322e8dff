"""List tables of 单位包保: the first column links to the row itself (not to the unit it names)."""

from __future__ import annotations

import django_tables2 as tables


def record_table(model, fields: tuple[str, ...]):
    first, *rest = fields
    meta = type("Meta", (), {"model": model, "fields": (first, *rest), "empty_text": f"暂无{model._meta.verbose_name}"})
    column = tables.Column(linkify=lambda record: record.get_absolute_url())
    return type(f"{model.__name__}Table", (tables.Table,), {first: column, "Meta": meta})
