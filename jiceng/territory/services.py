"""Writes to the territory tree. Each checks the actor's scope on the target node inside the transaction."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from shapely.geometry import Point, shape

from jiceng.audit.services import audit_bulk_create, audit_record, snapshot
from jiceng.core import counting
from jiceng.core.bulk import fast_insert, is_unique_violation
from jiceng.core.scoping import cascade_scope_path
from jiceng.core.services import Result, full_clean, reject_unknown, require_scope
from jiceng.core.validators import is_ascii_digits, validate_admin_code

from .choices import ALLOWED_CHILDREN, AreaKind
from .geo import bounds_of, parse_boundary
from .models import Area, Building, Household

AREA_EDITABLE = {
    "name", "code", "code_is_example", "town_kind", "urban_rural_code", "grid_type", "brand_name",
    "boundary", "address", "has_service_station", "is_active",
}  # fmt: skip


def _validate_area_code(kind: str, code: str, parent: Area | None) -> str:
    if kind in {AreaKind.DISTRICT, AreaKind.STREET, AreaKind.COMMUNITY}:
        return validate_admin_code(code, level=kind, parent_code=parent.code if parent else None)
    if kind == AreaKind.GRID:
        width = settings.JICENG_GRID_SERIAL_WIDTH
        code = (code or "").strip()
        if parent is None:
            raise ValidationError({"code": "网格必须属于一个社区。"})
        if not (is_ascii_digits(code) and len(code) == 12 + width and code.startswith(parent.code[:12])):
            raise ValidationError(
                {"code": f"网格代码应为所属社区代码 {parent.code[:12]} 加 {width} 位序号，共 {12 + width} 位数字。"}
            )
        return code
    if kind == AreaKind.QUARTER:
        code = (code or "").strip()
        if parent is None or not code.startswith(parent.code[:12]) or not code[12:].startswith("Q"):
            raise ValidationError(
                {
                    "code": f"小区编码应为所属社区代码 {parent.code[:12] if parent else ''} 加 Q 和序号，如 {parent.code[:12] if parent else ''}Q01。"
                }
            )
        return code
    raise ValidationError({"kind": "未知的层级。"})


def grid_overlap_warnings(area: Area) -> list[str]:
    """Grids of one community should not overlap (a warning, not a refusal); touching edges are fine."""
    if area.kind != AreaKind.GRID or not area.boundary:
        return []
    community_path = area.path[: (area.depth - 1) * Area.steplen]
    others = Area.objects.filter(
        kind=AreaKind.GRID,
        is_active=True,
        path__startswith=community_path,
        min_lng__lte=area.max_lng,
        max_lng__gte=area.min_lng,
        min_lat__lte=area.max_lat,
        max_lat__gte=area.min_lat,
    ).exclude(pk=area.pk)
    geom = shape(area.boundary)
    warnings = []
    for other in others.order_by("code"):
        if other.boundary and geom.intersection(shape(other.boundary)).area > 0:
            warnings.append(f"网格边界与“{other.name}”（{other.code}）重叠，请核实。")
    return warnings


def building_place_warnings(building: Building) -> list[str]:
    """A building with coordinates should lie inside its grid's boundary (edges count as inside)."""
    grid = building.grid
    if building.lng is None or building.lat is None or not grid.boundary:
        return []
    if shape(grid.boundary).covers(Point(building.lng, building.lat)):
        return []
    return [f"楼栋坐标（{building.lng}, {building.lat}）不在所属网格“{grid.name}”的边界内，请核实。"]


def _apply_boundary(area: Area) -> None:
    area.boundary = parse_boundary(area.boundary) if area.boundary else None
    if area.boundary:
        area.min_lng, area.min_lat, area.max_lng, area.max_lat = bounds_of(area.boundary)
    else:
        area.min_lng = area.min_lat = area.max_lng = area.max_lat = None


def next_grid_code(community: Area) -> str:
    width = settings.JICENG_GRID_SERIAL_WIDTH
    existing = Area.objects.filter(kind=AreaKind.GRID, code__startswith=community.code[:12]).values_list(
        "code", flat=True
    )
    serials = [int(c[12:]) for c in existing if c[12:].isdigit()]
    return community.code[:12] + str(max(serials, default=0) + 1).zfill(width)


