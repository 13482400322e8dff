"""The importer of a declared entity (``core.entities.Entity.import_columns``), made from its model fields.

A column per declared field: its header is the field's name in Chinese, its type follows the field (date,
number, yes/no, a choice), and a link is found by name (a territory node by code or name). The row is
created or updated through the entity's service, so it is checked exactly like the form, scope included.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from jiceng.core.validators import name_variants
from jiceng.territory.models import Area

from .base import Col, Importer, Outcome, RowRejected

TYPES = {"DateField": "date", "IntegerField": "int", "PositiveIntegerField": "int", "BooleanField": "bool",
         "DecimalField": "decimal"}  # fmt: skip


def column(entity, name: str) -> Col:
    field = entity.model._meta.get_field(name)
    kind = "choice" if field.choices else TYPES.get(field.get_internal_type(), "text")
    required = not field.blank and not field.has_default() and name not in entity.scope_from
    return Col(name, str(field.verbose_name), type=kind, required=required, choices=field.choices or None,
               synonyms=tuple(entity.import_synonyms.get(name, ())), example=entity.import_examples.get(name, ""),
               help=str(field.help_text), field=name, width=24 if field.is_relation else 16)  # fmt: skip


class EntityImporter(Importer):
    entity = None

    def link(self, name: str, text: str):
        """The row a link column names: a territory node by code or name, anything else by its name
        among the rows the importing user may see (unique, or the row is refused)."""
        lookup = self.entity.import_lookups.get(name)
        if lookup is not None:  # the app's own: a Chinese ValidationError refuses the row at this column
            try:
                return lookup(self, text)
            except ValidationError as exc:
                raise RowRejected([(name, "；".join(exc.messages))]) from None
        target = self.entity.model._meta.get_field(name).related_model
        if target is Area:
            return self.find_area(("street", "community", "quarter", "grid"), text, column=name)
        # the cell was read NFKC-normalised: "单位（包保龙蟠街道）" arrives with half-width brackets
        found = list(target._default_manager.restrict(self.actor, "view").filter(name__in=name_variants(text))[:2])
        if len(found) != 1:
            label = target._meta.verbose_name
            problem = "找不到" if not found else "有多个名为"
            raise RowRejected([(name, f"{problem}{label}“{text}”。")])
        return found[0]

    def apply(self, values):
        data = {}
        for col in self.columns:
            value = values.get(col.key)
            if value in (None, "", []):
                continue
            is_link = isinstance(self.entity.model._meta.get_field(col.key), models.ForeignKey)
            data[col.key] = self.link(col.key, value) if is_link else value
        probe = self.entity.model(**{k: v for k, v in data.items() if k in self.entity.scope_from})
        key = {k: data.get(k) for k in self.entity.import_key}
        if set(self.entity.scope_from) & set(self.entity.import_columns):
            existing = self.entity.queryset().filter(scope_path=self.entity.path_of(probe), **key)  # no owner: refused
        else:  # the row's node is derived by its service (a service record's community): in the user's scope
            existing = self.entity.queryset().restrict(self.actor, "view").filter(**key)
        existing = existing.first()
        if existing is not None:
            if self.on_existing == "skip":
                return Outcome("skipped", [f"{self.label}“{existing}”已存在，已跳过。"])
            return Outcome("updated", self.entity.service.update(actor=self.actor, obj=existing, **data).warnings)
        return Outcome("created", self.entity.service.create(actor=self.actor, **data).warnings)


def importer_for(entity) -> type[Importer]:
    meta = entity.model._meta
    attrs = {
        "entity": entity,
        "kind": f"{meta.model_name}s",
        "label": str(meta.verbose_name),
        "permission": entity.perm("import"),
        "model": entity.model,
        "columns": [column(entity, name) for name in entity.import_columns],
        "key_columns": tuple(entity.import_key),
        "scope_column": entity.scope_from[0],
        "notes": list(entity.import_notes),
    }
    return type(f"{entity.model.__name__}Importer", (EntityImporter,), attrs)
