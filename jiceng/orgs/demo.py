"""Demo organisations that are not territory nodes, beyond the district's departments and units
(``tickets.demo``): a 包保 co-building unit for each street, a property company and an owners'
committee for each community. Their 统一社会信用代码 are made up but pass the GB 32100 check. The first
street's unit has a liaison account, ``unit_demo`` (单位联络员)."""

from __future__ import annotations

from django.utils import timezone
from stdnum.cn import uscc

from jiceng.accounts.models import RoleGrant, User
from jiceng.territory.models import Area

from .choices import OrgKind, UnitCategory
from .models import Organisation

#: (name, category, Party organisation, its secretary, its members) of the street units.
STREET_UNITS = [
    ("南谯区人民医院", UnitCategory.PUBLIC_INSTITUTION, "南谯区人民医院党委", "周建华", 86),
    ("滁州市实验中学", UnitCategory.PUBLIC_INSTITUTION, "滁州市实验中学党总支", "陈文", 42),
    ("南谯农商银行", UnitCategory.STATE_OWNED, "南谯农商银行党委", "吴海峰", 57),
    ("滁州市自来水公司", UnitCategory.STATE_OWNED, "滁州市自来水公司党支部", "孙立", 31),
    ("南谯区文化馆", UnitCategory.PUBLIC_INSTITUTION, "南谯区文化馆党支部", "刘芳", 12),
    ("滁州城投集团", UnitCategory.STATE_OWNED, "滁州城投集团党委", "郑国强", 64),
]


def demo_uscc(serial: int) -> str:
    """A code of a company (9 1) registered in 滁州市南谯区 (341103), with a valid check digit."""
    first17 = f"91341103MA{serial:07d}"
    return first17 + uscc.calc_check_digit(first17)


def seed_organisations(district: Area, log=print, *, password: str | None = None) -> int:
    """The demo organisations; with ``password`` (the demo accounts'), also the liaison ``unit_demo``."""
    rows = []
    serial = 1
    streets = Area.objects.filter(path__startswith=district.path, kind="street").order_by("path")
    for i, street in enumerate(streets):
        name, category, party_org, secretary, count = STREET_UNITS[i % len(STREET_UNITS)]
        rows.append(Organisation(kind=OrgKind.UNIT, name=f"{name}（包保{street.name}）", area=street,
                                 uscc=demo_uscc(serial), unit_category=category, party_org_name=party_org,
                                 party_secretary=secretary, party_member_count=count))  # fmt: skip
        serial += 1
    communities = Area.objects.filter(path__startswith=district.path, kind="community").order_by("path")
    for community in communities:
        short = community.name.removesuffix("社区")
        rows.append(Organisation(kind=OrgKind.PROPERTY, name=f"滁州{short}物业服务有限公司", area=community,
                                 uscc=demo_uscc(serial), contact_name="物业服务中心", address=community.address))  # fmt: skip
        serial += 1
        rows.append(Organisation(kind=OrgKind.OWNERS_COMMITTEE, name=f"{short}小区业主委员会", area=community))
    existing = set(Organisation.objects.values_list("name", flat=True))
    new = [o for o in rows if o.name not in existing]
    Organisation.objects.bulk_create(new)
    log(f"组织机构：{len(new)} 个（包保单位、物业服务企业、业主委员会）")
    if password is not None and streets:
        _unit_liaison(streets[0], password)
    return len(new)


def _unit_liaison(street: Area, password: str) -> None:
    """``unit_demo``: the liaison (单位联络员) of the unit serving the first street."""
    unit = Organisation.objects.filter(kind=OrgKind.UNIT, area=street).order_by("pk").first()
    user, created = User.objects.get_or_create(
        username="unit_demo",
        defaults={"display_name": "单位联络员", "must_change_password": False, "password_changed_at": timezone.now()},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    RoleGrant.objects.get_or_create(user=user, role="unit_liaison", area=street)
    unit.members.add(user)
