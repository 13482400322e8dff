"""A Party member's work phone is stored encrypted, never echoed back in the edit form, and validated."""

import pytest
from django.db import connection
from django.urls import reverse

from jiceng.core.tests.helpers import area
from jiceng.party.models import PartyMember

pytestmark = pytest.mark.django_db


def test_member_work_phone_is_encrypted_and_never_echoed(client, login):
    login("wenchang_worker")
    member = PartyMember.objects.filter(scope_path__startswith=area("文昌花园社区").path, org__isnull=False).first()
    url = reverse("party:member_edit", args=[member.pk])
    page = client.get(url)
    data = {k: v for k, v in page.context["form"].initial.items() if v not in (None, "") and not isinstance(v, bool)}
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    data.update({"phone": "0550-3012345", "name": member.name, "join_date": member.join_date.isoformat()})
    for flag in ("is_in_service", "is_floating", "probation_extended"):
        if getattr(member, flag):
            data[flag] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM party_partymember WHERE id = %s", [member.pk])
        raw = cursor.fetchone()[0]
    assert "3012345" not in raw
    member.refresh_from_db()
    assert member.phone == "0550-3012345"
    body = client.get(url).content.decode()
    assert "0550-3012345" not in body and member.phone_masked in body
    bad = client.post(url, {**data, "phone": "12345"})
    assert bad.status_code == 400 and "电话号码" in bad.content.decode()
