"""The rules of 单位包保 through the services: each refusal is Chinese and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jiceng.audit.models import AuditLog
from jiceng.cobuild.models import Pairing, UnitActivity, UnitEvaluation, UnitReport, UnitReportEvent
from jiceng.cobuild.workflow import report_transition
from jiceng.core.entities import entity_for
from jiceng.core.errors import OutOfScope
from jiceng.core.tests.helpers import row_counts
from jiceng.notices.models import Notice
from jiceng.orgs.models import Organisation
from jiceng.testing.personas import persona

from .conftest import no_report_pairing, node

pytestmark = pytest.mark.django_db

PAIRINGS = entity_for(Pairing).service
ACTIVITIES = entity_for(UnitActivity).service
REPORTS = entity_for(UnitReport).service
EVALUATIONS = entity_for(UnitEvaluation).service


def refused(call, exc=ValidationError, match=None):
    counts = row_counts()
    with pytest.raises(exc) as info:
        call()
    assert row_counts() == counts
    if match:
        text = " ".join(info.value.messages) if isinstance(info.value, ValidationError) else str(info.value)
        assert match in text, text
    return info.value


# --- pairings -----------------------------------------------------------------------------------------


def test_pairing_create_and_the_no_overlap_rule(world):
    admin = persona("longpan_admin")
    unit, grid = world.other_unit, world.grid3
    Pairing.objects.filter(unit=unit, grid=grid).delete()
    first = PAIRINGS.create(actor=admin, unit=unit, grid=grid, start_date=dt.date(2025, 1, 1),
                            end_date=dt.date(2025, 6, 30), responsibilities="环境整治").obj  # fmt: skip
    assert first.scope_path == grid.path and AuditLog.objects.latest("id").action == "create"
    overlap = {"unit": unit, "grid": grid, "start_date": dt.date(2025, 6, 1)}
    refused(lambda: PAIRINGS.create(actor=admin, **overlap), match="包保期不能重叠")
    refused(
        lambda: PAIRINGS.create(actor=admin, unit=unit, grid=grid, start_date=dt.date(2024, 1, 1)),
        match="包保期不能重叠",
    )  # fmt: skip  (open-ended from before: covers the first period)
    later = PAIRINGS.create(actor=admin, unit=unit, grid=grid, start_date=dt.date(2025, 7, 1)).obj
    assert later.pk and Pairing.objects.filter(unit=unit, grid=grid).count() == 2  # periods one after another
    refused(lambda: PAIRINGS.update(actor=admin, obj=first, end_date=dt.date(2025, 7, 1)), match="包保期不能重叠")


def test_pairing_field_rules(world):
    admin = persona("longpan_admin")
    unit = world.other_unit
    refused(lambda: PAIRINGS.create(actor=admin, unit=unit, grid=world.grid3, start_date=dt.date(2025, 5, 1),
                                    end_date=dt.date(2025, 4, 1)), match="结束日期不能早于开始日期")  # fmt: skip
    refused(lambda: PAIRINGS.create(actor=admin, unit=unit, grid=world.wenchang, start_date=world.today))
    prop = Organisation.objects.filter(kind="property", area=world.wenchang).first()
    refused(lambda: PAIRINGS.create(actor=admin, unit=prop, grid=world.grid3, start_date=world.today))


def test_pairing_is_the_streets_a_community_worker_or_a_sibling_is_refused(world):
    data = {"unit": world.other_unit, "grid": world.grid3, "start_date": dt.date(2030, 1, 1)}
    refused(lambda: PAIRINGS.create(actor=persona("wenchang_worker"), **data), OutOfScope)
    refused(lambda: PAIRINGS.create(actor=persona("yinhua_admin"), **data), OutOfScope)
    pairing = Pairing.objects.filter(scope_path__startswith=world.wenchang.path).first()
    refused(lambda: PAIRINGS.update(actor=persona("yinhua_admin"), obj=pairing, responsibilities="越权"), OutOfScope)
    refused(lambda: PAIRINGS.delete(actor=persona("yinhua_admin"), obj=pairing), OutOfScope)
    refused(lambda: PAIRINGS.delete(actor=persona("wenchang_worker"), obj=pairing), OutOfScope)


def test_pairing_referred_to_is_not_deleted(world):
    pairing = UnitActivity.objects.filter(scope_path__startswith=world.wenchang.path).first().pairing
    refused(lambda: PAIRINGS.delete(actor=persona("longpan_admin"), obj=pairing), match="仍被其他记录引用")


# --- activities -------------------------------------------------------------------------------------


def _activity(pairing, **over):
    data = {"pairing": pairing, "name": "楼道清理", "date": dt.date.today(), "kind": "environment",
            "participants": 6, "hours": 2.5, "content": "清理楼道杂物"}  # fmt: skip
    return {**data, **over}


def test_activity_rules(world):
    worker = persona("wenchang_worker")
    pairing = Pairing.objects.filter(scope_path=world.grid1.path, end_date=None).first()
    made = ACTIVITIES.create(actor=worker, **_activity(pairing)).obj
    assert made.scope_path == world.grid1.path
    refused(lambda: ACTIVITIES.create(actor=worker, **_activity(pairing, hours=0)), match="活动时长")
    refused(lambda: ACTIVITIES.create(actor=worker, **_activity(pairing, hours=-1)))
    refused(lambda: ACTIVITIES.create(actor=worker, **_activity(pairing, participants=0)))
    refused(lambda: ACTIVITIES.create(actor=worker, **_activity(pairing, date=dt.date.today() + dt.timedelta(1))),
            match="不能晚于今天")  # fmt: skip
    refused(lambda: ACTIVITIES.create(actor=worker, **_activity(pairing, date=dt.date(2018, 1, 1))),
            match="不在包保期内")  # fmt: skip
    refused(lambda: ACTIVITIES.create(actor=persona("dougang_worker"), **_activity(pairing)), OutOfScope)
    refused(lambda: ACTIVITIES.create(actor=persona("grid_wc01"), **_activity(pairing)), OutOfScope)


def test_liaison_logs_activities_of_its_own_pairings_only(world):
    own = Pairing.objects.filter(unit=world.unit, scope_path__startswith=world.wenchang.path).first()
    made = ACTIVITIES.create(actor=world.liaison, **_activity(own)).obj
    assert made.pairing == own and AuditLog.objects.latest("id").username == "unit_demo"
    foreign = Pairing.objects.filter(unit=world.other_unit).first()
    refused(lambda: ACTIVITIES.create(actor=world.liaison, **_activity(foreign)), OutOfScope)
    refused(lambda: ACTIVITIES.create(actor=world.other, **_activity(own)), OutOfScope)
    refused(lambda: ACTIVITIES.update(actor=world.liaison, obj=made, name="改"), OutOfScope)  # the log is kept


# --- reports ----------------------------------------------------------------------------------------


def test_liaison_files_a_report_the_community_is_told_and_a_second_is_refused(
    world, django_capture_on_commit_callbacks
):
    pairing = no_report_pairing(world.unit, world.wenchang)
    with django_capture_on_commit_callbacks(execute=True):
        report = REPORTS.create(actor=world.liaison, pairing=pairing, content="提供义诊、健康讲座").obj
    assert (report.unit, report.community, report.status) == (world.unit, world.wenchang, "submitted")
    assert report.scope_path == world.wenchang.path
    assert list(report.events.values_list("action", "to_status")) == [("submit", "submitted")]
    assert Notice.objects.filter(user__username="wenchang_worker", target_id=report.pk).exists()
    refused(lambda: REPORTS.create(actor=world.liaison, pairing=pairing, content="再报"), match="不能重复报到")
    second_grid = Pairing.objects.filter(unit=world.unit, scope_path__startswith=world.wenchang.path).exclude(
        pk=pairing.pk
    )
    if second_grid.exists():  # the same community through another grid: still one report
        refused(lambda: REPORTS.create(actor=world.liaison, pairing=second_grid.first(), content="x"))
    refused(lambda: REPORTS.create(actor=world.other, pairing=pairing, content="冒报"), OutOfScope)


def test_report_after_a_return_and_for_an_ended_pairing(world):
    pairing = no_report_pairing(world.unit, world.wenchang)
    report = REPORTS.create(actor=world.liaison, pairing=pairing, content="初报").obj
    report_transition(actor=persona("wenchang_worker"), report=report, action="return", reason="请补充服务内容")
    again = REPORTS.create(actor=world.liaison, pairing=pairing, content="补充后重报").obj
    assert again.status == "submitted"
    Pairing.objects.filter(pk=pairing.pk).update(end_date=dt.date.today() - dt.timedelta(days=1))
    UnitReport.objects.filter(pk=again.pk).delete()
    pairing.refresh_from_db()
    refused(lambda: REPORTS.create(actor=world.liaison, pairing=pairing, content="x"), match="不在包保期内")


def test_confirm_keeps_the_receipt_and_notifies_the_liaison(world, django_capture_on_commit_callbacks):
    pairing = no_report_pairing(world.unit, world.wenchang)
    report = REPORTS.create(actor=world.liaison, pairing=pairing, content="报到").obj
    worker = persona("wenchang_worker")
    with django_capture_on_commit_callbacks(execute=True):
        done = report_transition(actor=worker, report=report, action="confirm")
    assert done.status == "confirmed" and done.confirmed_by == worker and done.confirmed_at is not None
    assert Notice.objects.filter(user=world.liaison, target_id=report.pk).exists()
    refused(lambda: REPORTS.update(actor=worker, obj=done, content="改写"), match="不能修改")  # the receipt stays


def test_return_needs_a_reason_and_resubmit_is_guarded(world):
    pairing = no_report_pairing(world.unit, world.wenchang)
    report = REPORTS.create(actor=world.liaison, pairing=pairing, content="报到").obj
    worker = persona("wenchang_worker")
    refused(lambda: report_transition(actor=worker, report=report, action="return", reason="  "), match="退回理由")
    returned = report_transition(actor=worker, report=report, action="return", reason="内容不完整")
    assert returned.return_reason == "内容不完整"
    newer = REPORTS.create(actor=world.liaison, pairing=pairing, content="新的报到").obj
    from jiceng.core.errors import Conflict

    refused(lambda: report_transition(actor=world.liaison, report=report, action="resubmit"), Conflict,
            match="有效报到单")  # fmt: skip
    UnitReport.objects.filter(pk=newer.pk).delete()
    back = report_transition(actor=world.liaison, report=report, action="resubmit", content="补充后的报到事项")
    assert (back.status, back.content, back.return_reason) == ("submitted", "补充后的报到事项", "")


def test_sibling_community_neither_changes_nor_moves_a_report(world):
    report = UnitReport.objects.filter(community=world.wenchang, status="submitted").first()
    sibling = persona("dougang_worker")
    refused(lambda: REPORTS.update(actor=sibling, obj=report, content="越权"), OutOfScope)
    refused(lambda: report_transition(actor=sibling, report=report, action="confirm"), OutOfScope)
    own = UnitReport.objects.filter(community=world.dougang).first()
    foreign = Pairing.objects.filter(scope_path__startswith=world.wenchang.path).first()
    refused(lambda: REPORTS.update(actor=sibling, obj=own, pairing=foreign), OutOfScope)
    assert not UnitReportEvent.objects.filter(actor=sibling).exists()


# --- evaluations --------------------------------------------------------------------------------------


def test_evaluation_once_a_year_of_a_confirmed_report(world):
    worker = persona("wenchang_worker")
    year = dt.date.today().year
    confirmed = UnitReport.objects.filter(community=world.wenchang, status="confirmed").first()
    UnitEvaluation.objects.filter(unit=confirmed.unit, community=world.wenchang, year=year).delete()
    made = EVALUATIONS.create(actor=worker, report=confirmed, year=year, grade="excellent", score=96).obj
    assert (made.unit, made.community, made.scope_path) == (confirmed.unit, world.wenchang, world.wenchang.path)
    refused(lambda: EVALUATIONS.create(actor=worker, report=confirmed, year=year, grade="good"), match="本年度已评价")
    refused(lambda: EVALUATIONS.create(actor=worker, report=confirmed, year=year + 1, grade="good"),
            match="不能晚于本年")  # fmt: skip
    waiting = UnitReport.objects.filter(community=world.wenchang, status="submitted").first()
    refused(lambda: EVALUATIONS.create(actor=worker, report=waiting, year=year, grade="good"), match="报到已确认")
    refused(lambda: EVALUATIONS.create(actor=worker, report=confirmed, year=year, grade="good", score=101))
    refused(lambda: EVALUATIONS.create(actor=persona("dougang_worker"), report=confirmed, year=year - 3,
                                       grade="good"), OutOfScope)  # fmt: skip
    refused(lambda: EVALUATIONS.update(actor=persona("dougang_worker"), obj=made, grade="fail"), OutOfScope)
    refused(lambda: EVALUATIONS.delete(actor=persona("dougang_worker"), obj=made), OutOfScope)
    refused(
        lambda: EVALUATIONS.create(actor=world.liaison, report=confirmed, year=year - 3, grade="excellent"), OutOfScope
    )  # fmt: skip  (a unit does not rate itself)
    assert node("文昌花园社区").pk == world.wenchang.pk
