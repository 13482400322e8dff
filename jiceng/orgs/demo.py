"""Demo organisations that are not territory nodes, beyond the district's departments and units
(``tickets.demo``): a 包保 co-building unit for each street, a property company and an owners'
committee for each community. Their 统一社会信用代码 are made up but pass the GB 32100 check."""

from __future__ import annotations

from stdnum.cn import uscc

from jiceng.territory.models import Area

from .choices import OrgKind
from .models import Organisation

STREET_UNITS = ["南谯区人民医院", "滁州市实验中学", "南谯农商银行", "滁州市自来水公司", "南谯区文化馆", "滁州城投集团"]


def demo_uscc(serial: int) -> str:
    """A code of a company (9 1) registered in 滁州市南谯区 (341103), with a valid check digit."""
    first17 = f"91341103MA{serial:07d}"
    return first17 + uscc.calc_check_digit(first17)


def seed_organisations(district: Area, log=print) -> int:
    rows = []
    serial = 1
    streets = Area.objects.filter(path__startswith=district.path, kind="street").order_by("path")
    for i, street in enumerate(streets):
        rows.append(Organisation(kind=OrgKind.UNIT, name=f"{STREET_UNITS[i % len(STREET_UNITS)]}（包保{street.name}）",
                                 area=street, uscc=demo_uscc(serial)))  # fmt: skip
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
    return len(new)
