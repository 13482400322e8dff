"""党员联系户 and 服务登记卡 from Excel (the entity importer with the app's own look-ups: a household by
楼栋/房号, a member by name or 姓名/身份证后4位): rows created through the services, bad rows refused with
their reason, nothing outside the importer's community."""

from __future__ import annotations

import datetime as dt

import pytest

from jiceng.imports.tests.helpers import run, xlsx_bytes
from jiceng.members.models import HouseholdLink, MemberReport, ServiceRecord
from jiceng.territory.models import Household
from jiceng.testing.personas import persona

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _reported_member(community="文昌花园社区"):
    report = MemberReport.objects.filter(status="confirmed", community__name=community).order_by("pk").first()
    return report.member


def _address(household) -> str:
    return f"{household.building.name}/{household.room}"


def test_household_links_are_imported_with_households_by_building_and_room():
    member = _reported_member()
    linked = HouseholdLink.objects.filter(member=member).values("household_id")
    free = list(
        Household.objects.filter(scope_path__startswith=member.report_community.path)
        .exclude(pk__in=linked)
        .exclude(member_links__isnull=False)
        .select_related("building")
        .order_by("pk")[:1]
    )[0]
    dougang = Household.objects.filter(scope_path__startswith=_reported_member("陡岗社区").report_community.path)
    rows = [
        ["联户党员", "联系户", "联系起始日期", "备注"],
        [member.name, _address(free), "2026-01-01", "导入"],
        [member.name, "不存在的楼/999", "", ""],
        [member.name, _address(dougang.select_related("building").first()), "", ""],  # the sibling community's
        ["查无此人", _address(free), "", ""],
    ]
    job = run(persona("wenchang_worker"), "householdlinks", "links.xlsx", xlsx_bytes(rows), mode="valid_rows")
    assert (job.created_rows, job.rejected_rows) == (1, 3), job.errors
    link = HouseholdLink.objects.get(member=member, household=free)
    assert (link.since, link.note) == (dt.date(2026, 1, 1), "导入")
    text = " ".join(str(e) for e in job.errors)
    assert "找不到户“不存在的楼/999”" in text and "找不到党员“查无此人”" in text


def test_service_records_are_imported_and_the_24_hours_rule_holds():
    member = _reported_member()
    day = dt.date.today() - dt.timedelta(days=3)
    ServiceRecord.objects.filter(member=member, date=day).delete()
    rows = [
        ["服务党员", "服务日期", "服务时长（小时）", "服务类型", "服务内容", "服务的需求"],
        [member.name, day.isoformat(), "20", "社区活动", "导入的服务一", ""],
        [member.name, day.isoformat(), "5", "社区活动", "导入的服务二", ""],  # 25 h that day: refused
        [member.name, (dt.date.today() + dt.timedelta(days=2)).isoformat(), "1", "其他", "未来的服务", ""],
    ]
    job = run(persona("wenchang_worker"), "servicerecords", "services.xlsx", xlsx_bytes(rows), mode="valid_rows")
    assert (job.created_rows, job.rejected_rows) == (1, 2), job.errors
    record = ServiceRecord.objects.get(member=member, content="导入的服务一")
    assert record.hours == 20 and record.community == member.report_community
    assert not ServiceRecord.objects.filter(content__in=["导入的服务二", "未来的服务"]).exists()


def test_only_the_community_and_above_import_them():
    from jiceng.imports.services import can_import

    for kind in ("householdlinks", "servicerecords"):
        assert can_import(persona("wenchang_worker"), kind) and can_import(persona("longpan_admin"), kind)
        assert not can_import(persona("member_demo"), kind) and not can_import(persona("grid_wc01"), kind)
