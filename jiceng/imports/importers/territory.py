"""Importers for the territory rosters: grids, quarters, buildings, households."""

from __future__ import annotations

import re

from jiceng.core.validators import normalise_text
from jiceng.territory import services
from jiceng.territory.choices import AreaKind, BuildingUsage, DwellingUsage, GridType, HukouType
from jiceng.territory.models import Area, Building, Household

from .base import Col, Importer, Outcome, RowRejected

COMMUNITY_COL = Col(
    "community", "所属社区", required=True, synonyms=("社区", "社区名称", "社区代码", "所在社区", "居委会"),
    example="文昌花园社区", help="社区名称或 12 位社区代码", width=18,
)  # fmt: skip
GRID_COL = Col(
    "grid", "所属网格", required=True, synonyms=("网格", "网格名称", "网格代码", "网格编码", "所在网格"),
    example="文昌花园第1网格", help="网格名称或网格代码", width=18,
)  # fmt: skip


def _provided(values: dict, keys) -> dict:
    """Only the cells that were filled: an empty cell never erases a stored value on update."""
    return {k: values[k] for k in keys if values.get(k) not in (None, "", [])}


def _existing_area(kind: str, community: Area, values: dict) -> Area | None:
    """The grid or quarter a row describes: by its code when given, else by name within the community."""
    existing = None
    if values.get("code"):
        existing = Area.objects.filter(kind=kind, code=values["code"]).first()
    if existing is None:
        existing = Area.objects.filter(kind=kind, name=values["name"], path__startswith=community.path).first()
    return existing


class GridImporter(Importer):
    kind = "grids"
    permission = "territory.import_grid"
    label = "网格"
    model = Area
    columns = [
        COMMUNITY_COL,
        Col("code", "网格代码", type="compact", synonyms=("网格编码", "编码", "代码"), example="34110300301201",
            help="社区代码 + 2 位序号；留空则自动编号", field="code", width=18),
        Col("name", "网格名称", required=True, synonyms=("网格", "名称"), example="文昌花园第1网格", field="name", width=18),
        Col("grid_type", "网格类型", type="choice", choices=GridType.choices, example="基础网格", field="grid_type"),
        Col("brand_name", "网格品牌", synonyms=("品牌",), example="一格一姐", field="brand_name"),
    ]  # fmt: skip
    key_columns = ("community", "name")
    scope_column = "community"

    def apply(self, values):
        community = self.find_area(("community",), values["community"], column="community")
        existing = _existing_area(AreaKind.GRID, community, values)
        fields = _provided(values, ("grid_type", "brand_name"))
        if existing is not None:
            if self.on_existing == "skip":
                return Outcome("skipped", [f"网格“{existing.name}”已存在，已跳过。"])
            result = services.area_update(actor=self.actor, area=existing, name=values["name"], **fields)
            return Outcome("updated", result.warnings)
        code = values.get("code") or services.next_grid_code(community)
        fields.setdefault("grid_type", GridType.BASIC)
        result = services.area_create(
            actor=self.actor, parent=community, kind=AreaKind.GRID, code=code, name=values["name"], **fields
        )
        return Outcome("created", result.warnings)


class QuarterImporter(Importer):
    kind = "quarters"
    permission = "territory.import_quarter"
    label = "小区"
    model = Area
    columns = [
        COMMUNITY_COL,
        Col("code", "小区编码", type="compact", synonyms=("小区代码", "编码", "代码"), example="341103003012Q01",
            help="社区代码 + Q + 序号；留空则自动编号", field="code", width=18),
        Col("name", "小区名称", required=True, synonyms=("小区", "名称"), example="文昌花园小区", field="name", width=18),
        Col("address", "地址", synonyms=("小区地址", "详细地址"), example="滁州市南谯区龙蟠大道8号", field="address", width=28),
        Col("has_service_station", "有党群服务站", type="bool", synonyms=("小区党群服务站", "党群服务站"), example="是",
            choices=[("是", "是"), ("否", "否")], field="has_service_station"),
    ]  # fmt: skip
    key_columns = ("community", "name")
    scope_column = "community"

    def apply(self, values):
        community = self.find_area(("community",), values["community"], column="community")
        existing = _existing_area(AreaKind.QUARTER, community, values)
        fields = _provided(values, ("address",))
        if values.get("has_service_station") is not None:
            fields["has_service_station"] = values["has_service_station"]
        if existing is not None:
            if self.on_existing == "skip":
                return Outcome("skipped", [f"小区“{existing.name}”已存在，已跳过。"])
            result = services.area_update(actor=self.actor, area=existing, name=values["name"], **fields)
            return Outcome("updated", result.warnings)
        code = values.get("code") or _next_quarter_code(community)
        result = services.area_create(
            actor=self.actor, parent=community, kind=AreaKind.QUARTER, code=code, name=values["name"], **fields
        )
        return Outcome("created", result.warnings)


def _next_quarter_code(community: Area) -> str:
    prefix = community.code[:12] + "Q"
    codes = Area.objects.filter(kind=AreaKind.QUARTER, code__startswith=prefix).values_list("code", flat=True)
    serials = [int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()]
    return f"{prefix}{max(serials, default=0) + 1:02d}"


