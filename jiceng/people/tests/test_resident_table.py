"""The resident list renders its rows in one pass (ResidentTable.fast_rows): same cells as the columns."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_tables2 import RequestConfig

from jiceng.core.paginator import CappedPaginator
from jiceng.people.models import Resident
from jiceng.people.tables import ResidentTable

pytestmark = pytest.mark.django_db


def _cells(html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    return [[c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def test_resident_table_fast_rows_match_columns(rf, personas):
    user = personas.longpan_admin
    qs = Resident.objects.restrict(user).filter(deleted_at__isnull=True).select_related("grid", "building", "household")
    request = rf.get("/people/residents/")
    request.user = user
    table = ResidentTable(qs)
    RequestConfig(request, paginate={"per_page": 20, "paginator_class": CappedPaginator}).configure(table)
    generic = []
    for row in table.page.object_list:
        generic.append([str(cell).strip() for _, cell in row.items()])
    fast = _cells("".join(table.fast_rows))
    assert len(fast) == len(generic) > 0
    assert fast == generic


def test_resident_list_page_shows_rows(client, login):
    login("longpan_admin")
    html = client.get(reverse("people:resident_list")).content.decode()
    assert 'id="jc-resident-table"' in html
    assert html.count("/people/residents/") > 10
