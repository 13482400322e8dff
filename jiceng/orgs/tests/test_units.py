"""Co-building units (共建单位): their category and their own Party organisation, through the service and the pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jiceng.orgs.choices import OrgKind, UnitCategory
from jiceng.orgs.demo import demo_uscc
from jiceng.orgs.models import Organisation
from jiceng.orgs.services import organisation_create, organisation_update
from jiceng.territory.models import Area
from jiceng.testing.personas import persona

pytestmark = pytest.mark.django_db


def street(name="龙蟠街道"):
    return Area.objects.get(name=name)


def test_a_unit_keeps_its_category_and_party_organisation():
    unit = organisation_create(
        actor=persona("longpan_admin"), kind=OrgKind.UNIT, name="滁州供电公司", area=street(), uscc=demo_uscc(8101),
        unit_category=UnitCategory.STATE_OWNED, party_org_name=" 滁州供电公司党委 ", party_secretary="王书记",
        party_member_count="128",
    ).obj  # fmt: skip
    unit.refresh_from_db()
    assert (unit.unit_category, unit.party_org_name, unit.party_secretary, unit.party_member_count) == (
        "state_owned", "滁州供电公司党委", "王书记", 128,
    )  # fmt: skip
    assert unit.get_unit_category_display() == "国有企业"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"uscc": "91341103MA0000001X"}, "uscc", "统一社会信用代码格式或校验位不正确。"),
        ({"unit_category": "bank"}, "unit_category", "请选择单位类别"),
        (
            {"party_org_name": "某党支部", "party_member_count": -3},
            "party_member_count",
            "党员人数应为不小于 0 的整数。",
        ),
        (
            {"party_org_name": "某党支部", "party_member_count": "十"},
            "party_member_count",
            "党员人数应为不小于 0 的整数。",
        ),
        ({"party_secretary": "李书记"}, "party_org_name", "请先填写单位党组织名称"),
    ],
)
def test_bad_unit_input_is_refused_in_chinese(data, field, message):
    with pytest.raises(ValidationError) as exc:
        organisation_create(actor=persona("longpan_admin"), kind=OrgKind.UNIT, name="某单位", area=street(), **data)
    assert message in exc.value.message_dict[field][0]
    assert not Organisation.objects.filter(name="某单位").exists()


def test_only_units_have_a_category_or_party_organisation():
    with pytest.raises(ValidationError) as exc:
        organisation_create(
            actor=persona("longpan_admin"), kind=OrgKind.PROPERTY, name="某物业", area=street(),
            unit_category=UnitCategory.NON_PUBLIC,
        )  # fmt: skip
    assert exc.value.message_dict["unit_category"] == ["只有共建单位填写单位类别和单位党组织信息。"]
    unit = Organisation.objects.filter(kind=OrgKind.UNIT, area=street()).first()
    organisation_update(actor=persona("longpan_admin"), organisation=unit, unit_category=UnitCategory.SOCIAL)
    assert Organisation.objects.get(pk=unit.pk).unit_category == "social"


def test_the_pages_show_and_edit_the_unit_fields(client, login):
    login("longpan_admin")
    data = {
        "kind": "unit", "name": "滁州市第三中学", "area": street().pk, "uscc": "91341103MA0000001X",
        "contact_name": "", "contact_phone": "", "address": "", "unit_category": "public_institution",
        "party_org_name": "滁州市第三中学党总支", "party_secretary": "赵书记", "party_member_count": "46",
        "is_active": "on",
    }  # fmt: skip
    response = client.post(reverse("orgs:organisation_add"), data)
    assert response.status_code == 400
    assert "统一社会信用代码格式或校验位不正确" in response.content.decode()
    assert not Organisation.objects.filter(name="滁州市第三中学").exists()
    response = client.post(reverse("orgs:organisation_add"), {**data, "uscc": demo_uscc(8102)})
    assert response.status_code == 302, response.content.decode()
    unit = Organisation.objects.get(name="滁州市第三中学")
    page = client.get(reverse("orgs:organisation_detail", args=[unit.pk])).content.decode()
    assert "事业单位" in page and "滁州市第三中学党总支" in page and "赵书记" in page and "46" in page
    listed = client.get(reverse("orgs:organisation_list"), {"unit_category": "public_institution"})
    rows = [row.record for row in listed.context["table"].paginated_rows]
    assert unit in rows and {o.unit_category for o in rows} == {"public_institution"}
    listed = client.get(reverse("orgs:organisation_list"), {"unit_category": "social"})
    assert unit not in [row.record for row in listed.context["table"].paginated_rows]
    # The sibling street's admin sees none of it.
    login("yinhua_admin")
    assert client.get(reverse("orgs:organisation_detail", args=[unit.pk])).status_code == 404
