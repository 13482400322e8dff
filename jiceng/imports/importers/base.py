"""The shape every roster importer shares: columns (with Chinese headers and synonyms), cell cleaning,
in-file duplicate keys, and ``apply`` — which only ever writes through the domain's services.

An importer never writes a model itself: ``apply`` resolves references (grid by code or name, building
by name or number within the grid …) and calls ``area_create`` / ``building_create`` / ``resident_create``
…, so a row is validated exactly like the single-record form, scope included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from jiceng.core import excel
from jiceng.core.validators import normalise_text, validate_phone
from jiceng.territory.choices import AreaKind
from jiceng.territory.models import Area, Building


@dataclass(frozen=True)
class Col:
    """One column of a roster template."""

    key: str
    header: str
    type: str = "text"  # text | name | compact | id | phone | date | int | decimal | bool | choice | list
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: Any = None
    example: Any = ""
    help: str = ""
    field: str | None = None  # the service field it feeds (maps service errors back to the column)
    width: int = 14

    @property
    def is_text_format(self) -> bool:
        return self.type in {"id", "phone", "compact"}


@dataclass
class Issue:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


class RowRejected(Exception):
    """A row cannot be imported; carries one or more issues (column + message)."""

    def __init__(self, issues: list[tuple[str, str]]):
        super().__init__("；".join(m for _, m in issues))
        self.issues = issues


class BatchFallback(Exception):
    """``apply_batch`` gives up on the whole batch (its savepoint is rolled back): apply row by row."""


#: ``apply_batch`` result for a row that must go through the per-row path (e.g. an update).
ROW_BY_ROW = object()


@dataclass
class Outcome:
    action: str  # created | updated | skipped
    warnings: list[str] = field(default_factory=list)


class Importer:
    kind: str = ""
    label: str = ""
    model = None
    columns: list[Col] = []
    #: Column keys that identify a record inside the file (for duplicate rows).
    key_columns: tuple[str, ...] = ()
    #: The column an out-of-scope refusal is reported on.
    scope_column: str = ""
    notes: list[str] = []

    def __init__(self, actor, *, on_existing: str = "update"):
        self.actor = actor
        self.on_existing = on_existing
        self._areas: dict[tuple[str, str], Area | None] = {}
        self._buildings: dict[tuple[int, str], Building | None] = {}
        self._pending: list[tuple[dict, Any]] = []  # cache entries added by the current row

    # --- columns ---------------------------------------------------------------------------

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        table = {}
        for col in cls.columns:
            for name in (col.header, *col.synonyms):
                table[excel.header_key(name)] = col.key
        return table

    @classmethod
    def column(cls, key: str) -> Col:
        return next(c for c in cls.columns if c.key == key)

    @classmethod
    def required_keys(cls) -> list[str]:
        return [c.key for c in cls.columns if c.required]

    def clean(self, raw: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]], list[str]]:
        """Clean each cell by its column type. Returns (values, [(column key, message)], warnings)."""
        values: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        warnings: list[str] = []
        for col in self.columns:
            value = raw.get(col.key)
            try:
                cleaned = self.clean_cell(col, value, warnings)
            except ValidationError as exc:
                errors.append((col.key, exc.messages[0]))
                continue
            if col.required and cleaned in (None, "", []):
                errors.append((col.key, f"“{col.header}”为必填项。"))
                continue
            values[col.key] = cleaned
        return values, errors, warnings

    def clean_cell(self, col: Col, value, warnings: list[str]):
        if col.type == "id":
            if value is None or excel.cell_text(value) == "":
                return ""
            number, notes = excel.clean_id_number(value)
            warnings.extend(notes)
            return number
        if col.type == "phone":
            text = excel.clean_phone_text(value)
            return validate_phone(text) if text else ""
        if col.type == "date":
            return excel.clean_date(value)
        if col.type == "int":
            return excel.clean_int(value)
        if col.type == "decimal":
            return excel.clean_decimal(value)
        if col.type == "bool":
            return excel.clean_bool(value)
        if col.type == "choice":
            return excel.clean_choice(value, col.choices)
        if col.type == "list":
            return excel.split_list(value)
        if col.type == "compact":
            return excel.clean_compact(value)
        if col.type == "name":
            return excel.clean_name(value)
        return " ".join(excel.cell_text(value).split())

    def row_key(self, values: dict) -> tuple | None:
        if not self.key_columns:
            return None
        key = tuple(values.get(k) for k in self.key_columns)
        if any(v in (None, "") for v in key):
            return None
        return key

    def key_label(self) -> str:
        return "、".join(self.column(k).header for k in self.key_columns)

    # --- applying --------------------------------------------------------------------------

    def apply(self, values: dict) -> Outcome:  # pragma: no cover - each importer implements it
        raise NotImplementedError

    def column_for_field(self, name: str) -> str:
        for col in self.columns:
            if col.field == name or col.key == name:
                return col.key
        return ""

    def begin_row(self) -> None:
        self._pending = []

    def row_failed(self) -> None:
        """The row's savepoint was rolled back: forget what it cached."""
        for cache, key in self._pending:
            cache.pop(key, None)
        self._pending = []

    def remember(self, cache: dict, key, value) -> None:
        cache[key] = value
        self._pending.append((cache, key))

    # --- shared look-ups (cached for the run; codes and names as people write them) ---------

    def find_area(self, kinds: tuple[str, ...], text: str, *, within: Area | None = None, column: str) -> Area:
        """An area by code, or by name (unique among those kinds, optionally under ``within``)."""
        text = normalise_text(text)
        key = ("/".join(kinds), f"{within.pk if within else ''}:{text}")
        if key not in self._areas:
            qs = Area.objects.filter(kind__in=kinds)
            if within is not None:
                qs = qs.filter(path__startswith=within.path)
            found = list(qs.filter(Q(code=text) | Q(name=text))[:2])
            if not found and within is None:
                # "文昌花园社区第1网格" / "第1网格": tolerate a name written with or without its suffix
                found = list(qs.filter(name=text.removesuffix("社区").removesuffix("小区"))[:2])
            if len(found) > 1 and not any(a.code == text for a in found):
                label = "、".join(AreaKind(k).label for k in kinds)
                raise RowRejected([(column, f"名称“{text}”对应多个{label}，请改填代码。")])
            self._areas[key] = next((a for a in found if a.code == text), found[0] if found else None)
        area = self._areas[key]
        if area is None:
            label = "、".join(AreaKind(k).label for k in kinds)
            raise RowRejected([(column, f"找不到{label}“{text}”，请填写系统中已有的代码或名称。")])
        return area

    def prefetch_buildings(self, grids) -> None:
        """Load every building of ``grids`` in one query (a batch's look-ups then need none)."""
        loaded = self.__dict__.setdefault("_grid_buildings", {})
        todo = {g.pk for g in grids if g.pk not in loaded}
        if not todo:
            return
        for pk in todo:
            loaded[pk] = []
        for b in Building.objects.select_related("grid", "quarter").filter(grid_id__in=todo).order_by("id"):
            loaded[b.grid_id].append(b)

    def find_building(self, grid: Area, text: str, *, column: str) -> Building | None:
        """A building of ``grid`` by its number (3, 3栋, 3号楼) or name or code."""
        text = normalise_text(text)
        key = (grid.pk, text)
        if key not in self._buildings:
            number = text.removesuffix("号楼").removesuffix("栋").removesuffix("幢").removesuffix("号")
            prefetched = self.__dict__.get("_grid_buildings", {}).get(grid.pk)
            if prefetched is not None:  # the same rule as the query below, on the grid's loaded buildings
                self._buildings[key] = next(
                    (b for b in prefetched if b.number in {text, number} or b.name == text or b.code == text), None
                )
                return self._buildings[key]
            found = (
                Building.objects.select_related("grid", "quarter")
                .filter(grid=grid)
                .filter(Q(number__in={text, number}) | Q(name=text) | Q(code=text))
                .order_by("id")
                .first()
            )
            self._buildings[key] = found
        return self._buildings[key]


def as_str(value) -> str:
    return "" if value is None else str(value)
