"""The territory tree and its writes: codes vs parent, kinds under kinds, buildings and households (统计用区划代码; grids within one community)."""

import pytest
from django.core.exceptions import ValidationError

from jiceng.audit.models import AuditLog
from jiceng.core.errors import OutOfScope
from jiceng.core.tests.helpers import area, grid, make_id, writes_nothing
from jiceng.party.models import CentralHousehold
from jiceng.people.models import Resident, ResidentTag
from jiceng.people.services import resident_create, tag_create
from jiceng.territory.models import Area, Building, Household
from jiceng.territory.services import (
    area_create,
    area_update,
    building_create,
    building_update,
    household_create,
    household_update,
    next_grid_code,
)

pytestmark = pytest.mark.django_db

WC = "341103003012"  # 文昌花园社区
GRID01, GRID02, GRID03 = WC + "01", WC + "02", WC + "03"


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- areas ----------------------------------------------------------------------------------


def test_grid_code_is_community_code_plus_serial(personas):
    wenchang = area("文昌花园社区")
    result = area_create(actor=personas.longpan_admin, parent=wenchang, kind="grid", code=WC + "40", name="第40网格")
    grid_ = result.obj
    assert grid_.code == "34110300301240"
    assert grid_.path.startswith(wenchang.path) and grid_.depth == wenchang.depth + 1
    assert next_grid_code(wenchang) == WC + "41"
    log = AuditLog.objects.filter(action="create", object_type="territory.Area", object_id=str(grid_.pk)).get()
    assert log.username == "longpan_admin"
    assert log.detail["changes"]["code"] == {"before": None, "after": "34110300301240"}


@pytest.mark.parametrize("code", ["34110300300940", "3411030030124", "341103003012401", "341103003012AB", ""])
def test_grid_code_must_be_prefixed_with_its_community_code(personas, code):
    with pytest.raises(ValidationError) as exc, writes_nothing():
        area_create(actor=personas.longpan_admin, parent=area("文昌花园社区"), kind="grid", code=code, name="错网格")
    assert _errors(exc) == {"code": ["网格代码应为所属社区代码 341103003012 加 2 位序号，共 14 位数字。"]}


def test_grid_cannot_sit_directly_under_a_street(personas):
    with pytest.raises(ValidationError) as exc, writes_nothing():
        area_create(actor=personas.longpan_admin, parent=area("龙蟠街道"), kind="grid", code="34110300300001", name="x")
    assert _errors(exc) == {"parent": ["网格不能直接设在街道之下。"]}


def test_nothing_sits_under_a_grid(personas):
    with pytest.raises(ValidationError) as exc:
        area_create(actor=personas.longpan_admin, parent=grid(GRID01), kind="quarter", code=WC + "Q99", name="x")
    assert _errors(exc) == {"parent": ["小区不能直接设在网格之下。"]}


def test_quarter_under_community(personas):
    wenchang = area("文昌花园社区")
    quarter = area_create(
        actor=personas.longpan_admin, parent=wenchang, kind="quarter", code=WC + "Q08", name="新小区"
    ).obj
    assert quarter.kind == "quarter" and quarter.path.startswith(wenchang.path)
    with pytest.raises(ValidationError) as exc:
        area_create(actor=personas.longpan_admin, parent=area("龙蟠街道"), kind="quarter", code=WC + "Q09", name="x")
    assert _errors(exc) == {"parent": ["小区不能直接设在街道之下。"]}
    with pytest.raises(ValidationError) as exc:
        area_create(actor=personas.longpan_admin, parent=wenchang, kind="quarter", code="341103003009Q09", name="x")
    assert _errors(exc) == {"code": ["小区编码应为所属社区代码 341103003012 加 Q 和序号，如 341103003012Q01。"]}


def test_community_code_against_street(personas):
    longpan = area("龙蟠街道")
    c = area_create(actor=personas.longpan_admin, parent=longpan, kind="community", code="341103003013", name="新社区")
    assert c.obj.code == "341103003013"
    with pytest.raises(ValidationError) as exc, writes_nothing():
        area_create(actor=personas.longpan_admin, parent=longpan, kind="community", code="341103004013", name="x")
    assert exc.value.messages == ["社区代码前 9 位应与所属街道代码 341103003 一致。"]
    with pytest.raises(ValidationError) as exc:
        area_create(actor=personas.longpan_admin, parent=longpan, kind="community", code="341103003012", name="x")
    assert _errors(exc) == {"code": ["代码 341103003012 已被使用。"]}
    with pytest.raises(ValidationError) as exc:
        area_create(actor=personas.longpan_admin, parent=longpan, kind="community", code="341103003250", name="村")
    assert exc.value.messages == ["社区（居委会）代码末三位应在 001-199 之间。"]


