"""Shared rows of the committee tests."""

from __future__ import annotations

import datetime as dt

from rest_framework.test import APIClient

from jiceng.committee import selectors
from jiceng.committee.models import ActionItem, JointMeeting
from jiceng.core.entities import entity_for
from jiceng.party.models import PartyOrg
from jiceng.testing.personas import persona

ITEMS = entity_for(ActionItem).service


def committee(area_name: str = "文昌花园社区") -> PartyOrg:
    return PartyOrg.objects.get(is_big_committee=True, area__name=area_name)


def units(area_name: str = "文昌花园社区"):
    return list(selectors.committee_units(committee(area_name)))


def last_meeting(area_name: str = "文昌花园社区") -> JointMeeting:
    return JointMeeting.objects.filter(committee=committee(area_name)).order_by("-date", "-pk").first()


def make_item(state: str = "open", *, area_name: str = "文昌花园社区", **extra) -> ActionItem:
    meeting = last_meeting(area_name)
    data = {"meeting": meeting, "name": "测试议定事项", "owner_unit": units(area_name)[0],
            "deadline": meeting.date + dt.timedelta(days=30), **extra}  # fmt: skip
    item = ITEMS.create(actor=persona("qu_admin"), **data).obj
    if state != "open":
        ActionItem.objects.filter(pk=item.pk).update(status=state)
        item.refresh_from_db()
    return item


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
