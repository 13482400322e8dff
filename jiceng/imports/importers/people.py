"""Importers for residents (实有人口) and community / grid workers."""

from __future__ import annotations

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jiceng.audit.services import audit_record
from jiceng.core import excel
from jiceng.core.bulk import reserve_ids
from jiceng.core.errors import OutOfScope
from jiceng.core.services import require_scope
from jiceng.people import services
from jiceng.people.choices import (
    Education,
    Ethnicity,
    Gender,
    IdType,
    MaritalStatus,
    PoliticalStatus,
    PopulationType,
    Qualification,
    Relation,
    WorkerGrade,
    WorkerPost,
)
from jiceng.people.models import Resident, Worker
from jiceng.territory.choices import HukouType
from jiceng.territory.models import Building, Household
from jiceng.territory.services import household_build, household_create, household_update, households_bulk_create

from .base import ROW_BY_ROW, BatchFallback, Col, Importer, Outcome, RowRejected
from .territory import BUILDING_COL, COMMUNITY_COL, GRID_COL, ROOM_COL, _provided, resolve_address

ALREADY_REGISTERED = "该证件号码已登记，已跳过。"

RESIDENT_DATA = (
    "name", "former_name", "id_type", "id_number", "gender", "birth_date", "ethnicity", "political_status",
    "education", "marital_status", "occupation", "employer", "phone", "hukou_address", "current_address",
    "population_type", "relation_to_head", "inflow_reason",
)  # fmt: skip


