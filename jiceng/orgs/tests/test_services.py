"""organisation_create / organisation_update: who may manage which organisation, and what is checked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from jiceng.accounts.models import User
from jiceng.audit.models import AuditLog
from jiceng.core.errors import OutOfScope
from jiceng.orgs.choices import OrgKind
from jiceng.orgs.demo import demo_uscc
from jiceng.orgs.models import Organisation
from jiceng.orgs.services import organisation_create, organisation_update
from jiceng.territory.models import Area
from jiceng.testing.personas import persona

pytestmark = pytest.mark.django_db


def area(name):
    return Area.objects.get(name=name)


def district():
    return Area.objects.get(kind="district")


def test_the_district_admin_manages_departments():
    org = organisation_create(
        actor=persona("qu_admin"), kind=OrgKind.DEPARTMENT, name="区应急管理局", area=district(),
        contact_name="张科长", contact_phone="0550 3012345", address="南谯区政务中心",
    ).obj  # fmt: skip
    assert (org.uscc, org.contact_phone) == (None, "0550-3012345")
    assert AuditLog.objects.filter(action="create", object_type="orgs.Organisation", object_id=str(org.pk)).exists()
    organisation_update(actor=persona("qu_admin"), organisation=org, name="南谯区应急管理局")
    assert Organisation.objects.get(pk=org.pk).name == "南谯区应急管理局"


def test_a_street_admin_manages_units_serving_their_street_only():
    longpan = persona("longpan_admin")
    unit = organisation_create(
        actor=longpan, kind=OrgKind.UNIT, name="滁州供水公司（包保龙蟠）", area=area("龙蟠街道")
    ).obj
    assert unit.area == area("龙蟠街道")
    with pytest.raises(OutOfScope):  # a department serves the district: not a street's to create
        organisation_create(actor=longpan, kind=OrgKind.DEPARTMENT, name="区城管分局", area=district())
    with pytest.raises(OutOfScope):  # the sibling street
        organisation_create(actor=longpan, kind=OrgKind.UNIT, name="银花包保单位", area=area("银花街道"))
    yinhua_unit = Organisation.objects.filter(kind=OrgKind.UNIT, area=area("银花街道")).first()
    with pytest.raises(OutOfScope):
        organisation_update(actor=longpan, organisation=yinhua_unit, name="改名")
    with pytest.raises(OutOfScope):  # nor may they move their own unit into the sibling street
        organisation_update(actor=longpan, organisation=unit, area=area("银花街道"))
    assert Organisation.objects.get(pk=unit.pk).area == area("龙蟠街道")
    department = Organisation.objects.get(name="区城市管理局")
    with pytest.raises(OutOfScope):
        organisation_update(actor=longpan, organisation=department, name="改名")


def test_roles_without_the_permission_manage_nothing():
    for username in ("wenchang_worker", "grid_wc01", "dept_chengguan", "sysadmin"):
        with pytest.raises(OutOfScope):
            organisation_create(
                actor=persona(username), kind=OrgKind.PROPERTY, name="某物业", area=area("文昌花园社区")
            )


def test_territory_mirrors_are_not_created_or_edited_here():
    with pytest.raises(ValidationError) as exc:
        organisation_create(actor=persona("qu_admin"), kind=OrgKind.STREET, name="新街道", area=area("龙蟠街道"))
    assert "随辖区节点自动设立" in exc.value.message_dict["kind"][0]
    mirror = Organisation.objects.get(kind=OrgKind.STREET, area=area("龙蟠街道"))
    with pytest.raises(ValidationError):
        organisation_update(actor=persona("qu_admin"), organisation=mirror, name="改名")
    with pytest.raises(ValidationError) as exc:
        organisation_create(actor=persona("qu_admin"), kind="nonsense", name="某单位", area=district())
    assert exc.value.message_dict["kind"] == ["请选择单位类型。"]


@pytest.mark.parametrize(
    "kind,node,message",
    [
        (OrgKind.DEPARTMENT, "龙蟠街道", "职能部门只能服务于区。"),
        (OrgKind.OWNERS_COMMITTEE, "龙蟠街道", "业主委员会只能服务于社区。"),
        (OrgKind.PROPERTY, "__district__", "物业服务企业只能服务于街道、社区。"),
    ],
)
def test_each_kind_serves_its_own_levels(kind, node, message):
    node = district() if node == "__district__" else area(node)
    with pytest.raises(ValidationError) as exc:
        organisation_create(actor=persona("qu_admin"), kind=kind, name="某单位", area=node)
    assert exc.value.message_dict["area"] == [message]


def test_the_credit_code_is_checked_per_gb_32100_and_unique_when_set():
    actor, node = persona("longpan_admin"), area("文昌花园社区")
    code = demo_uscc(9001)
    assert uscc.is_valid(code)
    org = organisation_create(
        actor=actor, kind=OrgKind.PROPERTY, name="甲物业", area=node, uscc=f" {code.lower()} "
    ).obj
    assert org.uscc == code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        organisation_create(actor=actor, kind=OrgKind.PROPERTY, name="乙物业", area=node, uscc=wrong)
    assert exc.value.message_dict["uscc"] == ["统一社会信用代码格式或校验位不正确。"]
    with pytest.raises(ValidationError) as exc:
        organisation_create(actor=actor, kind=OrgKind.PROPERTY, name="乙物业", area=node, uscc="12345")
    assert "应为 18 位" in exc.value.message_dict["uscc"][0]
    with pytest.raises(ValidationError) as exc:
        organisation_create(actor=actor, kind=OrgKind.PROPERTY, name="丙物业", area=node, uscc=code)
    assert "已存在" in exc.value.message_dict["uscc"][0]
    # Optional: any number of organisations without one.
    for name in ("丁业委会", "戊业委会"):
        assert (
            organisation_create(actor=actor, kind=OrgKind.OWNERS_COMMITTEE, name=name, area=node, uscc="").obj.uscc
            is None
        )


def test_the_contact_phone_is_checked_like_every_phone():
    with pytest.raises(ValidationError) as exc:
        organisation_create(
            actor=persona("longpan_admin"), kind=OrgKind.PROPERTY, name="某物业", area=area("文昌花园社区"),
            contact_phone="12345",
        )  # fmt: skip
    assert "电话号码“12345”格式不正确" in exc.value.message_dict["contact_phone"][0]


def test_members_must_be_accounts_of_the_node_served():
    longpan, node = persona("longpan_admin"), area("文昌花园社区")
    near = User.objects.create(username="wenchang_wuye", home_area=node)
    far = User.objects.create(username="yinhua_wuye", home_area=area("银花街道"))
    with pytest.raises(OutOfScope):
        organisation_create(actor=longpan, kind=OrgKind.PROPERTY, name="某物业", area=node, members=[near, far])
    assert not Organisation.objects.filter(name="某物业").exists()
    org = organisation_create(actor=longpan, kind=OrgKind.PROPERTY, name="某物业", area=node, members=[near]).obj
    assert list(org.members.all()) == [near]
    with pytest.raises(OutOfScope):
        organisation_update(actor=longpan, organisation=org, members=[near, far])
    organisation_update(actor=longpan, organisation=org, members=[])
    assert not org.members.exists()
    log = AuditLog.objects.filter(object_id=str(org.pk), action="update").latest("pk")
    assert log.detail["members"] == {"added": [], "removed": [near.pk]}


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        organisation_create(actor=persona("qu_admin"), kind=OrgKind.UNIT, name="某单位", area=district(), level=1)