class BuildingImporter(Importer):
    kind = "buildings"
    permission = "territory.import_building"
    label = "楼栋"
    model = Building
    columns = [
        GRID_COL,
        Col("number", "楼栋号", type="compact", required=True, synonyms=("楼号", "栋号", "楼栋编号", "幢号"), example="3",
            help="网格内的楼栋号，如 3 或 3栋", field="number"),
        Col("name", "楼栋名称", synonyms=("楼栋", "名称"), example="文昌花园3栋", help="留空则自动命名", field="name", width=18),
        Col("quarter", "所属小区", synonyms=("小区", "小区名称", "小区编码"), example="文昌花园小区", field="quarter", width=18),
        Col("floors", "层数", type="int", synonyms=("楼层数", "总层数"), example=6, field="floors", width=8),
        Col("units", "单元数", type="int", synonyms=("单元",), example=2, field="units", width=8),
        Col("usage", "用途", type="choice", choices=BuildingUsage.choices, synonyms=("楼栋用途",), example="住宅", field="usage"),
        Col("address", "地址", synonyms=("楼栋地址",), example="滁州市南谯区龙蟠大道8号3栋", field="address", width=28),
    ]  # fmt: skip
    key_columns = ("grid", "number")
    scope_column = "grid"

    def apply(self, values):
        grid = self.find_area(("grid",), values["grid"], column="grid")
        fields = _provided(values, ("name", "floors", "units", "usage", "address"))
        if values.get("quarter"):
            community = Area.objects.get(path=grid.path[: 3 * Area.steplen])
            fields["quarter"] = self.find_area(("quarter",), values["quarter"], within=community, column="quarter")
        existing = self.find_building(grid, values["number"], column="number")
        if existing is not None:
            if self.on_existing == "skip":
                return Outcome("skipped", [f"楼栋“{existing.name}”已存在，已跳过。"])
            result = services.building_update(actor=self.actor, building=existing, **fields)
            self._buildings.clear()
            return Outcome("updated", result.warnings)
        number = values["number"]
        result = services.building_create(actor=self.actor, grid=grid, number=number, **fields)
        self.remember(self._buildings, (grid.pk, number), result.obj)
        return Outcome("created", result.warnings)


BUILDING_COL = Col(
    "building", "楼栋", synonyms=("楼栋号", "楼号", "楼栋名称", "所在楼栋", "栋号", "幢"), example="3",
    help="楼栋名称或网格内的楼栋号", field="building",
)  # fmt: skip
ROOM_COL = Col(
    "room", "房号", type="compact", synonyms=("门牌号", "室号", "户室号", "房间号", "单元房号"), example="2-301",
    help="单元-房号，如 2-301", field="room",
)  # fmt: skip


class HouseholdImporter(Importer):
    kind = "households"
    permission = "territory.import_household"
    label = "户"
    model = Household
    columns = [
        GRID_COL,
        Col(**{**BUILDING_COL.__dict__, "required": True}),
        Col(**{**ROOM_COL.__dict__, "required": True}),
        Col("household_no", "户号", type="compact", synonyms=("户编号",), help="留空则自动编号", field="household_no", width=20),
        Col("hukou_type", "户籍类型", type="choice", choices=HukouType.choices, example="本地户籍", field="hukou_type"),
        Col("usage", "房屋用途", type="choice", choices=DwellingUsage.choices, synonyms=("房屋性质", "居住性质"),
            example="自住", field="usage"),
        Col("area_sqm", "建筑面积（㎡）", type="decimal", synonyms=("建筑面积", "面积"), example=89, field="area_sqm"),
    ]  # fmt: skip
    key_columns = ("grid", "building", "room")
    scope_column = "grid"

    def apply(self, values):
        grid = self.find_area(("grid",), values["grid"], column="grid")
        building = self.find_building(grid, values["building"], column="building")
        if building is None:
            raise RowRejected([("building", f"网格“{grid.name}”中没有楼栋“{values['building']}”，请先导入楼栋。")])
        room = values["room"]
        fields = _provided(values, ("household_no", "hukou_type", "usage", "area_sqm"))
        existing = Household.objects.filter(building=building, room=room).first()
        if existing is not None:
            if self.on_existing == "skip":
                return Outcome("skipped", [f"{building.name} {room} 已登记，已跳过。"])
            result = services.household_update(actor=self.actor, household=existing, **fields)
            return Outcome("updated", result.warnings)
        result = services.household_create(actor=self.actor, building=building, room=room, **fields)
        return Outcome("created", result.warnings)


ROOM_IN_ADDRESS = re.compile(r"(?P<number>\d+)(?:栋|号楼|幢)(?P<room>[\d\-－]+)(?:室|号)?$")


def resolve_address(importer: Importer, grid: Area, address: str):
    """“…文昌花园小区01-1栋1-101室” → (building, room) within ``grid``; (None, "") when it does not resolve."""
    text = normalise_text(address)
    cache = importer.__dict__.setdefault("_names_by_grid", {})
    if grid.pk not in cache:
        cache[grid.pk] = sorted(
            Building.objects.filter(grid=grid).select_related("grid", "quarter"), key=lambda b: -len(b.name)
        )
    for b in cache[grid.pk]:
        if b.name and b.name in text:
            room = text.split(b.name, 1)[1].removesuffix("室").removesuffix("号").strip("-")
            if room:
                return b, room
    m = ROOM_IN_ADDRESS.search(text)
    if m:
        b = importer.find_building(grid, m.group("number"), column="address")
        if b is not None:
            return b, m.group("room").replace("－", "-")
    return None, ""