class ResidentImporter(Importer):
    kind = "residents"
    permission = "people.import_resident"
    label = "居民（实有人口）"
    model = Resident
    columns = [
        Col("name", "姓名", type="name", required=True, synonyms=("居民姓名", "人员姓名"), example="张三", field="name", width=10),
        Col("id_type", "证件类型", type="choice", choices=IdType.choices, example="居民身份证", field="id_type"),
        Col("id_number", "证件号码", type="id", required=True,
            synonyms=("身份证号", "身份证号码", "公民身份号码", "公民身份证号", "证件号", "身份证"),
            example="341103199501019010", help="18 位公民身份号码（文本格式）", field="id_number", width=22),
        Col("gender", "性别", type="choice", choices=Gender.choices, example="男", help="可留空，按证件号码推算", field="gender", width=8),
        Col("birth_date", "出生日期", type="date", synonyms=("出生年月",), help="可留空，按证件号码推算", field="birth_date"),
        Col("ethnicity", "民族", type="choice", choices=Ethnicity.choices, example="汉族", field="ethnicity", width=10),
        Col("political_status", "政治面貌", type="choice", choices=PoliticalStatus.choices, example="群众", field="political_status"),
        Col("education", "学历", type="choice", choices=Education.choices, synonyms=("文化程度",), example="大学本科", field="education"),
        Col("marital_status", "婚姻状况", type="choice", choices=MaritalStatus.choices, example="已婚", field="marital_status"),
        Col("phone", "联系电话", type="phone", synonyms=("手机号", "手机号码", "电话", "联系方式", "手机"),
            example="13800000000", field="phone", width=16),
        GRID_COL,
        BUILDING_COL,
        ROOM_COL,
        Col("current_address", "现住地详址", synonyms=("现住址", "居住地址", "现居住地址", "住址", "地址"),
            help="未填楼栋、房号时，按地址匹配网格内的楼栋", example="滁州市南谯区文昌花园3栋2-301室", field="current_address", width=30),
        Col("relation_to_head", "与户主关系", type="choice", choices=Relation.choices, example="户主", field="relation_to_head"),
        Col("population_type", "人口类型", type="choice", choices=PopulationType.choices, synonyms=("人员类别", "人口类别"),
            example="户籍人口", field="population_type"),
        Col("hukou_address", "户籍地详址", synonyms=("户籍地址", "户籍地"), field="hukou_address", width=24),
        Col("occupation", "职业", field="occupation"),
        Col("employer", "服务处所", synonyms=("工作单位", "就业单位"), field="employer", width=20),
        Col("inflow_reason", "流入原因", field="inflow_reason"),
        Col("former_name", "曾用名", field="former_name", width=10),
    ]  # fmt: skip
    key_columns = ("id_number",)
    scope_column = "grid"
    notes = [
        "户按“楼栋 + 房号”查找，不存在则自动新建。",
        "证件号码已登记的居民：按所选方式更新或跳过；更新时空白单元格不会清除已有信息。",
    ]

    def __init__(self, actor, **kwargs):
        super().__init__(actor, **kwargs)
        self._households: dict[tuple[int, str], Household | None] = {}

    def clean(self, raw):
        values, errors, warnings = super().clean(raw)
        id_type = values.get("id_type") or IdType.RESIDENT_ID
        if id_type != IdType.RESIDENT_ID:  # passports etc.: no GB 11643 checks, keep the text as typed
            errors = [(k, m) for k, m in errors if k != "id_number"]
            values["id_number"] = excel.clean_compact(raw.get("id_number")).upper()
            if not values["id_number"]:
                errors.append(("id_number", "“证件号码”为必填项。"))
        if not values.get("building") and not values.get("room") and not values.get("current_address"):
            errors.append(("building", "请填写楼栋和房号，或填写可匹配到楼栋的现住地详址。"))
        elif bool(values.get("building")) != bool(values.get("room")) and not values.get("current_address"):
            missing = "room" if values.get("building") else "building"
            errors.append((missing, "楼栋和房号须同时填写。"))
        return values, errors, warnings

    def _place(self, values) -> tuple:
        """(building, room) of a row: grid by code or name, then the building within it, else the address."""
        grid = self.find_area(("grid",), values["grid"], column="grid")
        building, room = None, values.get("room") or ""
        if values.get("building"):
            building = self.find_building(grid, values["building"], column="building")
            if building is None:
                raise RowRejected([("building", f"网格“{grid.name}”中没有楼栋“{values['building']}”，请先导入楼栋。")])
        if building is None or not room:
            building, room = resolve_address(self, grid, values.get("current_address") or "")
            if building is None:
                raise RowRejected([("current_address", f"无法从地址匹配到网格“{grid.name}”中的楼栋和房号。")])
        return building, room

    def apply_batch(self, items: list[tuple[int, dict]], *, job=None) -> list:
        """The import fast path for a batch of new residents (see docs/decisions/imports-and-exports.md).

        Each row gets exactly the checks of the per-row path — the grid / building / address look-ups
        (cached for the run), ``household_create``'s checks (``household_build``) for a dwelling not yet
        registered, ``resident_create``'s checks (``resident_build``: validators, scope, full_clean) —
        but the foreign keys are resolved once per batch, the new households and residents are inserted
        with one statement each, and the audit log gets one row per batch and model listing the created
        ids. Rows whose identity number is already registered are skipped as ``apply`` skips them (mode
        ``skip``) or go through the per-row path (update, or the refusal of a deleted record). Returns,
        per row: an ``Outcome``, the exception that refused it, or ``ROW_BY_ROW``.
        """
        results: list = [None] * len(items)
        hashes = [services.id_hash_for(values["id_number"]) for _, values in items]
        registered = set(Resident.objects.filter(id_hash__any=hashes).values_list("id_hash", flat=True))
        grids = []
        for text in {values["grid"] for _, values in items}:  # find_area answers the same for the same text
            try:
                grids.append(self.find_area(("grid",), text, column="grid"))
            except RowRejected:
                pass  # reported by _place below
        self.prefetch_buildings(grids)
        places: dict[int, tuple] = {}
        for i, (_, values) in enumerate(items):
            if hashes[i] in registered:  # skipped as ``apply`` skips it; updated (or refused) row by row
                results[i] = Outcome("skipped", [ALREADY_REGISTERED]) if self.on_existing == "skip" else ROW_BY_ROW
                continue
            try:
                places[i] = self._place(values)
            except (RowRejected, ValidationError, PermissionDenied, Http404) as exc:
                results[i] = exc
        # Dwellings: the run's cache, then one query for the rest, then new ones (validated, not saved yet).
        wanted = {(b.pk, room): b for b, room in places.values() if (b.pk, room) not in self._households}
        if wanted:
            self._existing_households(wanted)
        new: dict[tuple, Household] = {}
        refused: dict[tuple, Exception] = {}
        for i, (building, room) in places.items():
            key = (building.pk, room)
            if key in self._households or key in new or key in refused:
                continue
            values = items[i][1]
            hukou = HukouType.NONLOCAL if values.get("population_type") == PopulationType.FLOATING else HukouType.LOCAL
            try:
                household = household_build(actor=self.actor, building=building, room=room, hukou_type=hukou)
            except (ValidationError, PermissionDenied, Http404) as exc:
                refused[key] = exc
                continue
            household.pk = -(len(new) + 1)  # provisional: resident_build needs a household id to check
            new[key] = household
        built: list[tuple[int, Resident, list[str], Household]] = []
        for i, (building, room) in places.items():
            key = (building.pk, room)
            if key in refused:
                results[i] = refused[key]
                continue
            household = self._households.get(key) or new[key]
            data = _provided(items[i][1], RESIDENT_DATA)
            data["household"] = household
            try:
                resident, warnings = services.resident_build(actor=self.actor, **data)
                if resident.relation_to_head == Relation.HEAD:  # may become the head: household_update's scope
                    require_scope(self.actor, Household, "change", household.scope_path)
            except (ValidationError, PermissionDenied, Http404, OutOfScope) as exc:
                results[i] = exc
                continue
            built.append((i, resident, warnings, household))
        # Write: the dwellings some valid row lives in, then the residents, then the heads.
        used = {id(h): h for _, _, _, h in built if h.pk is not None and h.pk < 0}
        planned: dict[int, tuple[Household, Resident]] = {}  # household (by object) → its first head row
        for _, resident, _, household in built:
            if resident.relation_to_head == Relation.HEAD and household.head_id is None:
                planned.setdefault(id(household), (household, resident))
        # On PostgreSQL the residents' ids are drawn first, so a new dwelling is inserted with its head.
        ids = reserve_ids(Resident, len(built))
        if ids is not None:
            for (_, resident, _, _), pk in zip(built, ids, strict=True):
                resident.pk = pk
            for key, (household, resident) in planned.items():
                if key in used:
                    household.head_id = resident.pk
        for h in used.values():
            h.pk = None
        detail = {"import_job": job.pk} if job is not None else {}
        try:
            households_bulk_create(actor=self.actor, households=list(used.values()), detail=detail)
        except ValidationError:
            raise BatchFallback from None  # a dwelling appeared meanwhile: row by row
        for key, h in new.items():
            if h.pk is not None and h.pk > 0:
                self.remember(self._households, key, h)
        for _, resident, _, household in built:
            resident.household = household  # the real id now
        try:
            services.residents_bulk_create(actor=self.actor, residents=[r for _, r, _, _ in built], detail=detail)
        except services.DuplicateInBatch:
            raise BatchFallback from None
        for i, _, warnings, _ in built:
            results[i] = Outcome("created", warnings)
        if planned:  # household_update's write (done with the insert for new dwellings), audited once
            to_update = [h for key, (h, _) in planned.items() if key not in used or ids is None]
            for household, resident in planned.values():
                household.head_id = resident.pk
            if to_update:
                _set_heads(to_update)
            heads = [h for h, _ in planned.values()]
            audit_record(
                actor=self.actor, action="bulk_update", scope_path=os.path.commonprefix([h.scope_path for h in heads]),
                detail={"model": "territory.household", "field": "head", **detail,
                        "changes": {str(h.pk): h.head_id for h in heads}},
            )  # fmt: skip
        return results

    def _existing_households(self, wanted: dict[tuple[int, str], Building]) -> None:
        """The registered dwellings among ``wanted`` ((building id, room) → building), into the run's cache.

        One query: ``building IN … AND room IN …`` also returns every other combination of those
        buildings and rooms (after a few batches, the dwellings this file created in sibling buildings),
        so rows are read as tuples and only the wanted ones become ``Household`` objects, given the
        building already loaded for the batch (``select_related`` would build a building and a grid for
        each row read)."""
        qs = Household.objects.filter(building_id__any={k[0] for k in wanted}, room__any={k[1] for k in wanted})
        names = [f.attname for f in Household._meta.concrete_fields]
        at_building, at_room = names.index("building_id"), names.index("room")
        for row in qs.values_list(*names):
            key = (row[at_building], row[at_room])
            building = wanted.get(key)
            if building is not None:
                household = Household.from_db(qs.db, names, row)
                household.building = building
                self.remember(self._households, key, household)

    def _household(self, values) -> Household:
        building, room = self._place(values)
        key = (building.pk, room)
        if key not in self._households:
            household = Household.objects.filter(building=building, room=room).first()
            if household is None:
                hukou = (
                    HukouType.NONLOCAL if values.get("population_type") == PopulationType.FLOATING else HukouType.LOCAL
                )
                household = household_create(actor=self.actor, building=building, room=room, hukou_type=hukou).obj
            household.building = building  # resident_create reads building and grid from it: no extra query
            self.remember(self._households, key, household)
        return self._households[key]

    def apply(self, values):
        data = _provided(values, RESIDENT_DATA)
        existing = Resident.objects.filter(id_hash=services.id_hash_for(values["id_number"])).first()
        if existing is not None and self.on_existing == "skip":
            return Outcome("skipped", [ALREADY_REGISTERED])
        if existing is not None and existing.deleted_at is not None:
            raise RowRejected([("id_number", "该证件号码属于已删除的居民档案，请联系管理员恢复后再导入。")])
        data["household"] = self._household(values)
        if existing is not None:
            result = services.resident_update(actor=self.actor, resident=existing, **data)
            action = "updated"
        else:
            result = services.resident_create(actor=self.actor, **data)
            action = "created"
        household = data["household"]
        if result.obj.relation_to_head == Relation.HEAD and household.head_id is None:
            household_update(actor=self.actor, household=household, head=result.obj)
            household.head_id = result.obj.pk
        return Outcome(action, result.warnings)


