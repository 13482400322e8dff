"""Service posts, applications (headcount), the roster and the service record card (hours rules)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiceng.attachments.selectors import attachments_for
from jiceng.core.entities import entity_for
from jiceng.core.errors import Conflict, OutOfScope
from jiceng.members.choices import ApplicationStatus, RecordStatus
from jiceng.members.models import (
    MemberReport,
    PostApplication,
    PostApplicationEvent,
    ServicePost,
    ServiceRecord,
    ServiceRecordEvent,
)
from jiceng.members.workflow import APPLICATIONS, RECORDS
from jiceng.testing.personas import persona
from jiceng.testing.workflow import WorkflowMatrix

from .helpers import account_for, community, row_counts, unreported_member

pytestmark = pytest.mark.django_db
POSTS = entity_for(ServicePost).service
APPS = entity_for(PostApplication).service
RECORDS_SERVICE = entity_for(ServiceRecord).service
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _counts():
    return {
        **row_counts(),
        "app_events": PostApplicationEvent.objects.count(),
        "record_events": ServiceRecordEvent.objects.count(),
    }


def _reported(community_name="文昌花园社区", nth=0):
    reports = MemberReport.objects.filter(status="confirmed", community=community(community_name)).order_by("pk")
    return reports[nth].member


def _post(headcount=1, name="测试岗位"):
    return POSTS.create(
        actor=persona("wenchang_worker"), community=community("文昌花园社区"), name=name, category="legal",
        headcount=headcount,
    ).obj  # fmt: skip


def test_demo_has_posts_rosters_and_a_year_of_services():
    wenchang = community("文昌花园社区")
    assert ServicePost.objects.filter(community=wenchang).count() == 8
    assert PostApplication.objects.filter(post__community=wenchang, status="confirmed").exists()
    member = persona("member_demo").party_member
    dates = ServiceRecord.objects.filter(member=member).values_list("date", flat=True)
    assert dates and min(dates) >= dt.date.today() - dt.timedelta(days=366)


def test_a_post_needs_a_community_and_a_positive_headcount_and_the_sibling_cannot_touch_it():
    before = row_counts()
    with pytest.raises(ValidationError):
        POSTS.create(actor=persona("wenchang_worker"), community=community("文昌花园社区"), name="x",
                     category="legal", headcount=0)  # fmt: skip
    with pytest.raises(OutOfScope):
        POSTS.create(actor=persona("dougang_worker"), community=community("文昌花园社区"), name="x",
                     category="legal", headcount=2)  # fmt: skip
    assert row_counts() == before
    post = _post()
    for call in (
        lambda: POSTS.update(actor=persona("dougang_worker"), obj=post, name="越权"),
        lambda: POSTS.update(actor=persona("grid_wc01"), obj=post, name="越权"),
    ):
        with pytest.raises(OutOfScope):
            call()
    assert ServicePost.objects.get(pk=post.pk).name == "测试岗位"


def test_the_member_applies_and_the_community_confirms_within_the_headcount():
    post = _post(headcount=1)
    first, second = (account_for(_reported(nth=i), f"ap{i}") for i in (0, 1))
    a1 = APPS.create(actor=first, post=post).obj
    a2 = APPS.create(actor=second, post=post).obj
    worker = persona("wenchang_worker")
    APPLICATIONS.transition(actor=worker, obj=a1, action="confirm")
    before = _counts()
    assert "confirm" not in APPLICATIONS.allowed_actions(worker, a2)
    with pytest.raises(Conflict, match="已满"):
        APPLICATIONS.transition(actor=worker, obj=a2, action="confirm")
    assert _counts() == before
    with pytest.raises(ValidationError, match="不能少于 1"):
        POSTS.update(actor=worker, obj=post, headcount=0)


def test_an_unreported_member_cannot_apply_and_twice_is_refused():
    post = _post(headcount=3)
    before = _counts()
    with pytest.raises(OutOfScope):  # no confirmed report: the member sees no post of the community
        APPS.create(actor=account_for(unreported_member()), post=post)
    with pytest.raises(ValidationError, match="尚未向文昌花园社区报到"):
        APPS.create(actor=persona("wenchang_worker"), post=post, member=unreported_member())
    assert _counts() == before
    member = account_for(_reported())
    APPS.create(actor=member, post=post)
    before = _counts()
    with pytest.raises(ValidationError, match="已申请过"):
        APPS.create(actor=member, post=post)
    assert _counts() == before


def test_roster_on_the_post_page(client, login):
    post = _post(headcount=2)
    application = APPS.create(actor=account_for(_reported()), post=post).obj
    APPLICATIONS.transition(actor=persona("wenchang_worker"), obj=application, action="confirm")
    login("wenchang_worker")
    page = client.get(post.get_absolute_url()).content.decode()
    assert "岗位花名册" in page and application.member.name in page and "尚余 1 个" in page


def _app_in(state):
    post = ServicePost.objects.filter(community=community("文昌花园社区")).order_by("pk").first()
    member = _reported(nth=5)
    PostApplication.objects.filter(post=post, member=member).delete()
    application = APPS.create(actor=persona("wenchang_worker"), post=post, member=member).obj
    PostApplication.objects.filter(pk=application.pk).update(status=state)
    ServicePost.objects.filter(pk=post.pk).update(headcount=99)
    application.refresh_from_db()
    return application


def _member_of(obj):
    from jiceng.accounts.models import User

    return User.objects.filter(party_member=obj.member).first() or account_for(obj.member)


def _app_setup(fx, transition, state):
    application = _app_in(state)
    actor = _member_of(application) if transition.who == "member" else persona("wenchang_worker")
    return application, actor, ({"reason": "人数已够"} if "reason" in transition.required else {})


APP_MATRIX = WorkflowMatrix(
    APPLICATIONS,
    setup=_app_setup,
    make=lambda fx, state: _app_in(state),
    actor=lambda name: persona(name),
    stale_actor="wenchang_worker",
    refused={
        "community": ["member_demo", "grid_wc01", "dougang_worker"],
        "member": ["wenchang_worker", "member_demo2"],
    },
)
test_application_allowed, test_application_wrong_state, test_application_wrong_actor = APP_MATRIX.tests()


# --- 服务登记卡 -----------------------------------------------------------------------------------------


def test_the_member_records_a_service_and_the_community_confirms_it():
    user = account_for(_reported())
    record = RECORDS_SERVICE.create(actor=user, date=dt.date.today(), hours=Decimal("2.5"), kind="activity",
                                    content="反诈宣传").obj  # fmt: skip
    assert (record.status, record.community, record.recorded_by) == ("pending", community("文昌花园社区"), user)
    confirmed = RECORDS.transition(actor=persona("wenchang_worker"), obj=record, action="confirm")
    assert confirmed.status == RecordStatus.CONFIRMED and confirmed.confirmed_at
    with pytest.raises(PermissionDenied):
        RECORDS.transition(actor=user, obj=_pending_record(), action="confirm")


def _pending_record(**extra):
    data = {"date": dt.date.today() - dt.timedelta(days=1), "hours": Decimal("1"), "kind": "other", "content": "服务"}
    return RECORDS_SERVICE.create(actor=persona("wenchang_worker"), member=_reported(nth=2), **{**data, **extra}).obj


@pytest.mark.parametrize(
    "data,message",
    [
        ({"hours": Decimal("0")}, "须大于 0"),
        ({"hours": Decimal("-1")}, "须大于 0"),
        ({"hours": Decimal("25")}, "24"),
        ({"date": dt.date.today() + dt.timedelta(days=1)}, "不能晚于今天"),
    ],
)
def test_hours_and_dates_are_checked_and_refusals_write_nothing(data, message):
    before = _counts()
    with pytest.raises(ValidationError, match=message):
        _pending_record(**data)
    assert _counts() == before


def test_at_most_24_hours_a_day_per_member_in_all():
    day = dt.date.today() - dt.timedelta(days=3)
    ServiceRecord.objects.filter(member=_reported(nth=2), date=day).delete()
    _pending_record(date=day, hours=Decimal("20"))
    before = _counts()
    with pytest.raises(ValidationError, match="超过 24 小时"):
        _pending_record(date=day, hours=Decimal("4.5"))
    assert _counts() == before
    _pending_record(date=day, hours=Decimal("4"))  # exactly 24


def test_an_unreported_member_or_a_sibling_cannot_record():
    before = _counts()
    with pytest.raises(ValidationError, match="尚未报到"):
        RECORDS_SERVICE.create(actor=account_for(unreported_member()), date=dt.date.today(), hours=Decimal("1"),
                               kind="other", content="x")  # fmt: skip
    with pytest.raises(OutOfScope):
        RECORDS_SERVICE.create(actor=persona("dougang_worker"), member=_reported(), date=dt.date.today(),
                               hours=Decimal("1"), kind="other", content="x")  # fmt: skip
    assert _counts() == before


def test_a_post_of_another_community_is_refused():
    other = ServicePost.objects.filter(community=community("陡岗社区")).first()
    with pytest.raises(ValidationError, match="不在该党员报到的社区"):
        RECORDS_SERVICE.create(actor=persona("qu_admin"), member=_reported(), date=dt.date.today(),
                               hours=Decimal("1"), kind="post", post=other, content="x")  # fmt: skip


def test_evidence_photo_through_attachments_and_shown_on_the_page(client, login):
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    record = _pending_record(photos=[photo])
    assert [a.content_type for a in attachments_for(record)] == ["image/png"]
    login("wenchang_worker")
    assert "佐证照片" in client.get(record.get_absolute_url()).content.decode()
    before = _counts()
    with pytest.raises(ValidationError):
        _pending_record(photos=[SimpleUploadedFile("x.png", b"not an image")])
    assert _counts() == before


def test_a_confirmed_record_cannot_be_edited():
    record = _pending_record()
    RECORDS.transition(actor=persona("wenchang_worker"), obj=record, action="confirm")
    with pytest.raises(Conflict, match="不能修改"):
        RECORDS_SERVICE.update(actor=persona("wenchang_worker"), obj=record, content="改")


def _record_in(state):
    record = _pending_record()
    ServiceRecord.objects.filter(pk=record.pk).update(status=state)
    record.refresh_from_db()
    return record


REC_MATRIX = WorkflowMatrix(
    RECORDS,
    setup=lambda fx, t, state: (
        _record_in(state),
        persona("wenchang_worker"),
        {"reason": "无佐证"} if "reason" in t.required else {},
    ),  # fmt: skip
    make=lambda fx, state: _record_in(state),
    actor=lambda name: persona(name),
    stale_actor="wenchang_worker",
    refused={"community": ["member_demo", "grid_wc01", "dougang_worker", "yinhua_admin"]},
)
test_record_allowed, test_record_wrong_state, test_record_wrong_actor = REC_MATRIX.tests()


def test_api_service_records_list_is_scoped_with_pinned_queries(django_assert_max_num_queries):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(persona("wenchang_worker"))
    with django_assert_max_num_queries(8):
        data = client.get("/api/v1/service-records/?page_size=100").json()
    wenchang = community("文昌花园社区").path
    assert data["count"] == ServiceRecord.objects.filter(scope_path__startswith=wenchang).count()
    assert all(r["status"] for r in data["results"])
    mine = APIClient()
    mine.force_authenticate(persona("member_demo"))
    rows = mine.get("/api/v1/service-records/").json()["results"]
    assert rows and {r["member"] for r in rows} == {persona("member_demo").party_member_id}


def test_list_pages_do_not_grow_queries(client, login, django_assert_max_num_queries):
    login("wenchang_worker")
    for name in ("members:servicepost_list", "members:postapplication_list", "members:servicerecord_list"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(name)).status_code == 200
    assert ApplicationStatus.CONFIRMED


def test_api_the_member_applies_and_records_and_a_reader_is_refused():
    from rest_framework.test import APIClient

    user = account_for(_reported(nth=6))
    post = _post(headcount=2, name="接口测试岗")
    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/v1/post-applications/", {"post": post.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending" and response.json()["actions"] == ["withdraw"]
    today = dt.date.today().isoformat()
    record = client.post("/api/v1/service-records/", {"date": today, "hours": "2.0", "kind": "other", "content": "接口"},
                         format="json")  # fmt: skip
    assert record.status_code == 201, record.content
    too_long = client.post("/api/v1/service-records/", {"date": today, "hours": "23.0", "kind": "other",
                                                         "content": "x"}, format="json")  # fmt: skip
    assert too_long.status_code == 400 and "24" in too_long.content.decode()
    reader = APIClient()
    reader.force_authenticate(persona("grid_wc01"))
    before = _counts()
    assert reader.post("/api/v1/service-posts/", {"community": post.community_id, "name": "x", "category": "other",
                                                   "headcount": 1}, format="json").status_code == 403  # fmt: skip
    assert _counts() == before
