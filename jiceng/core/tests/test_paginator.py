"""List counts stop at a cap and say so (core.paginator.CappedPaginator)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.core.paginator import CappedPaginator, _round, capped_count
from jiceng.people.models import Resident

pytestmark = pytest.mark.django_db


def test_exact_up_to_the_cap_then_capped(settings):
    qs = Resident.objects.order_by("name")
    total = qs.count()
    assert capped_count(qs, cap=total) == (total, False)
    assert capped_count(qs, cap=total - 1) == (total - 1, True)
    settings.JICENG_LIST_COUNT_CAP = 10
    paginator = CappedPaginator(qs, 4)
    assert paginator.count == 10 and paginator.capped and paginator.num_pages == 3
    assert paginator.count_text.startswith(("超过 10 条", "约 "))


def test_list_page_tells_the_truth_about_a_capped_count(client, login, settings):
    login("qu_admin")
    total = Resident.objects.filter(deleted_at__isnull=True).count()
    html = client.get(reverse("people:resident_list")).content.decode()
    assert f"共 {total} 条" in html
    settings.JICENG_LIST_COUNT_CAP = 20
    html = client.get(reverse("people:resident_list")).content.decode()
    assert "共 " not in html.split('id="jc-list"')[1][:300]
    assert "可翻阅前 20 条" in html


def test_estimates_are_rounded():
    assert (_round(68980), _round(1234567), _round(57)) == (69000, 1200000, 57)
