"""Query counts of the Party lists are pinned, and do not grow with the rows shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiceng.core.tests.helpers import area
from jiceng.party.choices import MemberStatus, SeatRole
from jiceng.party.models import CommitteeSeat, PartyMember, PartyOrg
from jiceng.testing.queries import assert_num_queries

pytestmark = pytest.mark.django_db

#: session, user with its grants (one query, ``accounts.backends``), the chosen street/community (filter
#: validation), count, its choices, the page (area joined), current secretaries (one prefetch). (The
#: session is not written: renewed once a minute.)
ORG_LIST_QUERIES = 7
#: session, user with its grants, the chosen organisation, count, organisation and community choices, the
#: page (organisation and report community joined).
MEMBER_LIST_QUERIES = 7


def test_org_list_query_count_is_pinned_and_flat(client, login):
    login("wenchang_worker")
    wenchang = area("文昌花园社区")
    committee = PartyOrg.objects.get(area=wenchang, org_type__in=["community_committee", "community_general"])
    url, params = reverse("party:org_list"), {"under": wenchang.pk}
    with assert_num_queries(ORG_LIST_QUERIES):
        response = client.get(url, params)
    shown = len(response.context["table"].page.object_list)
    assert shown < 20
    orgs = PartyOrg.objects.bulk_create(
        PartyOrg(name=f"批量党支部{i}", org_type="branch", parent=committee, area=wenchang, scope_path=wenchang.path)
        for i in range(30)
    )
    member = PartyMember.objects.filter(status=MemberStatus.FULL, scope_path__startswith=wenchang.path).first()
    CommitteeSeat.objects.bulk_create(
        CommitteeSeat(org=o, member=member, role=SeatRole.SECRETARY, start=dt.date(2024, 1, 1), scope_path=o.scope_path)
        for o in orgs
    )
    with assert_num_queries(ORG_LIST_QUERIES):
        response = client.get(url, params)
    assert len(response.context["table"].page.object_list) == shown + 30
    assert response.content.decode().count(member.name) >= 30  # every new branch shows its secretary


def test_member_list_query_count_is_pinned_and_flat(client, login):
    user = login("wenchang_worker")
    org = PartyOrg.objects.restrict(user).filter(org_type="branch").first()
    url, params = reverse("party:member_list"), {"org": org.pk}
    with assert_num_queries(MEMBER_LIST_QUERIES):
        response = client.get(url, params)
    shown = len(response.context["table"].page.object_list)
    PartyMember.objects.bulk_create(
        PartyMember(
            name=f"批量党员{i}",
            join_date=dt.date(2010, 1, 1),
            probation_end=dt.date(2011, 1, 1),
            full_date=dt.date(2011, 1, 1),
            org=org,
            scope_path=org.scope_path,
        )  # fmt: skip
        for i in range(30)
    )
    with assert_num_queries(MEMBER_LIST_QUERIES):
        response = client.get(url, params)
    assert len(response.context["table"].page.object_list) == shown + 30