def test_street_code_against_district(personas):
    district = area("南谯区")
    s = area_create(actor=personas.qu_admin, parent=district, kind="street", code="341103100000", name="乌衣镇")
    assert s.obj.kind == "street"
    with pytest.raises(ValidationError) as exc:
        area_create(actor=personas.qu_admin, parent=district, kind="street", code="341102006000", name="x")
    assert exc.value.messages == ["街道代码前 6 位应与所属区县代码 341103 一致。"]
    # a street admin may not add a sibling street
    with pytest.raises(OutOfScope), writes_nothing():
        area_create(actor=personas.longpan_admin, parent=district, kind="street", code="341103006000", name="x")


def test_root_only_by_the_seed_command(personas):
    with pytest.raises(ValidationError) as exc:
        area_create(actor=personas.qu_admin, parent=None, kind="district", code="341102", name="琅琊区")
    assert _errors(exc) == {"parent": ["根节点只能由初始化命令创建。"]}
    with pytest.raises(ValidationError) as exc:
        area_create(actor=None, parent=None, kind="street", code="341102", name="x")
    assert _errors(exc) == {"parent": ["只有区可以作为根节点。"]}


def test_area_unknown_field_is_refused(personas):
    with pytest.raises(ValidationError) as exc:
        area_create(
            actor=personas.qu_admin, parent=area("文昌花园社区"), kind="grid", code=WC + "50", name="x", path="1"
        )
    assert _errors(exc) == {"path": ["该字段不可设置。"]}
    with pytest.raises(ValidationError) as exc:
        area_update(actor=personas.qu_admin, area=grid(GRID01), kind="quarter")
    assert _errors(exc) == {"kind": ["该字段不可修改。"]}


def test_code_of_a_node_with_children_cannot_change(personas):
    with pytest.raises(ValidationError) as exc, writes_nothing():
        area_update(actor=personas.qu_admin, area=area("文昌花园社区"), code="341103003013")
    assert _errors(exc) == {"code": ["已有下级的节点不能修改代码（下级代码以其为前缀）。"]}


def test_grid_code_change_validated_against_its_community(personas):
    g = grid(GRID01)
    with pytest.raises(ValidationError) as exc:
        area_update(actor=personas.longpan_admin, area=g, code="34110300300999")
    assert _errors(exc) == {"code": ["网格代码应为所属社区代码 341103003012 加 2 位序号，共 14 位数字。"]}
    assert area_update(actor=personas.longpan_admin, area=g, code=WC + "99").obj.code == WC + "99"


def test_area_update_records_before_and_after(personas):
    g = grid(GRID01)
    old_name = g.name
    area_update(actor=personas.wenchang_worker, area=g, name="文昌一格", brand_name="一格一姐")
    log = AuditLog.objects.filter(action="update", object_type="territory.Area", object_id=str(g.pk)).latest("id")
    assert log.detail["changes"]["name"] == {"before": old_name, "after": "文昌一格"}
    assert set(log.detail["changes"]) <= {"name", "brand_name", "updated_at"}
    assert log.success is True and log.username == "wenchang_worker"


def test_area_update_out_of_scope(personas):
    g = grid("34110300400101")  # 银花西区社区第1网格
    name = g.name
    with pytest.raises(OutOfScope), writes_nothing():
        area_update(actor=personas.longpan_admin, area=g, name="越权改名")
    g.refresh_from_db()
    assert g.name == name
    # a grid worker has no territory.change_area at all
    with pytest.raises(OutOfScope):
        area_update(actor=personas.grid_wc01, area=grid(GRID01), name="x")


# --- buildings ------------------------------------------------------------------------------


def _quarter(code):
    return Area.objects.get(code=code)


