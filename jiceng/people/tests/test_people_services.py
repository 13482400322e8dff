"""Residents, encrypted personal data, reveal with reason, special-population tags, workers (GB 11643, 个人信息保护法)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jiceng.audit.models import AuditLog, SensitiveAccessLog
from jiceng.core.crypto import decrypt
from jiceng.core.errors import OutOfScope
from jiceng.core.tests.helpers import area, make_id, new_user, writes_nothing
from jiceng.people.models import Resident, ResidentTag, Worker
from jiceng.people.services import (
    id_hash_for,
    phone_hash_for,
    resident_create,
    resident_update,
    reveal_personal_data,
    tag_create,
    tag_update,
    worker_create,
    worker_update,
)
from jiceng.territory.models import Area, Household

pytestmark = pytest.mark.django_db

WC = "341103003012"
TODAY = dt.date.today()


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


def _household(grid_code=WC + "01") -> Household:
    return Household.objects.filter(building__grid__code=grid_code).order_by("id").first()


def _create(actor, **extra) -> Resident:
    data = {"name": "李测试", "id_number": make_id("19900315", seq="903"), "household": _household(), **extra}
    return resident_create(actor=actor, **data).obj


def _raw(resident: Resident) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_resident WHERE id = %s", [resident.pk])
        return cursor.fetchone()


# --- residents ------------------------------------------------------------------------------


def test_resident_create_encrypts_hashes_and_derives(personas):
    number = make_id("19900315", seq="903")
    result = resident_create(
        actor=personas.grid_wc01, name=" 李测试 ", id_number=number.lower(), phone="+86 138 0000 1234",
        household=_household(), relation_to_head="20",
    )  # fmt: skip
    r = result.obj
    assert result.warnings == []
    assert r.name == "李测试"
    assert (r.gender, r.birth_date) == ("1", dt.date(1990, 3, 15))
    assert r.id_last4 == number[-4:]
    assert r.id_hash == id_hash_for(number) and r.phone_hash == phone_hash_for("13800001234")
    household = _household()
    assert (r.building_id, r.grid_id, r.scope_path) == (
        household.building_id,
        household.building.grid_id,
        household.scope_path,
    )
    raw_id, raw_phone = _raw(r)
    assert number not in raw_id and "13800001234" not in raw_phone
    assert decrypt(raw_id) == number and decrypt(raw_phone) == "13800001234"
    # found by the keyed hash, and decrypted transparently on read
    found = Resident.objects.get(id_hash=id_hash_for(number))
    assert found == r and found.id_number == number and found.phone == "13800001234"
    assert found.id_number_masked == number[:3] + "*" * 11 + number[-4:]
    assert found.phone_masked == "138****1234"
    assert Resident.objects.filter(phone_hash=phone_hash_for("13800001234")).get() == r


def test_audit_row_of_a_resident_holds_no_personal_data(personas):
    number = make_id("19900315", seq="903")
    r = _create(personas.grid_wc01, id_number=number, phone="13800001234")
    log = AuditLog.objects.get(action="create", object_type="people.Resident", object_id=str(r.pk))
    text = str(log.detail)
    assert number not in text and "13800001234" not in text
    assert log.detail["changes"]["id_number"]["after"] == "（已加密，不记录明文）"
    assert log.detail["changes"]["id_hash"]["after"] == "（已加密，不记录明文）"
    # the stored masks show digits too (first 3 and last 4; 7 of a phone's 11): never in the audit trail
    assert r.id_mask not in text and r.phone_mask not in text and "1234" not in text
    assert (
        log.detail["changes"]["id_mask"]["after"]
        == log.detail["changes"]["phone_mask"]["after"]
        == "（已加密，不记录明文）"
    )
    resident_update(actor=personas.grid_wc01, resident=r, id_number=number, phone="13900005678")
    update = AuditLog.objects.filter(action="update", object_type="people.Resident", object_id=str(r.pk)).latest("id")
    assert "5678" not in str(update.detail) and "139****5678" not in str(update.detail)


def test_area_code_not_in_force_is_a_warning(personas):
    number = make_id("19800101", area="341103", seq="901")
    result = resident_create(actor=personas.grid_wc01, name="王老", id_number=number, household=_household())
    assert result.warnings == ["身份证号地址码 341103 在出生年份尚未启用或未知，请核实（不影响保存）。"]
    assert result.obj.pk


def test_gender_and_birth_date_cross_checked_against_the_id(personas):
    number = make_id("19900315", seq="903")  # male
    with pytest.raises(ValidationError) as exc, writes_nothing():
        _create(personas.grid_wc01, id_number=number, gender="2", birth_date=dt.date(1990, 3, 16))
    assert _errors(exc) == {
        "birth_date": ["出生日期与身份证号不一致（身份证号显示 1990-03-15）。"],
        "gender": ["性别与身份证号第 17 位不一致（奇数为男，偶数为女）。"],
    }
    r = _create(personas.grid_wc01, id_number=number, gender="1", birth_date=dt.date(1990, 3, 15))
    assert r.gender == "1"


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        (make_id("19900315", seq="903")[:17] + "X", "身份证号校验位不正确，请核对是否录入有误。"),
        (make_id("19900231"), "身份证号中的出生日期“19900231”不是有效日期。"),
        (make_id("19900101", area="991103"), "身份证号前两位“99”不是有效的省级行政区划代码。"),
        ("110105900315903", "不再接受 15 位旧身份证号，请填写 18 位公民身份号码。"),
        ("", "身份证号不能为空。"),
    ],
)
def test_invalid_id_numbers_are_rejected_in_chinese(personas, id_number, message):
    with pytest.raises(ValidationError) as exc, writes_nothing():
        _create(personas.grid_wc01, id_number=id_number)
    assert _errors(exc) == {"id_number": [message]}


def test_duplicate_id_number_is_rejected_whatever_its_spelling(personas):
    number = make_id("19491231", seq="902")
    _create(personas.grid_wc01, id_number=number)
    spelled = " ".join(number).translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    with pytest.raises(ValidationError) as exc, writes_nothing():
        _create(personas.grid_wc01, id_number=spelled)
    assert _errors(exc) == {"id_number": ["该证件号码已登记为其他居民，不能重复登记。"]}
    # an existing demo resident's number (encrypted in the table) is found through its hash; outside
    # the actor's scope the message says only that the person is registered elsewhere
    existing = Resident.objects.filter(scope_path__startswith=area("陡岗社区").path).first()
    with pytest.raises(ValidationError) as exc:
        _create(personas.grid_wc01, id_number=existing.id_number)
    assert _errors(exc) == {"id_number": ["该证件号码已在您的管辖范围以外登记，请联系上级部门办理人员迁入。"]}
    assert existing.name not in str(exc.value)


def test_invalid_phone_is_rejected_in_chinese(personas):
    with pytest.raises(ValidationError) as exc, writes_nothing():
        _create(personas.grid_wc01, phone="1234")
    assert _errors(exc) == {"phone": ["电话号码“1234”格式不正确：手机号为 11 位（1 开头），座机如 0550-1234567。"]}
    r = _create(personas.grid_wc01, phone="0550 3123456")
    assert r.phone == "0550-3123456" and r.phone_masked == "********3456"


def test_other_id_types_need_birth_date_and_gender(personas):
    with pytest.raises(ValidationError) as exc:
        _create(personas.grid_wc01, id_type="passport", id_number="")
    assert _errors(exc) == {
        "id_number": ["请填写证件号码。"],
        "birth_date": ["请填写出生日期。"],
        "gender": ["请选择性别。"],
    }
    r = _create(
        personas.grid_wc01, id_type="passport", id_number=" e12345678 ", birth_date=dt.date(1985, 5, 5), gender="2"
    )
    assert r.id_number == "E12345678" and r.id_last4 == "5678"


def test_future_dates_and_missing_household(personas):
    with pytest.raises(ValidationError) as exc:
        _create(personas.grid_wc01, registered_on=TODAY + dt.timedelta(days=1), household=None)
    assert _errors(exc) == {"registered_on": ["登记日期不能晚于今天。"], "household": ["请选择所在户（楼栋与房号）。"]}


def test_floating_population_warning(personas):
    result = resident_create(
        actor=personas.grid_wc01, name="流动", id_number=make_id("19950505", seq="905"), household=_household(),
        population_type="floating",
    )  # fmt: skip
    assert result.warnings == ["流动人口建议填写流入原因。"]


def test_resident_update_audits_changes_without_personal_data(personas):
    r = _create(personas.grid_wc01, phone="13800001234")
    resident_update(actor=personas.grid_wc01, resident=r, occupation="教师", id_number=r.id_number, phone="13800001234")
    log = AuditLog.objects.filter(action="update", object_type="people.Resident", object_id=str(r.pk)).latest("id")
    assert log.detail["changes"]["occupation"] == {"before": "", "after": "教师"}
    assert "id_number" not in log.detail["changes"]  # the same number re-submitted is not a change
    assert "phone" not in log.detail["changes"]
    new_number = make_id("19900315", seq="905")
    resident_update(actor=personas.grid_wc01, resident=r, id_number=new_number, phone="13900001234")
    log = AuditLog.objects.filter(action="update", object_type="people.Resident", object_id=str(r.pk)).latest("id")
    assert log.detail["changes"]["id_number"]["after"] == "（已变更）"
    assert log.detail["changes"]["phone"]["after"] == "（已变更）"
    assert new_number not in str(log.detail) and "13900001234" not in str(log.detail)
    r.refresh_from_db()
    assert r.id_hash == id_hash_for(new_number) and r.id_last4 == new_number[-4:]


def test_resident_update_into_a_foreign_household_is_refused(personas):
    r = _create(personas.grid_wc01)
    with pytest.raises(OutOfScope), writes_nothing():
        resident_update(actor=personas.grid_wc01, resident=r, household=_household(WC + "02"))
    r.refresh_from_db()
    assert r.household == _household()


def test_resident_writes_by_a_sibling_are_refused(personas):
    r = Resident.objects.filter(scope_path__startswith=area("银花街道").path).first()
    name = r.name
    with pytest.raises(OutOfScope), writes_nothing():
        resident_update(actor=personas.longpan_admin, resident=r, name="越权")
    with pytest.raises(OutOfScope), writes_nothing():
        resident_create(actor=personas.longpan_admin, name="越权", id_number=make_id("19900101"), household=r.household)
    with pytest.raises(OutOfScope), writes_nothing():
        _create(personas.dougang_worker)  # a 文昌花园 household
    with pytest.raises(OutOfScope), writes_nothing():
        _create(personas.resident_demo, household=personas.resident_demo.resident.household)
    r.refresh_from_db()
    assert r.name == name


# --- reveal ---------------------------------------------------------------------------------


def test_reveal_requires_reason_and_is_logged(personas):
    number = make_id("19900315", seq="903")
    r = _create(personas.grid_wc01, id_number=number, phone="13800001234")
    with pytest.raises(ValidationError) as exc, writes_nothing():
        reveal_personal_data(actor=personas.grid_wc01, obj=r, field="id_number", reason=" 查看 ")
    assert _errors(exc) == {"reason": ["请填写查看理由（至少 4 个字）。"]}
    with pytest.raises(ValidationError) as exc:
        reveal_personal_data(actor=personas.grid_wc01, obj=r, field="name", reason="入户走访核对")
    assert _errors(exc) == {"field": ["该字段不可查看明文。"]}

    value = reveal_personal_data(actor=personas.grid_wc01, obj=r, field="id_number", reason="入户走访核对身份")
    assert value == number
    log = SensitiveAccessLog.objects.latest("id")
    assert (log.user.username, log.subject_type, log.subject_id, log.field, log.reason) == (
        "grid_wc01", "people.Resident", str(r.pk), "id_number", "入户走访核对身份",
    )  # fmt: skip
    assert log.subject_repr == "李*试" and log.scope_path == r.scope_path
    audit = AuditLog.objects.filter(action="reveal").latest("id")
    assert audit.detail == {"field": "id_number", "reason": "入户走访核对身份"}
    assert audit.object_id == str(r.pk) and audit.success
    assert (
        reveal_personal_data(actor=personas.wenchang_worker, obj=r, field="phone", reason="联系本人办理")
        == "13800001234"
    )


@pytest.mark.parametrize(
    "username", ["member_demo", "resident_demo", "dougang_worker", "yinhua_admin", "grid_wc02", "auditor"]
)
def test_denied_reveal_raises_and_is_logged(personas, username):
    r = _create(personas.grid_wc01)
    actor = getattr(personas, username)
    accesses = SensitiveAccessLog.objects.count()
    with pytest.raises(OutOfScope) as exc:
        reveal_personal_data(actor=actor, obj=r, field="id_number", reason="想看看而已")
    assert str(exc.value) == "您没有查看完整个人信息的权限。"
    assert SensitiveAccessLog.objects.count() == accesses
    denied = AuditLog.objects.filter(action="reveal_denied", object_id=str(r.pk)).get()
    assert denied.success is False and denied.username == username
    assert denied.detail == {"field": "id_number", "reason": "想看看而已"}


def test_grid_worker_may_not_reveal_a_worker_phone(personas):
    worker = Worker.objects.filter(community=area("文昌花园社区")).first()
    with pytest.raises(OutOfScope):
        reveal_personal_data(actor=personas.grid_wc01, obj=worker, field="phone", reason="联系同事工作")
    assert AuditLog.objects.filter(action="reveal_denied", object_type="people.Worker").count() == 1
    assert reveal_personal_data(actor=personas.wenchang_worker, obj=worker, field="phone", reason="联系同事工作")


# --- tags -----------------------------------------------------------------------------------


def test_tags_only_for_roles_that_view_them(personas):
    r = _create(personas.grid_wc01)
    quarter = Area.objects.get(code=WC + "Q01")
    secretary = new_user("q1_secretary", "quarter_secretary", quarter)
    for actor in (secretary, personas.member_demo, personas.resident_demo, personas.auditor):
        with pytest.raises(OutOfScope) as exc, writes_nothing():
            tag_create(actor=actor, resident=r, tag_type="correction")
        assert str(exc.value) == "您没有执行此操作的权限。"
    # a sibling grid worker has the permission but not on this grid
    with pytest.raises(OutOfScope) as exc, writes_nothing():
        tag_create(actor=personas.grid_wc02, resident=r, tag_type="correction")
    assert str(exc.value) == "目标不在您的管辖范围内，操作被拒绝。"
    tag = tag_create(actor=personas.grid_wc01, resident=r, tag_type="correction", risk_level="high").obj
    assert tag.scope_path == r.scope_path and tag.get_tag_type_display() == "社区矫正人员"
    assert ResidentTag.objects.restrict(personas.grid_wc01).filter(pk=tag.pk).exists()
    assert not ResidentTag.objects.restrict(secretary).exists()
    assert not ResidentTag.objects.restrict(personas.member_demo).exists()
    with pytest.raises(OutOfScope), writes_nothing():
        tag_update(actor=personas.grid_wc02, tag=tag, risk_level="low")


def test_tag_dates_and_fields(personas):
    r = _create(personas.grid_wc01)
    with pytest.raises(ValidationError) as exc, writes_nothing():
        tag_create(
            actor=personas.grid_wc01,
            resident=r,
            tag_type="drug",
            valid_from=TODAY,
            valid_to=TODAY - dt.timedelta(days=1),
        )
    assert _errors(exc) == {"valid_to": ["截止日期不能早于起始日期。"]}
    tag = tag_create(actor=personas.grid_wc01, resident=r, tag_type="drug").obj
    with pytest.raises(ValidationError) as exc:
        tag_update(actor=personas.grid_wc01, tag=tag, resident=r)
    assert _errors(exc) == {"resident": ["该字段不可修改。"]}
    tag_update(actor=personas.grid_wc01, tag=tag, risk_level="medium", help_measures="每月走访")
    log = AuditLog.objects.filter(action="update", object_type="people.ResidentTag", object_id=str(tag.pk)).get()
    assert log.detail["changes"]["risk_level"] == {"before": "（敏感信息）", "after": "（敏感信息，已变更）"}


def test_resident_moving_house_takes_the_tags_along(personas):
    r = _create(personas.wenchang_worker)
    tag = tag_create(actor=personas.wenchang_worker, resident=r, tag_type="left_behind").obj
    target = _household(WC + "03")
    resident_update(actor=personas.wenchang_worker, resident=r, household=target)
    tag.refresh_from_db()
    assert tag.scope_path == target.scope_path
    assert ResidentTag.objects.restrict(personas.grid_wc02).filter(pk=tag.pk).exists()  # wc02 holds 第3网格
    assert not ResidentTag.objects.restrict(personas.grid_wc01).filter(pk=tag.pk).exists()


# --- workers --------------------------------------------------------------------------------


def test_worker_create_and_update(personas):
    wenchang = area("文昌花园社区")
    g1, g2 = Area.objects.filter(kind="grid", code__startswith=WC).order_by("code")[:2]
    w = worker_create(
        actor=personas.wenchang_worker, name="赵网格", community=wenchang, phone="139 0000 1111",
        post="grid", is_grid_worker=True, level=3, grids=[g1],
    ).obj  # fmt: skip
    assert w.scope_path == wenchang.path and w.phone_hash == phone_hash_for("13900001111")
    assert list(w.grids.all()) == [g1]
    worker_update(actor=personas.wenchang_worker, worker=w, grids=[g1, g2], level=4)
    log = AuditLog.objects.filter(action="update", object_type="people.Worker", object_id=str(w.pk)).get()
    assert log.detail["changes"]["grids"] == {"before": [g1.pk], "after": sorted([g1.pk, g2.pk])}
    assert log.detail["changes"]["level"] == {"before": 3, "after": 4}


def test_worker_rules(personas):
    wenchang = area("文昌花园社区")
    dougang_grid = Area.objects.filter(kind="grid", code__startswith="341103003009").first()
    base = {"actor": personas.wenchang_worker, "name": "x", "community": wenchang}
    with pytest.raises(ValidationError) as exc, writes_nothing():
        worker_create(**base, is_grid_worker=True, grids=[])
    assert _errors(exc) == {"grids": ["网格员至少服务一个网格。"]}
    with pytest.raises(ValidationError) as exc:
        worker_create(**base, is_grid_worker=True, grids=[dougang_grid])
    assert _errors(exc) == {"grids": [f"网格“{dougang_grid.name}”不属于该社区。"]}
    with pytest.raises(ValidationError) as exc:
        worker_create(**base, level=7, phone="12345")
    assert _errors(exc) == {
        "level": ["档次应在 1-6 之间。"],
        "phone": ["电话号码“12345”格式不正确：手机号为 11 位（1 开头），座机如 0550-1234567。"],
    }
    with pytest.raises(ValidationError) as exc:
        worker_create(actor=personas.longpan_admin, name="x", community=area("龙蟠街道"))
    assert _errors(exc) == {"community": ["社区工作者必须属于一个社区。"]}


def test_worker_writes_by_a_sibling_are_refused(personas):
    with pytest.raises(OutOfScope), writes_nothing():
        worker_create(actor=personas.dougang_worker, name="x", community=area("文昌花园社区"))
    w = Worker.objects.filter(community=area("文昌花园社区")).first()
    name = w.name
    with pytest.raises(OutOfScope), writes_nothing():
        worker_update(actor=personas.dougang_worker, worker=w, name="越权")
    # moving one's own worker to the sibling community is refused too
    own = Worker.objects.filter(community=area("陡岗社区"), is_grid_worker=False).first()
    with pytest.raises(OutOfScope), writes_nothing():
        worker_update(actor=personas.dougang_worker, worker=own, community=area("文昌花园社区"))
    # a grid worker has no people.change_worker
    with pytest.raises(OutOfScope):
        worker_update(actor=personas.grid_wc01, worker=w, name="越权")
    w.refresh_from_db()
    own.refresh_from_db()
    assert w.name == name and own.community == area("陡岗社区")


# --- one spouse of the head per household ------------------------------------------------------------


def test_a_household_refuses_a_second_spouse_of_the_head(personas):
    household = _household()
    Resident.objects.filter(household=household, relation_to_head="10").update(relation_to_head="99")
    first = _create(personas.grid_wc01, relation_to_head="10", household=household)
    assert first.relation_to_head == "10"
    with writes_nothing(), pytest.raises(ValidationError) as exc:
        _create(
            personas.grid_wc01, id_number=make_id("19910101", seq="904"), relation_to_head="10", household=household
        )
    assert _errors(exc) == {"relation_to_head": ["该户已登记户主的配偶，一户只能有一名配偶，请核对与户主关系。"]}
    child = _create(
        personas.grid_wc01, id_number=make_id("20150101", seq="905"), relation_to_head="20", household=household
    )
    with writes_nothing(), pytest.raises(ValidationError) as exc:
        resident_update(actor=personas.grid_wc01, resident=child, relation_to_head="10")
    assert _errors(exc) == {"relation_to_head": ["该户已登记户主的配偶，一户只能有一名配偶，请核对与户主关系。"]}
    assert Resident.objects.get(pk=child.pk).relation_to_head == "20"
    # A spouse who has died no longer counts; an unrelated edit of the spouse is not refused.
    resident_update(actor=personas.grid_wc01, resident=first, is_deceased=True)
    assert resident_update(actor=personas.grid_wc01, resident=child, relation_to_head="10").obj.relation_to_head == "10"
