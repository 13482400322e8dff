"""Community workers' assessments and history; the sibling scope of every register; the API and pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng.audit.models import AuditLog
from jiceng.committee.models import (
    ActionItem,
    DutyRoster,
    JointMeeting,
    PartTimeMember,
    WorkerAssessment,
    WorkerHistory,
)
from jiceng.core.entities import entity_for
from jiceng.core.errors import OutOfScope
from jiceng.core.tests.helpers import writes_nothing
from jiceng.people.models import Worker
from jiceng.territory.models import Area

from .helpers import api, committee, last_meeting, make_item

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ASSESS = entity_for(WorkerAssessment).service
HISTORY = entity_for(WorkerHistory).service
SCORES = ("score_morality", "score_ability", "score_diligence", "score_performance", "score_integrity")


def _worker(name="文昌花园社区"):
    return Worker.objects.filter(community__name=name, hire_date__lt=dt.date(TODAY.year, 1, 1)).order_by("pk").first()


def _assessment(worker, **extra):
    return {"worker": worker, "year": TODAY.year, **dict.fromkeys(SCORES, Decimal(80)), "grade": "competent",
            "assessor": "社区考核小组", "assessed_on": TODAY, **extra}  # fmt: skip


# --- section 7 ----------------------------------------------------------------------------------------------


def test_assessment_total_grade_band_and_one_per_year(personas):
    actor = personas.wenchang_worker
    worker = _worker()
    WorkerAssessment.objects.filter(worker=worker, year=TODAY.year).delete()
    scores = {
        "score_morality": 90,
        "score_ability": 80,
        "score_diligence": 70,
        "score_performance": 100,
        "score_integrity": 60,
    }
    obj = ASSESS.create(actor=actor, **_assessment(worker, **scores)).obj
    assert obj.total == Decimal("84.0")  # 18 + 16 + 14 + 30 + 6
    WorkerAssessment.objects.filter(pk=obj.pk).delete()
    bad = [
        ({**scores, "grade": "excellent"}, "不足“优秀”所需的 90 分"),
        ({"year": TODAY.year + 1}, "不能考核未来的年度"),
        ({"assessed_on": TODAY + dt.timedelta(days=1)}, "考核日期不能晚于今天"),
        ({"score_ability": Decimal(101)}, "100"),
        ({"year": worker.hire_date.year - 1, "assessed_on": TODAY}, "入职"),
    ]
    for extra, message in bad:
        with writes_nothing(), pytest.raises(ValidationError, match=message):
            ASSESS.create(actor=actor, **_assessment(worker, **extra))
    ASSESS.create(actor=actor, **_assessment(worker))
    with writes_nothing(), pytest.raises(ValidationError, match="本年度已有考核记录"):
        ASSESS.create(actor=actor, **_assessment(worker))
    with writes_nothing(), pytest.raises(OutOfScope):
        ASSESS.create(actor=personas.dougang_worker, **_assessment(_worker(), year=TODAY.year - 3))


def test_history_takes_names_of_the_code_tables_and_past_dates(personas):
    actor = personas.wenchang_worker
    worker = _worker()
    base = {"worker": worker, "kind": "qualification", "name": "社会工作师", "effective_date": TODAY}
    obj = HISTORY.create(actor=actor, **base).obj
    assert str(obj).endswith("职业资格：社会工作师")
    for extra, message in [
        ({"name": "总工程师"}, "职业资格须为"),
        ({"kind": "grade", "name": "社会工作师", "effective_date": TODAY - dt.timedelta(days=1)}, "岗级须为"),
        ({"effective_date": TODAY + dt.timedelta(days=3)}, "生效日期不能晚于今天"),
        ({"effective_date": worker.hire_date - dt.timedelta(days=1)}, "不能早于入职日期"),
        ({}, "同一日期已有同类变动"),
    ]:
        with writes_nothing(), pytest.raises(ValidationError, match=message):
            HISTORY.create(actor=actor, **{**base, **extra})
    # the grid worker reads none of it
    assert not WorkerHistory.objects.restrict(personas.grid_wc01).exists()
    assert WorkerHistory.objects.restrict(actor).filter(worker=worker).count() >= 2


# --- sibling scope (edits, moves and deletes; the matrix generates the creates) -----------------------------------


def _rows(area_name):
    path = Area.objects.get(name=area_name).path
    first = {m: m.objects.filter(scope_path__startswith=path).order_by("pk").first()
             for m in (PartTimeMember, DutyRoster, JointMeeting, ActionItem, WorkerAssessment, WorkerHistory)}  # fmt: skip
    return first


@pytest.mark.parametrize(
    "actor,sibling,own",
    [
        ("dougang_worker", "文昌花园社区", "陡岗社区"),
        ("longpan_admin", "银花街道", "龙蟠街道"),
        ("yinhua_admin", "龙蟠街道", "银花街道"),
    ],
)
def test_a_sibling_neither_edits_nor_deletes_nor_moves_a_row_in(personas, actor, sibling, own):
    user = getattr(personas, actor)
    theirs, mine = _rows(sibling), _rows(own)
    moves = {
        PartTimeMember: {"committee": theirs[PartTimeMember].committee},
        DutyRoster: {"committee": theirs[DutyRoster].committee},
        JointMeeting: {"committee": theirs[JointMeeting].committee},
        ActionItem: {"meeting": theirs[ActionItem].meeting},
        WorkerAssessment: {"worker": theirs[WorkerAssessment].worker},
        WorkerHistory: {"worker": theirs[WorkerHistory].worker},
    }
    for model, row in theirs.items():
        service = entity_for(model).service
        field = "note" if model in (DutyRoster, WorkerAssessment, WorkerHistory) else "name"
        with writes_nothing(), pytest.raises(OutOfScope):
            service.update(actor=user, obj=row, **{field: "越权"})
        if model not in (WorkerAssessment, WorkerHistory) or actor != "dougang_worker":
            with writes_nothing(), pytest.raises(OutOfScope):
                service.delete(actor=user, obj=row)
        with writes_nothing(), pytest.raises(OutOfScope):
            service.update(actor=user, obj=mine[model], **moves[model])


# --- API ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource",
    ["part-time-members", "duty-rosters", "joint-meetings", "action-items", "worker-assessments", "worker-history"],
)
def test_api_lists_are_scoped_with_a_fixed_number_of_queries(personas, resource, django_assert_max_num_queries):
    client = api(personas.wenchang_worker)
    with django_assert_max_num_queries(12):
        body = client.get(f"/api/v1/{resource}/?page_size=100").json()
    assert body["results"], resource
    other = Area.objects.get(name="陡岗社区").path
    model = {"part-time-members": PartTimeMember, "duty-rosters": DutyRoster, "joint-meetings": JointMeeting,
             "action-items": ActionItem, "worker-assessments": WorkerAssessment, "worker-history": WorkerHistory}[resource]  # fmt: skip
    sibling = model.objects.filter(scope_path__startswith=other).first()
    assert sibling.pk not in {r["id"] for r in body["results"]}
    assert client.get(f"/api/v1/{resource}/{sibling.pk}/").status_code == 404


def test_api_action_item_create_and_actions(personas):
    client = api(personas.wenchang_worker)
    meeting = last_meeting()
    unit = committee().part_time_members.first().unit
    payload = {"meeting": meeting.pk, "name": "接口议定事项", "owner_unit": unit.pk,
               "deadline": str(meeting.date + dt.timedelta(days=10))}  # fmt: skip
    created = client.post("/api/v1/action-items/", payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "open" and "start" in body["actions"]
    pk = body["id"]
    assert ActionItem.objects.get(pk=pk).scope_path == meeting.scope_path
    both = client.post(
        "/api/v1/action-items/", {**payload, "owner_member": committee().part_time_members.first().pk}, format="json"
    )
    assert both.status_code == 400 and "只填其一" in str(both.json())
    started = client.post(f"/api/v1/action-items/{pk}/start/", {}, format="json")
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    again = client.post(f"/api/v1/action-items/{pk}/start/", {}, format="json")
    assert again.status_code == 409 and again.json()["detail"]
    no_result = client.post(f"/api/v1/action-items/{pk}/complete/", {}, format="json")
    assert no_result.status_code == 400
    done = client.post(f"/api/v1/action-items/{pk}/complete/", {"result": "已完成"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    sibling = api(personas.dougang_worker).post(f"/api/v1/action-items/{pk}/cancel/", {"reason": "x"}, format="json")
    assert sibling.status_code == 404
    assert AuditLog.objects.filter(action="action_item_complete", object_id=str(pk)).count() == 1


def test_api_duty_roster_gap_is_a_chinese_400(personas):
    client = api(personas.wenchang_worker)
    c = committee()
    last = DutyRoster.objects.filter(committee=c).order_by("-start").first()
    gap = (last.end + dt.timedelta(days=40)).replace(day=1)
    before = DutyRoster.objects.count()
    response = client.post("/api/v1/duty-rosters/", {"committee": c.pk, "period": "month", "start": str(gap),
                                                     "chair": last.chair_id}, format="json")  # fmt: skip
    assert response.status_code == 400 and "空档" in str(response.json())
    assert DutyRoster.objects.count() == before


# --- pages ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/committee/members/", "/committee/duty/", "/committee/meetings/", "/committee/items/", "/committee/assessments/",
     "/committee/worker-history/", "/committee/members/committees/"],
)  # fmt: skip
def test_list_pages_with_a_fixed_number_of_queries(client, login, url, django_assert_max_num_queries):
    login("wenchang_worker")
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200


def test_pages_of_an_item_its_actions_and_the_committee(client, login):
    item = make_item()
    login("wenchang_worker")
    detail = client.get(item.get_absolute_url())
    assert detail.status_code == 200 and "开始办理" in detail.content.decode()
    assert client.post(f"/committee/items/{item.pk}/start/", {}).status_code in (200, 302)
    item.refresh_from_db()
    assert item.status == "in_progress"
    response = client.post(f"/committee/items/{item.pk}/complete/", {"result": ""})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.status == "in_progress" and not item.events.filter(action="complete").exists()
    page = client.get(f"/committee/members/committee/{committee().pk}/")
    assert item.name in page.content.decode()
