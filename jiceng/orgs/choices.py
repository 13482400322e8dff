"""Code tables of the organisations (组织机构)."""

from django.db import models


class OrgKind(models.TextChoices):
    """What an organisation is: a node of the territory tree (its mirror), or one that is not a node."""

    GRID = "grid", "网格"
    COMMUNITY = "community", "社区"
    STREET = "street", "街道"
    DISTRICT = "district", "区"
    DEPARTMENT = "department", "职能部门"
    UNIT = "unit", "共建单位"
    PROPERTY = "property", "物业服务企业"
    OWNERS_COMMITTEE = "owners_committee", "业主委员会"


class UnitCategory(models.TextChoices):
    """The category of a co-building unit (共建单位类别), as the 单位包保 rosters count them."""

    PARTY_GOVERNMENT = "party_government", "党政机关"
    PUBLIC_INSTITUTION = "public_institution", "事业单位"
    STATE_OWNED = "state_owned", "国有企业"
    NON_PUBLIC = "non_public", "非公企业"
    SOCIAL = "social", "社会组织"


#: Territory org kinds, from the lowest level up (an org is "higher" when it is an ancestor).
TERRITORY_ORG_KINDS = (OrgKind.GRID, OrgKind.COMMUNITY, OrgKind.STREET, OrgKind.DISTRICT)
#: The kinds the organisation pages list, create and edit (territory mirrors follow their node).
NON_TERRITORY_ORG_KINDS = (OrgKind.DEPARTMENT, OrgKind.UNIT, OrgKind.PROPERTY, OrgKind.OWNERS_COMMITTEE)
#: Area kinds an organisation of each non-territory kind may serve (tickets reach it for places in that
#: node's subtree). A 职能部门 is the district's; a co-building unit serves the district, a street or a
#: community (包保); a property company a street or a community; an owners' committee its community.
SERVED_AREA_KINDS = {
    OrgKind.DEPARTMENT: ("district",),
    OrgKind.UNIT: ("district", "street", "community"),
    OrgKind.PROPERTY: ("street", "community"),
    OrgKind.OWNERS_COMMITTEE: ("community",),
}
