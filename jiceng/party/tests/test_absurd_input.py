"""Absurd dates and numbers (a term of 30000 years, a join date in 9999) answer 400 with a Chinese
message through the real forms, and are a validation error in the services, never a 500."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jiceng.core.tests.helpers import row_counts
from jiceng.party.models import PartyMember
from jiceng.party.services import member_create
from jiceng.party.tests.helpers import WENCHANG_Q1, WENCHANG_Q2, community_committee, member_data, party_branch
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db


def _org_form(org=None, **overrides):
    committee = community_committee("文昌花园社区")
    data = {
        "name": "测试支部", "org_type": "branch", "parent": committee.pk,
        "area": Area.objects.get(code=WENCHANG_Q1).pk, "joint_units": "1",
    }  # fmt: skip
    if org is not None:
        data.update({"name": org.name, "parent": org.parent_id, "area": org.area_id})
        if org.term_start:
            data["term_start"] = org.term_start.isoformat()
        data["term_years"] = str(org.term_years)
    return {**data, **overrides}


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"term_start": "9999-12-31", "term_years": "3"}, "本届起始日期不能晚于今天。"),
        ({"term_start": "2024-01-01", "term_years": "30000"}, "党组织委员会每届任期为 3-5 年（党章第三十条）。"),
        ({"term_start": "2024-01-01", "term_years": "1"}, "党组织委员会每届任期为 3-5 年（党章第三十条）。"),
    ],
)
def test_org_create_and_edit_with_absurd_terms_are_400(client, login, overrides, message):
    login("wenchang_worker")
    before = row_counts()
    response = client.post(reverse("party:org_add"), _org_form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    branch = party_branch(WENCHANG_Q2)
    response = client.post(reverse("party:org_edit", args=[branch.pk]), _org_form(branch, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert row_counts() == before


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"join_date": "9999-06-01"}, "入党日期不能晚于今天。"),
        ({"join_date": "9999-06-01", "full_date": "9999-12-31"}, "入党日期不能晚于今天。"),
        (
            {"join_date": "2020-01-01", "probation_extended": "on", "probation_extension_months": "99999"},
            "预备期只能延长一次，且不超过 1 年（1-12 个月）。",
        ),
    ],
)
def test_member_create_and_edit_with_absurd_dates_are_400(client, login, overrides, message):
    login("wenchang_worker")
    org = party_branch(WENCHANG_Q1)
    before = row_counts()
    response = client.post(reverse("party:member_add"), {"name": "X", "org": org.pk, **overrides})
    assert response.status_code == 400
    assert message in response.content.decode()
    member = PartyMember.objects.filter(org=org, resident__isnull=True).first() or org.members.first()
    response = client.post(
        reverse("party:member_edit", args=[member.pk]), {"name": member.name, "org": org.pk, **overrides}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert row_counts() == before


def test_join_date_in_the_future_is_a_validation_error_not_a_crash(personas):
    with pytest.raises(ValidationError) as exc:
        member_create(
            actor=personas.wenchang_worker, **member_data(party_branch(), "未来党员", join_date=dt.date(9999, 6, 1))
        )
    assert exc.value.message_dict["join_date"] == ["入党日期不能晚于今天。"]
