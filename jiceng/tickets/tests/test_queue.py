"""The request queue on a phone: it opens on the open work — not on everything ever
filed, archived included — the filter still shows all, and its rows carry the labels of the card
layout used below 768 px (the browser test checks the cards themselves)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jiceng.tickets.choices import Status

pytestmark = pytest.mark.django_db


def _rows(body: str) -> set[str]:
    return set(re.findall(r'<tr[^>]*data-ticket="(\d+)"', body))


@pytest.fixture
def tickets(make_ticket):
    return {s: make_ticket(s) for s in (Status.PENDING_ACCEPT, Status.IN_PROGRESS, Status.RESOLVED,
                                        Status.CLOSED, Status.ARCHIVED, Status.CANCELLED)}  # fmt: skip


def test_queue_opens_on_open_work(client, login, tickets):
    login("grid_wc01")
    body = client.get(reverse("tickets:list")).content.decode()
    shown = _rows(body)
    open_ones = {tickets[s].ticket_no for s in (Status.PENDING_ACCEPT, Status.IN_PROGRESS, Status.RESOLVED)}
    assert open_ones <= shown
    assert not shown & {tickets[s].ticket_no for s in (Status.CLOSED, Status.ARCHIVED, Status.CANCELLED)}
    assert re.search(r'<option value="open" selected>未办结</option>', body)


def test_the_filter_still_shows_everything(client, login, tickets):
    login("grid_wc01")
    body = client.get(reverse("tickets:list"), {"status": "all"}).content.decode()
    assert {t.ticket_no for t in tickets.values()} <= _rows(body)
    archived = client.get(reverse("tickets:list"), {"status": Status.ARCHIVED}).content.decode()
    assert _rows(archived) & {t.ticket_no for t in tickets.values()} == {tickets[Status.ARCHIVED].ticket_no}


def test_queue_rows_carry_the_card_labels(client, login, tickets):
    login("grid_wc01")
    body = client.get(reverse("tickets:list")).content.decode()
    assert re.search(r'<table[^>]*class="[^"]*\bjc-cards\b', body)
    row = re.search(rf'<tr[^>]*data-ticket="{tickets[Status.IN_PROGRESS].ticket_no}".*?</tr>', body, re.S).group(0)
    labels = re.findall(r'<td[^>]*data-label="([^"]+)"', row)
    assert labels == [
        "工单编号",
        "提交时间",
        "类别",
        "诉求内容",
        "渠道",
        "网格",
        "状态",
        "承办单位",
        "办理时限",
        "督办",
    ]
    assert f'href="/tickets/{tickets[Status.IN_PROGRESS].pk}/"' in row


def test_resident_list_rows_carry_the_card_labels(client, login):
    login("grid_wc01")
    body = client.get(reverse("people:resident_list")).content.decode()
    assert re.search(r'<table[^>]*class="[^"]*\bjc-cards\b', body)
    row = re.search(r"<tbody[^>]*>\s*(<tr>.*?</tr>)", body, re.S).group(1)
    assert re.findall(r'data-label="([^"]+)"', row) == [
        "姓名",
        "证件号码",
        "联系电话",
        "性别",
        "年龄",
        "网格",
        "楼栋房号",
    ]
