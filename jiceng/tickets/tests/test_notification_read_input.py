"""``POST /api/v1/notifications/read/`` with a body that is not an object, or numbers no
notification id can be (``1e400``, beyond 64 bits), answers 400 in Chinese and marks nothing read."""

from __future__ import annotations

import pytest

from jiceng.notices.models import Notice
from jiceng.tickets.tests.conftest import centre, user

URL = "/api/v1/notifications/read/"


@pytest.fixture
def unread(world, django_capture_on_commit_callbacks):
    from jiceng.tickets.services import ticket_create

    lng, lat = centre(world.grid)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_create(
            actor=user("resident_demo"), category=world.complaint.pk, description="路灯不亮", lng=lng, lat=lat
        )
    count = Notice.objects.filter(user=user("grid_wc01"), read_at__isnull=True).count()
    assert count >= 1
    return count


@pytest.mark.parametrize(
    "body, errors",
    [
        ("[1, 2]", {"non_field_errors": ["无效数据。期待为字典类型，得到的是 list 。"]}),
        ('"ids"', {"non_field_errors": ["无效数据。期待为字典类型，得到的是 str 。"]}),
        ("1e400", {"non_field_errors": ["无效数据。期待为字典类型，得到的是 float 。"]}),
        ('{"ids": 1e400}', {"ids": ["期望为一个包含物件的列表，得到的类型是“float”。"]}),
        ('{"ids": [1e400]}', {"ids": {"0": ["请填写合法的整数值。"]}}),
        ('{"ids": [99999999999999999999]}', {"ids": {"0": ["请确保该值小于或者等于 9223372036854775807。"]}}),
        ('{"ids": [0]}', {"ids": {"0": ["请确保该值大于或者等于 1。"]}}),
        ('{"ids": 5}', {"ids": ["期望为一个包含物件的列表，得到的类型是“int”。"]}),
    ],
)
def test_bad_bodies_answer_400_and_mark_nothing(api, unread, body, errors):
    response = api("grid_wc01").generic("POST", URL, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json() == errors
    assert Notice.objects.filter(user=user("grid_wc01"), read_at__isnull=True).count() == unread


def test_ids_and_no_ids_still_work(api, unread):
    mine = Notice.objects.filter(user=user("grid_wc01"), read_at__isnull=True).order_by("pk")
    first = mine.first().pk
    client = api("grid_wc01")
    assert client.post(URL, {"ids": [first]}, format="json").json() == {"updated": 1}
    assert client.post(URL, {}, format="json").json() == {"updated": unread - 1}


def test_page_form_with_an_id_beyond_64_bits_marks_nothing(client, unread):
    client.force_login(user("grid_wc01"))
    response = client.post("/notices/read/", {"ids": ["99999999999999999999"]})
    assert response.status_code == 302
    assert Notice.objects.filter(user=user("grid_wc01"), read_at__isnull=True).count() == unread