def test_building_create_code_name_and_scope(personas):
    g = grid(GRID01)
    q = _quarter(WC + "Q01")
    last = Building.objects.filter(code__startswith=WC).order_by("-code").first().code
    b = building_create(actor=personas.grid_wc01, grid=g, quarter=q, number="99", floors=6).obj
    assert b.code == f"{WC}{int(last[12:]) + 1:05d}"
    assert len(b.code) == 17
    assert b.name == "文昌花园小区99栋"
    assert b.scope_path == g.path
    assert AuditLog.objects.filter(action="create", object_type="territory.Building", object_id=str(b.pk)).exists()


def test_building_must_lie_in_a_grid(personas):
    with pytest.raises(ValidationError) as exc, writes_nothing():
        building_create(actor=personas.longpan_admin, grid=area("文昌花园社区"), number="1")
    assert _errors(exc) == {"grid": ["楼栋必须属于一个网格。"]}
    with pytest.raises(ValidationError) as exc:
        building_create(actor=personas.longpan_admin, number="1")
    assert _errors(exc) == {"grid": ["请选择楼栋所属网格。"]}


def test_building_quarter_must_be_a_quarter_of_the_same_community(personas):
    with pytest.raises(ValidationError) as exc, writes_nothing():
        building_create(
            actor=personas.longpan_admin, grid=grid(GRID01), quarter=_quarter("341103003009Q01"), number="1"
        )
    assert _errors(exc) == {"quarter": ["楼栋所在小区与网格必须属于同一社区。"]}
    with pytest.raises(ValidationError) as exc:
        building_create(actor=personas.longpan_admin, grid=grid(GRID01), quarter=grid(GRID02), number="1")
    assert _errors(exc) == {"quarter": ["所选节点不是小区。"]}


def test_building_number_unique_in_grid(personas):
    existing = Building.objects.filter(grid=grid(GRID01)).first()
    with pytest.raises(ValidationError) as exc:
        building_create(actor=personas.longpan_admin, grid=existing.grid, number=existing.number)
    assert "__all__" in _errors(exc)


def test_building_in_a_foreign_subtree_is_refused_and_writes_nothing(personas):
    yinhua_grid = grid("34110300400101")
    before = Building.objects.count()
    with pytest.raises(OutOfScope) as exc, writes_nothing():
        building_create(actor=personas.longpan_admin, grid=yinhua_grid, number="88")
    assert str(exc.value) == "目标不在您的管辖范围内，操作被拒绝。"
    assert Building.objects.count() == before
    # a grid worker of 第1网格 may not build in 第2网格 of the same community
    with pytest.raises(OutOfScope), writes_nothing():
        building_create(actor=personas.grid_wc01, grid=grid(GRID02), number="88")


def _resident_in(household, personas, seq="901"):
    return resident_create(
        actor=personas.qu_admin,
        name="测试居民",
        id_number=make_id("19900101", seq=seq),
        household=household,
        relation_to_head="20",
    ).obj


def test_moving_a_building_moves_households_residents_tags_and_central_households(personas):
    b = Building.objects.filter(grid__code=GRID01, households__isnull=False).distinct().first()
    target = grid(GRID02)
    household = b.households.first()
    r = _resident_in(household, personas)
    tag = tag_create(actor=personas.wenchang_worker, resident=r, tag_type="lonely_elderly").obj
    n_households = b.households.count()
    n_residents = Resident.objects.filter(building=b).count()
    assert n_households and n_residents
    ch = CentralHousehold.objects.filter(household__building=b).first()

    with pytest.raises(ValidationError) as exc:  # 第2网格 already has a building with this number
        building_update(actor=personas.wenchang_worker, building=b, grid=target)
    assert _errors(exc) == {"__all__": ["该网格内已有相同楼栋号的楼栋。"]}
    building_update(actor=personas.wenchang_worker, building=b, grid=target, number="99")

    b.refresh_from_db()
    assert b.scope_path == target.path and b.grid_id == target.pk
    assert Household.objects.filter(building=b, scope_path=target.path).count() == n_households
    moved = Resident.objects.filter(building=b)
    assert moved.count() == n_residents
    assert set(moved.values_list("scope_path", flat=True)) == {target.path}
    assert set(moved.values_list("grid_id", flat=True)) == {target.pk}
    tag.refresh_from_db()
    assert tag.scope_path == target.path
    if ch is not None:
        ch.refresh_from_db()
        assert ch.scope_path == target.path
    # the grid worker of the new grid now sees them, the one of the old grid does not
    assert Resident.objects.restrict(personas.grid_wc02).filter(pk=r.pk).exists() is False  # wc02 holds 第3网格
    assert Resident.objects.restrict(personas.grid_wc01).filter(pk=r.pk).exists() is False
    assert ResidentTag.objects.restrict(personas.wenchang_worker).filter(pk=tag.pk).exists()


