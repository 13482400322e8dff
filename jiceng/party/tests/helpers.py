"""Shared fixtures-by-name of the Party tests: the demo tree's branches, committees and a member's data."""

from jiceng.core.dates import add_years
from jiceng.core.tests.helpers import area, years_ago
from jiceng.party.choices import OrgType
from jiceng.party.models import PartyOrg

WENCHANG_Q1, WENCHANG_Q2, DOUGANG_Q1 = "341103003012Q01", "341103003012Q02", "341103003009Q01"


def community_committee(name):
    return PartyOrg.objects.get(area=area(name), org_type__in=[OrgType.COMMUNITY_COMMITTEE, "community_general_branch"])


def party_branch(code=WENCHANG_Q1):
    return PartyOrg.objects.get(area__code=code, org_type=OrgType.BRANCH)


def member_data(org, name, **extra):
    join = years_ago(3)
    return {"name": name, "org": org, "join_date": join, "full_date": add_years(join, 1), **extra}