@transaction.atomic
def area_create(*, actor, parent: Area | None, kind: str, code: str, name: str, **fields) -> Result[Area]:
    """Create a street, community, grid or quarter under ``parent`` (which must lie in the actor's scope)."""
    if parent is None:
        if kind != AreaKind.DISTRICT:
            raise ValidationError({"parent": "只有区可以作为根节点。"})
        if actor is not None:
            raise ValidationError({"parent": "根节点只能由初始化命令创建。"})
    else:
        parent = Area.objects.select_for_update().get(pk=parent.pk)
        require_scope(actor, Area, "add", parent.path)
        if kind not in ALLOWED_CHILDREN[AreaKind(parent.kind)]:
            raise ValidationError({"parent": f"{AreaKind(kind).label}不能直接设在{AreaKind(parent.kind).label}之下。"})
    reject_unknown(fields, AREA_EDITABLE)
    code = _validate_area_code(kind, code, parent)
    area = Area(kind=kind, code=code, name=name, **fields)
    _apply_boundary(area)
    if Area.objects.filter(code=code).exists():
        raise ValidationError({"code": f"代码 {code} 已被使用。"})
    full_clean(area, exclude=["path", "depth", "numchild"])
    area = Area.objects.add_root(instance=area) if parent is None else Area.objects.add_child(parent, instance=area)
    audit_record(actor=actor, action="create", obj=area, after=snapshot(area))
    return Result(area, grid_overlap_warnings(area))


@transaction.atomic
def area_update(*, actor, area: Area, **fields) -> Result[Area]:
    area = Area.objects.select_for_update().get(pk=area.pk)
    require_scope(actor, Area, "change", area.path)
    before = snapshot(area)
    reject_unknown(fields, AREA_EDITABLE, verb="修改")
    for key, value in fields.items():
        setattr(area, key, value)
    if "code" in fields and fields["code"] != before["code"]:
        parent = Area.objects.get_parent(area)
        area.code = _validate_area_code(area.kind, area.code, parent)
        if area.kind in {AreaKind.STREET, AreaKind.COMMUNITY} and area.numchild:
            raise ValidationError({"code": "已有下级的节点不能修改代码（下级代码以其为前缀）。"})
    _apply_boundary(area)
    full_clean(area, exclude=["path", "depth", "numchild"])
    area.save()
    audit_record(actor=actor, action="update", obj=area, before=before, after=snapshot(area))
    return Result(area, grid_overlap_warnings(area))


BUILDING_FIELDS = {"grid", "quarter", "number", "name", "floors", "units", "usage", "address", "lng", "lat"}


def _check_building_places(actor, building: Building) -> None:
    grid = building.grid
    # Scope first: a target outside the actor's subtree is refused before anything about it is revealed.
    require_scope(actor, Building, "add" if building.pk is None else "change", grid.path)
    if grid.kind != AreaKind.GRID:
        raise ValidationError({"grid": "楼栋必须属于一个网格。"})
    if building.quarter_id:
        quarter = building.quarter
        if quarter.kind != AreaKind.QUARTER:
            raise ValidationError({"quarter": "所选节点不是小区。"})
        if quarter.path[: 3 * Area.steplen] != grid.path[: 3 * Area.steplen]:
            raise ValidationError({"quarter": "楼栋所在小区与网格必须属于同一社区。"})
    errors = {}
    if building.lng is not None and not -180 <= building.lng <= 180:
        errors["lng"] = "经度应在 -180 到 180 之间（WGS84）。"
    if building.lat is not None and not -90 <= building.lat <= 90:
        errors["lat"] = "纬度应在 -90 到 90 之间（WGS84）。"
    if (building.lng is None) != (building.lat is None):
        errors["lat" if building.lat is None else "lng"] = "经度和纬度须同时填写。"
    if errors:
        raise ValidationError(errors)


def next_building_code(grid: Area) -> str:
    prefix = grid.code[:12]
    last = Building.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    serial = int(last[12:]) + 1 if last and last[12:].isdigit() else 1
    return f"{prefix}{serial:05d}"


@transaction.atomic
def building_create(*, actor, **data) -> Result[Building]:
    reject_unknown(data, BUILDING_FIELDS)
    building = Building(**data)
    if not building.grid_id:
        raise ValidationError({"grid": "请选择楼栋所属网格。"})
    _check_building_places(actor, building)
    building.scope_path = building.grid.path
    building.code = next_building_code(building.grid)
    if not building.name:
        building.name = f"{building.quarter.name if building.quarter_id else building.grid.name}{building.number}栋"
    full_clean(building)
    building.save()
    audit_record(actor=actor, action="create", obj=building, after=snapshot(building))
    return Result(building, building_place_warnings(building))


