"""站内通知 on any object: written only after the commit, counted, read by target, opened only in scope."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse

from jiceng.brands.models import Brand
from jiceng.notices.models import Notice
from jiceng.notices.selectors import unread_count
from jiceng.notices.services import notices_mark_read, notify
from jiceng.testing.personas import persona

pytestmark = pytest.mark.django_db


def _brand_of(user) -> Brand:
    return Brand.objects.restrict(user, "view").order_by("pk").first()


def test_notify_writes_after_the_commit_and_nothing_on_a_rollback(django_capture_on_commit_callbacks):
    admin, worker = persona("longpan_admin"), persona("wenchang_worker")
    brand = _brand_of(admin)
    Notice.objects.all().delete()  # the demo's own (the committee's 待办 on its action items)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipients=[admin, worker.pk], target=brand, text="品牌待审核", kind="todo", exclude=worker)
        assert not Notice.objects.exists()  # queued, not yet written
    assert len(callbacks) == 1
    note = Notice.objects.get()
    assert (note.user, note.target, note.kind, note.text) == (admin, brand, "todo", "品牌待审核")
    assert note.target_url == brand.get_absolute_url()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(recipients=[admin], target=brand, text="回滚的通知")
            raise RuntimeError
    assert callbacks == []
    assert not Notice.objects.filter(text="回滚的通知").exists()


def test_unread_count_and_mark_read_by_target():
    admin = persona("longpan_admin")
    brand, other = Brand.objects.restrict(admin, "view").order_by("pk")[:2]
    Notice.objects.create(user=admin, target=brand, text="一")
    Notice.objects.create(user=admin, target=brand, text="二")
    Notice.objects.create(user=admin, target=other, text="三")
    peer = Notice.objects.create(user=persona("yinhua_admin"), target=brand, text="别人的")
    assert unread_count(admin) == 3
    assert notices_mark_read(actor=admin, target=brand) == 2
    assert unread_count(admin) == 1
    assert list(Notice.objects.filter(user=admin, read_at__isnull=True).values_list("text", flat=True)) == ["三"]
    peer.refresh_from_db()
    assert peer.read_at is None
    assert notices_mark_read(actor=admin, ids=[peer.pk]) == 0  # another user's notice is not the actor's to read


def test_opening_a_notice_goes_to_its_target_only_while_the_user_may_view_it(client):
    admin = persona("longpan_admin")
    brand = _brand_of(admin)
    note = Notice.objects.create(user=admin, target=brand, text="品牌更新")
    client.force_login(admin)
    response = client.get(reverse("notices:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == brand.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None

    outsider = persona("yinhua_admin")
    assert not Brand.objects.restrict(outsider, "view").filter(pk=brand.pk).exists()
    theirs = Notice.objects.create(user=outsider, target=brand, text="不该看到")
    client.force_login(outsider)
    response = client.get(reverse("notices:open", args=[theirs.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notices:list")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["该通知所指的对象已不存在或不在您的管辖范围内。"]
    page = client.get(reverse("notices:list")).content.decode()
    assert brand.get_absolute_url() not in page


def test_the_old_ticket_notification_addresses_redirect_permanently(client):
    admin = persona("longpan_admin")
    note = Notice.objects.create(user=admin, target=_brand_of(admin), text="品牌更新")
    client.force_login(admin)
    for old, new in [
        ("/tickets/notifications/", "/notices/"),
        ("/tickets/notifications/?unread=1&page=2", "/notices/?unread=1&page=2"),
        (f"/tickets/notifications/{note.pk}/", f"/notices/{note.pk}/"),
        ("/tickets/notifications/badge/", "/notices/badge/"),
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old
    response = client.post("/tickets/notifications/read/", {"ids": [note.pk]})
    assert (response.status_code, response["Location"]) == (308, "/notices/read/")  # a POST stays a POST
    note.refresh_from_db()
    assert note.read_at is None  # the redirect itself reads nothing
    response = client.post("/notices/read/", {"ids": [note.pk]})
    note.refresh_from_db()
    assert response.status_code == 302 and note.read_at is not None


def test_the_api_names_any_target_and_keeps_the_ticket_fields_for_tickets(client):
    from jiceng.tickets.models import Ticket

    admin = persona("longpan_admin")
    brand = _brand_of(admin)
    ticket = Ticket.objects.restrict(admin, "view").order_by("pk").first()
    Notice.objects.filter(user=admin).delete()
    Notice.objects.create(user=admin, target=brand, text="品牌更新")
    Notice.objects.create(user=admin, target=ticket, text="诉求进展")
    Notice.objects.create(user=admin, text="系统消息")
    client.force_login(admin)
    rows = {r["text"]: r for r in client.get("/api/v1/notifications/").json()["results"]}
    assert rows["品牌更新"] | {"id": 0, "created_at": ""} == {
        "id": 0, "kind": "progress", "text": "品牌更新", "target_type": "brands.brand", "target_id": brand.pk,
        "target_url": brand.get_absolute_url(), "target_label": "", "ticket": None, "ticket_no": "",
        "created_at": "", "read_at": None,
    }  # fmt: skip
    t = rows["诉求进展"]
    assert (t["target_type"], t["target_id"], t["target_label"]) == ("tickets.ticket", ticket.pk, ticket.ticket_no)
    assert (t["ticket"], t["ticket_no"], t["target_url"]) == (ticket.pk, ticket.ticket_no, ticket.get_absolute_url())
    assert (rows["系统消息"]["target_type"], rows["系统消息"]["target_id"]) == ("", None)

    one = client.get(f"/api/v1/notifications/{t['id']}/").json()
    assert one == t
    theirs = Notice.objects.create(user=persona("yinhua_admin"), target=ticket, text="别人的")
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert client.get("/api/v1/notifications/abc/").status_code == 404

    before = _queries(client, "/api/v1/notifications/")
    for i in range(10):  # more rows of each kind on the page: no more queries
        Notice.objects.create(user=admin, target=ticket, text=f"进展{i}")
        Notice.objects.create(user=admin, target=brand, text=f"品牌{i}")
    assert _queries(client, "/api/v1/notifications/") == before


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_every_registered_target_label_names_its_rows_in_one_query(django_assert_max_num_queries):
    """Each app's ``register_target_label`` takes a set of ids and answers ``{pk: label}`` in one query."""
    from jiceng.notices.selectors import _LABELLERS

    assert len(_LABELLERS) >= 5  # tickets, needs, committee, cobuild …
    for model, (labeller, _alias) in _LABELLERS.items():
        ids = set(model._default_manager.order_by("pk").values_list("pk", flat=True)[:3])
        assert ids, f"演示数据中没有 {model._meta.label}"
        with django_assert_max_num_queries(1):
            labels = labeller(ids)
        assert set(labels) == ids and all(isinstance(v, str) and v for v in labels.values()), model._meta.label
