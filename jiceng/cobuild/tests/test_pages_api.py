"""Pages and API of 单位包保: the liaison sees its own unit's rows only (and another unit's liaison none of
them), coverage of a node, the figures of /api/v1/stats/, import of pairings, export, query counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jiceng.attachments.selectors import attachments_for
from jiceng.cobuild.models import Pairing, UnitActivity, UnitEvaluation, UnitReport
from jiceng.cobuild.selectors import pairings_in_force
from jiceng.core.entities import entity_for
from jiceng.dashboards.selectors import node_stats
from jiceng.imports.tests.helpers import run, xlsx_bytes
from jiceng.orgs.models import Organisation
from jiceng.territory.models import Area
from jiceng.testing.personas import persona

from .conftest import api, no_report_pairing, node

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


# --- the unit liaison ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Pairing, UnitActivity, UnitReport, UnitEvaluation])
def test_liaison_sees_its_own_unit_only_and_another_liaison_none_of_it(world, model):
    unit_field = "pairing__unit" if model is UnitActivity else "unit"
    mine = model.objects.restrict(world.liaison, "view")
    assert mine.exists()
    assert not mine.exclude(**{unit_field: world.unit}).exists()
    assert mine.count() == model.objects.filter(**{unit_field: world.unit}).count()
    theirs = model.objects.restrict(world.other, "view")
    assert not theirs.filter(**{unit_field: world.unit}).exists()
    assert not model.objects.restrict(world.liaison, "change").exists()  # reads only


def test_liaison_pages_and_api(client, login, world):
    own = Pairing.objects.filter(unit=world.unit).first()
    foreign = Pairing.objects.filter(unit=world.other_unit).first()
    login("unit_demo")
    listed = client.get("/cobuild/pairings/")
    assert listed.status_code == 200
    body = listed.content.decode()
    assert own.get_absolute_url() in body and foreign.get_absolute_url() not in body
    assert 'href="/cobuild/pairings/mine/"' in body and "/cobuild/pairings/coverage/" not in body
    assert client.get(foreign.get_absolute_url()).status_code == 404
    assert client.get(f"/cobuild/pairings/{own.pk}/edit/").status_code == 403
    assert client.get("/people/residents/").status_code in (403, 404)  # nothing of residents
    mine = client.get("/cobuild/pairings/mine/")
    assert mine.status_code == 200 and world.unit.name in mine.content.decode()
    assert world.other_unit.name not in mine.content.decode()

    rest = api(world.liaison).get("/api/v1/pairings/").json()
    assert rest["count"] == Pairing.objects.filter(unit=world.unit).count()
    assert {r["unit"] for r in rest["results"]} == {world.unit.pk}
    other = api(world.other).get("/api/v1/unit-reports/").json()
    assert other["count"] == UnitReport.objects.filter(unit=world.other_unit).count()
    assert not UnitReport.objects.filter(pk__in=[r["id"] for r in other["results"]], unit=world.unit).exists()
    assert api(world.other).get(f"/api/v1/pairings/{own.pk}/").status_code == 404


def test_my_unit_page_is_for_liaisons(client, login, world):
    login("wenchang_worker")
    assert client.get("/cobuild/pairings/mine/").status_code == 404
    login("unit_other")
    page = client.get("/cobuild/pairings/mine/").content.decode()
    assert world.other_unit.name in page and world.unit.name not in page


def test_liaison_files_a_report_on_the_page_and_through_the_api(client, login, world):
    pairing = no_report_pairing(world.unit, world.wenchang)
    login("unit_demo")
    form = client.get("/cobuild/reports/add/").content.decode()
    assert f'value="{pairing.pk}"' in form
    assert f'value="{Pairing.objects.filter(unit=world.other_unit).first().pk}"' not in form
    response = client.post("/cobuild/reports/add/", {"pairing": pairing.pk, "content": "提供义诊"})
    assert response.status_code == 302, response.content.decode()[:2000]
    report = UnitReport.objects.get(unit=world.unit, community=world.wenchang)
    assert report.status == "submitted"

    dougang = no_report_pairing(world.unit, world.dougang)
    created = api(world.liaison).post("/api/v1/unit-reports/", {"pairing": dougang.pk, "content": "法律咨询"},
                                      format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    assert UnitReport.objects.get(pk=created.json()["id"]).community == world.dougang
    again = api(world.liaison).post("/api/v1/unit-reports/", {"pairing": dougang.pk, "content": "x"}, format="json")
    assert again.status_code == 400 and "不能重复报到" in str(again.json())
    foreign = Pairing.objects.filter(unit=world.other_unit).first()
    count = UnitReport.objects.count()
    assert (
        api(world.liaison)
        .post("/api/v1/unit-reports/", {"pairing": foreign.pk, "content": "x"}, format="json")
        .status_code
        == 400
    )  # fmt: skip  (not a choice)
    assert UnitReport.objects.count() == count


def test_liaison_logs_an_activity_with_a_photo(client, login, world):
    own = Pairing.objects.filter(unit=world.unit, end_date=None).first()
    login("unit_demo")
    data = {"pairing": own.pk, "name": "义诊", "date": dt.date.today().isoformat(), "kind": "volunteer",
            "participants": 8, "hours": "3", "content": "测血压"}  # fmt: skip
    assert client.post("/cobuild/activities/add/", data).status_code == 302
    activity = UnitActivity.objects.get(name="义诊", pairing=own)
    # photos are the community's to add (the liaison only reads the log): the worker uploads one
    url = f"{activity.get_absolute_url()}attachments/"
    assert client.post(url, {"file": SimpleUploadedFile("现场.png", PNG)}).status_code in (403, 404)
    login("wenchang_worker")
    assert client.post(url, {"file": SimpleUploadedFile("现场.png", PNG)}).status_code == 302
    assert [a.original_name for a in attachments_for(activity)] == ["现场.png"]
    client.post(url, {"file": SimpleUploadedFile("假图.png", b"not an image")})
    assert attachments_for(activity).count() == 1
    photo = attachments_for(activity).get()
    assert f'src="/attachments/{photo.pk}/"' in client.get(activity.get_absolute_url()).content.decode()
    login("dougang_worker")
    assert client.post(url, {"file": SimpleUploadedFile("现场.png", PNG)}).status_code == 404
    assert attachments_for(activity).count() == 1


def test_report_actions_on_the_page_and_through_the_api(client, login, world):
    pairing = no_report_pairing(world.unit, world.wenchang)
    report = entity_for(UnitReport).service.create(actor=world.liaison, pairing=pairing, content="报到").obj
    worker = api(persona("wenchang_worker"))
    detail = worker.get(f"/api/v1/unit-reports/{report.pk}/").json()
    assert (detail["status"], detail["status_label"]) == ("submitted", "待确认")
    assert set(detail["actions"]) == {"confirm", "return"}
    assert api(world.liaison).get(f"/api/v1/unit-reports/{report.pk}/").json()["actions"] == []
    refused = worker.post(f"/api/v1/unit-reports/{report.pk}/return/", {}, format="json")
    assert refused.status_code == 400 and UnitReport.objects.get(pk=report.pk).status == "submitted"
    sibling = api(persona("dougang_worker")).post(f"/api/v1/unit-reports/{report.pk}/confirm/", {}, format="json")
    assert sibling.status_code == 404
    assert api(world.liaison).post(f"/api/v1/unit-reports/{report.pk}/confirm/", {}, format="json").status_code == 403
    done = worker.post(f"/api/v1/unit-reports/{report.pk}/confirm/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    events = report.events.count()
    again = worker.post(f"/api/v1/unit-reports/{report.pk}/confirm/", {}, format="json")
    assert again.status_code == 409 and "当前状态不允许" in again.json()["detail"]
    assert report.events.count() == events
    receipt = UnitReport.objects.get(pk=report.pk)
    assert receipt.confirmed_by.username == "wenchang_worker" and receipt.confirmed_at is not None

    other = (
        entity_for(UnitReport)
        .service.create(actor=world.liaison, pairing=no_report_pairing(world.unit, world.dougang), content="报到")
        .obj
    )
    login("dougang_worker")
    page = client.get(other.get_absolute_url()).content.decode()
    assert "待确认" in page and f"{other.get_absolute_url()}return/" in page
    form = client.get(f"{other.get_absolute_url()}return/")
    assert form.status_code == 200 and "退回理由" in form.content.decode()
    posted = client.post(f"{other.get_absolute_url()}return/", {"reason": "请写明可提供的服务"})
    assert posted.status_code == 302
    assert UnitReport.objects.get(pk=other.pk).return_reason == "请写明可提供的服务"
    login("wenchang_worker")
    assert client.post(f"{other.get_absolute_url()}confirm/", {}).status_code == 404


# --- coverage -------------------------------------------------------------------------------------------


def test_coverage_shows_unpaired_grids_and_idle_units_scoped(client, login, world):
    login("wenchang_worker")
    listed = client.get("/cobuild/pairings/").content.decode()
    assert 'href="/cobuild/pairings/coverage/"' in listed and "/cobuild/pairings/mine/" not in listed
    page = client.get("/cobuild/pairings/coverage/")
    assert page.status_code == 200 and "所有网格均已有包保单位" in page.content.decode()
    Pairing.objects.filter(grid=world.grid3).update(end_date=dt.date.today() - dt.timedelta(days=1))
    idle = Organisation.objects.create(kind="unit", name="新入驻共建单位", area=world.wenchang)
    page = client.get("/cobuild/pairings/coverage/").content.decode()
    assert world.grid3.name in page and world.grid1.name not in page.split('id="unpaired-grids"')[1].split("</ul>")[0]
    assert idle.name in page
    assert client.get(f"/cobuild/pairings/coverage/?area={world.dougang.pk}").status_code == 404
    assert client.get("/cobuild/pairings/coverage/?area=abc").status_code == 404
    login("longpan_admin")
    street = client.get("/cobuild/pairings/coverage/").content.decode()
    assert world.grid3.name in street and idle.name in street and "文昌花园社区" in street
    login("yinhua_admin")
    sibling = client.get("/cobuild/pairings/coverage/").content.decode()
    assert world.grid3.name not in sibling and idle.name not in sibling
    login("unit_demo")
    assert client.get("/cobuild/pairings/coverage/").status_code == 403


def test_stats_keys_for_the_callers_node(world):
    worker = persona("wenchang_worker")
    stats = api(worker).get("/api/v1/stats/").json()
    grids = Area.objects.filter(kind="grid", path__startswith=world.wenchang.path).count()
    assert stats["paired_grids"] == grids and stats["unpaired_grids"] == 0
    units = pairings_in_force(Pairing.objects.filter(scope_path__startswith=world.wenchang.path))
    assert stats["cobuild_units"] == units.values("unit_id").distinct().count()
    reported = UnitReport.objects.filter(community=world.wenchang, status="confirmed").values("unit_id").distinct()
    assert stats["reported_units"] == reported.count() > 0
    district = node_stats(persona("qu_admin"))
    assert district["paired_grids"] == 366 and district["cobuild_units"] == 54
    Pairing.objects.filter(grid=world.grid3).update(end_date=dt.date.today() - dt.timedelta(days=1))
    again = node_stats(worker)
    assert (again["paired_grids"], again["unpaired_grids"]) == (grids - 1, 1)
    assert node_stats(persona("yinhua_admin"), world.wenchang)["paired_grids"] == 0  # a sibling counts nothing


# --- pages, API, import, export ----------------------------------------------------------------------------


def test_lists_of_staff_are_scoped_and_their_queries_do_not_grow(client, login, django_assert_max_num_queries):
    login("longpan_admin")
    for url in ("/cobuild/pairings/", "/cobuild/activities/", "/cobuild/reports/", "/cobuild/evaluations/"):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200, url
    rest = api(persona("longpan_admin"))
    for url in ("/api/v1/pairings/", "/api/v1/unit-activities/", "/api/v1/unit-reports/", "/api/v1/unit-evaluations/"):
        with django_assert_max_num_queries(10):
            response = rest.get(url)
        assert response.status_code == 200 and response.json()["count"] > 0, url
        yinhua = node("银花街道").path
        model = {"pairings": Pairing, "unit-activities": UnitActivity, "unit-reports": UnitReport,
                 "unit-evaluations": UnitEvaluation}[url.split("/")[3]]  # fmt: skip
        ids = {r["id"] for r in response.json()["results"]}
        assert not model.objects.filter(pk__in=ids, scope_path__startswith=yinhua).exists()


def test_api_pairing_writes_go_through_the_service(world):
    admin = api(persona("longpan_admin"))
    Pairing.objects.filter(unit=world.other_unit, grid=world.grid3).delete()
    data = {"unit": world.other_unit.pk, "grid": world.grid3.pk, "start_date": "2025-01-01", "responsibilities": "巡逻"}
    created = admin.post("/api/v1/pairings/", data, format="json")
    assert created.status_code == 201, created.json()
    again = admin.post("/api/v1/pairings/", data, format="json")
    assert again.status_code == 400 and "包保期不能重叠" in str(again.json())
    assert api(persona("wenchang_worker")).post("/api/v1/pairings/", data, format="json").status_code == 403
    yinhua_unit = Organisation.objects.filter(kind="unit", area__path__startswith=node("银花街道").path).first()
    outside = admin.post("/api/v1/pairings/", {**data, "unit": yinhua_unit.pk, "start_date": "2031-01-01"},
                         format="json")  # fmt: skip
    assert outside.status_code == 400  # not a unit longpan may choose


def test_import_pairings_creates_updates_and_refuses(world):
    Pairing.objects.filter(unit=world.other_unit, grid=world.grid3).delete()
    header = ["包保单位", "包保网格", "包保开始日期", "包保结束日期", "包保职责", "联系人", "联系电话"]
    rows = [
        header,
        [world.other_unit.name, world.grid3.name, "2025-01-01", "", "环境整治", "李明", ""],
        [world.other_unit.name, "银花西区第1网格", "2025-01-01", "", "越权", "", ""],
        [world.other_unit.name, world.grid3.name, "2025-02-01", "", "重叠", "", ""],
        ["不存在的单位", world.grid3.name, "2025-01-01", "", "", "", ""],
    ]
    job = run(persona("longpan_admin"), "pairings", "包保.xlsx", xlsx_bytes(rows), mode="valid_rows")
    assert (job.created_rows, job.rejected_rows) == (1, 3), job.errors
    made = Pairing.objects.get(unit=world.other_unit, grid=world.grid3)
    assert made.contact_name == "李明" and made.start_date == dt.date(2025, 1, 1)
    again = run(persona("longpan_admin"), "pairings", "包保.xlsx", xlsx_bytes([header, rows[1][:4] + ["新职责"]]))
    assert again.updated_rows == 1 and Pairing.objects.get(pk=made.pk).responsibilities == "新职责"


@pytest.mark.parametrize("path", ["/cobuild/pairings/", "/cobuild/activities/", "/cobuild/reports/",
                                  "/cobuild/evaluations/"])  # fmt: skip
def test_export_is_the_users_scope(client, login, path):
    login("longpan_admin")
    response = client.post("/exports/new/", {"path": path, "query": ""})
    assert response.status_code == 200, response.content[:500]
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) > 1
    text = " ".join(str(c) for r in rows for c in r if c)
    assert "银花西区" not in text