@transaction.atomic
def building_update(*, actor, building: Building, **data) -> Result[Building]:
    building = Building.objects.select_for_update().get(pk=building.pk)
    require_scope(actor, Building, "change", building.scope_path)
    before = snapshot(building)
    reject_unknown(data, BUILDING_FIELDS, verb="修改")
    for key, value in data.items():
        setattr(building, key, value)
    _check_building_places(actor, building)
    moved = building.grid.path != building.scope_path
    building.scope_path = building.grid.path
    full_clean(building)
    building.save()
    if moved:  # households, residents and what hangs from them follow their building into the new grid
        cascade_scope_path(Building, Building.objects.filter(pk=building.pk), building.scope_path)
    audit_record(actor=actor, action="update", obj=building, before=before, after=snapshot(building))
    return Result(building, building_place_warnings(building))


HOUSEHOLD_FIELDS = {"building", "room", "household_no", "head", "hukou_type", "usage", "area_sqm"}


def next_household_no(building: Building, room: str) -> str:
    return f"{building.code}-{room}"


@transaction.atomic
def household_create(*, actor, **data) -> Result[Household]:
    reject_unknown(data, HOUSEHOLD_FIELDS)
    household = Household(**data)
    if not household.building_id:
        raise ValidationError({"building": "请选择楼栋。"})
    require_scope(actor, Household, "add", household.building.scope_path)
    household.room = (household.room or "").strip()
    household.scope_path = household.building.scope_path
    if not household.household_no:
        household.household_no = next_household_no(household.building, household.room)
    full_clean(household)
    household.save()
    audit_record(actor=actor, action="create", obj=household, after=snapshot(household))
    return Result(household)


def household_build(*, actor, **data) -> Household:
    """Every check of :func:`household_create` on an unsaved household, writing nothing (batch imports):
    the building is resolved by the caller; the unique household number and (building, room) are
    checked for the whole batch by :func:`households_bulk_create`."""
    reject_unknown(data, HOUSEHOLD_FIELDS)
    household = Household(**data)
    if not household.building_id:
        raise ValidationError({"building": "请选择楼栋。"})
    require_scope(actor, Household, "add", household.building.scope_path)
    household.room = (household.room or "").strip()
    household.scope_path = household.building.scope_path
    if not household.household_no:
        household.household_no = next_household_no(household.building, household.room)
    household.full_clean(exclude=["building", "head"], validate_unique=False, validate_constraints=False)
    return household


def households_bulk_create(*, actor, households: list[Household], detail: dict | None = None) -> list[Household]:
    """Insert households built by :func:`household_build` in one statement, one audit row for all.

    Raises ``ValidationError`` (``household_no``) if a number or a (building, room) is taken."""
    if not households:
        return []
    nos = [h.household_no for h in households]
    places = {(h.building_id, h.room) for h in households}
    if len(set(nos)) != len(nos) or len(places) != len(households):
        raise ValidationError({"household_no": "户号或楼栋房号重复。"})
    # A number or dwelling taken meanwhile is refused by the unique indexes, not looked up first (the
    # caller has just read the batch's dwellings); the savepoint keeps the caller's transaction usable.
    try:
        with transaction.atomic():
            fast_insert(Household, households)
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise ValidationError({"household_no": "户号或楼栋房号已存在。"}) from None

    audit_bulk_create(
        actor=actor,
        model=Household,
        ids=[h.pk for h in households],
        paths=[h.scope_path for h in households],
        detail=detail,
    )
    counting.bump_paths({h.scope_path for h in households})
    return households


@transaction.atomic
def household_update(*, actor, household: Household, **data) -> Result[Household]:
    household = Household.objects.select_for_update().get(pk=household.pk)
    require_scope(actor, Household, "change", household.scope_path)
    before = snapshot(household)
    reject_unknown(data, HOUSEHOLD_FIELDS, verb="修改")
    for key, value in data.items():
        setattr(household, key, value)
    require_scope(actor, Household, "change", household.building.scope_path)
    if household.head_id and household.head.household_id != household.pk:
        raise ValidationError({"head": "户主必须是本户成员。"})
    # A move to another building of the same grid keeps the scope but must still move the residents.
    moved = household.building_id != before["building"] or household.scope_path != household.building.scope_path
    household.scope_path = household.building.scope_path
    full_clean(household)
    household.save()
    if moved:
        # residents and what hangs from them follow (``scope_parent`` declared by their own apps)
        cascade_scope_path(Household, Household.objects.filter(pk=household.pk), household.scope_path)
    audit_record(actor=actor, action="update", obj=household, before=before, after=snapshot(household))
    return Result(household)
