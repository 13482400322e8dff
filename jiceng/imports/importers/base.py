"""The shape every roster importer shares: columns (with Chinese headers and synonyms), cell cleaning,
in-file duplicate keys, and ``apply`` — which only ever writes through the domain's services.

An importer never writes a model itself: ``apply`` resolves references (grid by code or name, building
by name or number within the grid …) and calls ``area_create`` / ``building_create`` / ``resident_create``
…, so a row is validated exactly like the single-record form, scope included.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from jiceng.accounts.scope import UserScope
from jiceng.core import excel, validators
from jiceng.core.errors import join_messages
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
        super().__init__(join_messages(m for _, m in issues))
        self.issues = issues


class BatchFallback(Exception):
    """``apply_batch`` gives up on the whole batch (its savepoint is rolled back): apply row by row."""


#: ``apply_batch`` result for a row that must go through the per-row path (e.g. an update).
ROW_BY_ROW = object()


@dataclass
class Outcome:
    action: str  # created | updated | skipped
    warnings: list[str] = field(default_factory=list)


class ImportScope(UserScope):
    """The importing user's scope with ``covers_path`` remembered per (path, permission, quarter).

    ``user.scope`` is read once (a ``cached_property``: the grants are fixed for the request or, here,
    for the import), so the answer for a path never changes during a run; a file asks the same few
    questions for every row (``require_scope`` in ``household_build``, ``resident_build`` and the
    head's ``household_update`` check). Every check still happens, per row, against the same grants.
    """

    def covers_path(self, path: str, perm: str, *, quarter_id: int | None = None) -> bool:
        memo = self.__dict__.setdefault("_covers", {})
        key = (path, perm, quarter_id)
        answer = memo.get(key)
        if answer is None:
            answer = memo[key] = super().covers_path(path, perm, quarter_id=quarter_id)
        return answer

    @classmethod
    def of(cls, actor) -> None:
        """Give ``actor`` (the job's owner, loaded for this run) a remembering copy of its scope."""
        scope = getattr(actor, "scope", None) if getattr(actor, "is_authenticated", False) else None
        if type(scope) is UserScope:
            actor.scope = cls(**{f.name: getattr(scope, f.name) for f in fields(UserScope)})


#: What ``Importer.clean_cell`` returns for an empty cell (``None`` or ``""``), by column type; ``list``
#: gives a new ``[]`` (test_import_kinds checks this table against ``clean_cell``).
EMPTY_CELL: dict[str, Any] = {
    "text": "", "name": "", "compact": "", "id": "", "phone": "",
    "date": None, "int": None, "decimal": None, "bool": None, "choice": None,
}  # fmt: skip
_MEMO_TYPES = (str, int, float)  # cell values whose cleaning is a function of the value alone
_MISSING = object()


class Importer:
    kind: str = ""
    label: str = ""
    #: The permission that lets a user import this kind at all (``<app>.import_<what>``, granted in
    #: ``accounts/roles.py``); each row is still checked against the user's scope by its service.
    permission: str = ""
    model = None
    columns: list[Col] = []
    #: Column keys that identify a record inside the file (for duplicate rows).
    key_columns: tuple[str, ...] = ()
    #: The column an out-of-scope refusal is reported on.
    scope_column: str = ""
    notes: list[str] = []

    def __init__(self, actor, *, on_existing: str = "update"):
        ImportScope.of(actor)
        self.actor = actor
        self.on_existing = on_existing
        self._areas: dict[tuple[str, str], Area | None] = {}
        self._buildings: dict[tuple[int, str], Building | None] = {}
        self._pending: list[tuple[dict, Any]] = []  # cache entries added by the current row
        self._fast_cells = type(self).clean_cell is Importer.clean_cell  # EMPTY_CELL describes this one
        self._choice_memo: dict[tuple, Any] = {}
        self._plans: dict[tuple[str, ...], tuple[list[Col], dict[str, Any]]] = {}

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
        """Clean each cell by its column type. Returns (values, [(column key, message)], warnings).

        Same result as ``clean_cell`` on every cell, with shortcuts (a file leaves many of the template's
        columns out or empty, and has few distinct values in its coded ones): a column the file does not
        have takes its type's empty value (``EMPTY_CELL``) without a look at the row, so does an empty
        cell (``None`` or ``""``), and a coded cell (``choice``) reuses what the same cell text was
        cleaned to earlier in the file (only accepted values are remembered; a bad one is cleaned, and
        refused, each time)."""
        errors: list[tuple[str, str]] = []
        warnings: list[str] = []
        fast = self._fast_cells
        memo = self._choice_memo
        columns, absent = self._columns_for(tuple(raw))
        values: dict[str, Any] = dict(absent)
        for col in columns:
            value = raw.get(col.key)
            try:
                if fast and (value is None or value == ""):
                    cleaned = [] if col.type == "list" else EMPTY_CELL[col.type]
                elif fast and col.type == "choice" and value.__class__ in _MEMO_TYPES:
                    key = (col.key, value.__class__, value)
                    cleaned = memo.get(key, _MISSING)
                    if cleaned is _MISSING:
                        cleaned = self.clean_cell(col, value, warnings)
                        validators.remember(memo, key, cleaned)
                else:
                    cleaned = self.clean_cell(col, value, warnings)
            except ValidationError as exc:
                errors.append((col.key, exc.messages[0]))
                continue
            if col.required and cleaned in (None, "", []):
                errors.append((col.key, f"“{col.header}”为必填项。"))
                continue
            values[col.key] = cleaned
        return values, errors, warnings

    def _columns_for(self, keys: tuple[str, ...]) -> tuple[list[Col], dict[str, Any]]:
        """The columns to clean for rows with ``keys`` (the file's columns), and the values of the others.

        A column missing from the file is an empty cell in every row: its value is its type's empty
        value. Every column is cleaned when one of the missing ones would need more (a required column:
        its message per row; a ``list``: a new list per row) or ``clean_cell`` is overridden."""
        plan = self._plans.get(keys)
        if plan is None:
            present = set(keys)
            missing = [c for c in self.columns if c.key not in present]
            if not self._fast_cells or any(c.required or c.type not in EMPTY_CELL for c in missing):
                plan = (self.columns, {})
            else:
                plan = ([c for c in self.columns if c.key in present], {c.key: EMPTY_CELL[c.type] for c in missing})
            self._plans[keys] = plan
        return plan

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