def test_moving_a_building_into_a_foreign_grid_is_refused_and_changes_nothing(personas):
    b = Building.objects.filter(grid__code=GRID01).first()
    old_path = b.scope_path
    residents_before = list(Resident.objects.filter(building=b).values_list("pk", "scope_path"))
    with pytest.raises(OutOfScope), writes_nothing():
        building_update(actor=personas.wenchang_worker, building=b, grid=grid("34110300300901"))  # 陡岗
    b.refresh_from_db()
    assert b.scope_path == old_path and b.grid.code == GRID01
    assert list(Resident.objects.filter(building=b).values_list("pk", "scope_path")) == residents_before


def test_building_update_of_a_foreign_building_is_refused(personas):
    b = Building.objects.filter(grid__code="34110300400101").first()
    name = b.name
    with pytest.raises(OutOfScope), writes_nothing():
        building_update(actor=personas.longpan_admin, building=b, name="越权")
    b.refresh_from_db()
    assert b.name == name


# --- households -----------------------------------------------------------------------------


def test_household_create_number_and_scope(personas):
    b = Building.objects.filter(grid__code=GRID01).first()
    h = household_create(actor=personas.grid_wc01, building=b, room=" 9-909 ").obj
    assert h.room == "9-909"
    assert h.household_no == f"{b.code}-9-909"
    assert h.scope_path == b.scope_path
    with pytest.raises(ValidationError) as exc:
        household_create(actor=personas.grid_wc01, building=b, room="9-909")
    assert "__all__" in _errors(exc)


def test_household_in_a_foreign_building_is_refused(personas):
    b = Building.objects.filter(grid__code=GRID02).first()
    with pytest.raises(OutOfScope), writes_nothing():
        household_create(actor=personas.grid_wc01, building=b, room="1-101")


def test_household_moving_to_another_building_of_the_same_grid_moves_its_residents(personas):
    b1, b2 = Building.objects.filter(grid__code=GRID01).order_by("id")[:2]
    h = b1.households.first()
    members = list(h.residents.values_list("pk", flat=True))
    assert members
    household_update(actor=personas.grid_wc01, household=h, building=b2, room="88-808")
    assert set(Resident.objects.filter(pk__in=members).values_list("building_id", flat=True)) == {b2.pk}


def test_household_moving_to_another_grid_moves_residents_and_tags(personas):
    h = Household.objects.filter(building__grid__code=GRID01, residents__isnull=False).distinct().first()
    r = h.residents.first()
    tag = tag_create(actor=personas.wenchang_worker, resident=r, tag_type="disabled").obj
    target_building = Building.objects.filter(grid__code=GRID03).first()
    household_update(actor=personas.wenchang_worker, household=h, building=target_building, room="77-707")
    r.refresh_from_db()
    tag.refresh_from_db()
    assert r.building_id == target_building.pk and r.grid_id == target_building.grid_id
    assert r.scope_path == tag.scope_path == target_building.scope_path
    assert Resident.objects.restrict(personas.grid_wc02).filter(pk=r.pk).exists()  # wc02 holds 第3网格


def test_household_move_into_a_foreign_grid_is_refused(personas):
    h = Household.objects.filter(building__grid__code=GRID01).first()
    with pytest.raises(OutOfScope), writes_nothing():
        household_update(
            actor=personas.grid_wc01, household=h, building=Building.objects.filter(grid__code=GRID02).first()
        )
    h.refresh_from_db()
    assert h.building.grid.code == GRID01


def test_household_head_must_be_a_member(personas):
    h1, h2 = Household.objects.filter(building__grid__code=GRID01, residents__isnull=False).distinct()[:2]
    stranger = h2.residents.first()
    with pytest.raises(ValidationError) as exc:
        household_update(actor=personas.grid_wc01, household=h1, head=stranger)
    assert _errors(exc) == {"head": ["户主必须是本户成员。"]}