def _set_heads(households: list[Household]) -> None:
    """One ``UPDATE … SET head_id = CASE id …`` for the batch (``bulk_update`` builds 500 ``When``
    expressions and deep-copies them: seconds per batch)."""
    from django.db import connection

    table = connection.ops.quote_name(Household._meta.db_table)
    cases = " ".join(["WHEN %s THEN %s"] * len(households))
    params = [x for h in households for x in (h.pk, h.head_id)]
    ids = ", ".join(["%s"] * len(households))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET head_id = CASE id {cases} END WHERE id IN ({ids})",
            [*params, *[h.pk for h in households]],
        )


class WorkerImporter(Importer):
    kind = "workers"
    permission = "people.import_worker"
    label = "社区工作者 / 网格员"
    model = Worker
    columns = [
        Col("name", "姓名", type="name", required=True, example="李四", field="name", width=10),
        COMMUNITY_COL,
        Col("gender", "性别", type="choice", choices=Gender.choices, example="女", field="gender", width=8),
        Col("phone", "联系电话", type="phone", synonyms=("手机号", "手机号码", "电话", "手机"), example="13900000000", field="phone", width=16),
        Col("post", "岗位", type="choice", choices=WorkerPost.choices, synonyms=("职务",), example="专职网格员", field="post"),
        Col("grade", "岗级", type="choice", choices=WorkerGrade.choices, example="三岗", field="grade", width=8),
        Col("level", "档次", type="int", example=2, help="1-6", field="level", width=8),
        Col("hire_date", "入职日期", type="date", synonyms=("入职时间",), example="2020-03-01", field="hire_date"),
        Col("contract_end", "合同到期", type="date", synonyms=("合同到期日期", "合同截止日期"), field="contract_end"),
        Col("qualification", "职业资格", type="choice", choices=Qualification.choices, synonyms=("社工资格",), field="qualification"),
        Col("is_grid_worker", "网格员", type="bool", synonyms=("是否网格员",), example="是", choices=[("是", "是"), ("否", "否")],
            field="is_grid_worker", width=8),
        Col("grids", "服务网格", type="list", synonyms=("负责网格", "所属网格"), example="文昌花园第1网格",
            help="多个网格用顿号分隔", field="grids", width=24),
        Col("is_active", "在岗", type="bool", synonyms=("是否在岗",), choices=[("是", "是"), ("否", "否")], field="is_active", width=8),
    ]  # fmt: skip
    key_columns = ("community", "name", "phone")
    scope_column = "community"

    def row_key(self, values):
        return (values.get("community"), values.get("name"), values.get("phone") or "")

    def apply(self, values):
        community = self.find_area(("community",), values["community"], column="community")
        grids = [self.find_area(("grid",), g, within=community, column="grids") for g in values.get("grids") or []]
        data = _provided(
            values, ("name", "gender", "phone", "post", "grade", "level", "hire_date", "contract_end", "qualification")
        )
        for flag in ("is_grid_worker", "is_active"):
            if values.get(flag) is not None:
                data[flag] = values[flag]
        if grids and "is_grid_worker" not in data:
            data["is_grid_worker"] = True
        existing = Worker.objects.filter(community=community, name=values["name"])
        if values.get("phone"):
            existing = existing.filter(phone_hash=services.phone_hash_for(values["phone"]))
        existing = existing.first()
        if existing is not None:
            if self.on_existing == "skip":
                return Outcome("skipped", [f"工作者“{existing.name}”已登记，已跳过。"])
            result = services.worker_update(actor=self.actor, worker=existing, grids=grids or None, **data)
            return Outcome("updated", result.warnings)
        result = services.worker_create(actor=self.actor, community=community, grids=grids, **data)
        return Outcome("created", result.warnings)
