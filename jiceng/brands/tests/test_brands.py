"""The governance brand, built only from its declaration: service, pages, API, import, export, nav, scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from jiceng.audit.models import AuditLog
from jiceng.brands.models import Brand
from jiceng.core.entities import entity_for
from jiceng.core.errors import OutOfScope
from jiceng.imports.tests.helpers import run, xlsx_bytes
from jiceng.party.models import PartyOrg
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SERVICE = entity_for(Brand).service


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def node(name):
    return Area.objects.get(name=name)


def test_demo_brands_are_in_the_tree_with_their_owners_scope_path():
    xiangzhang = Brand.objects.get(name="香樟树下")
    assert xiangzhang.org.area == node("文昌花园社区") and xiangzhang.scope_path == node("文昌花园社区").path
    yige = Brand.objects.get(name="一格一姐")
    assert yige.area.kind == "grid" and yige.scope_path == yige.area.path
    assert Brand.objects.filter(scope_path__startswith=node("银花街道").path).exists()


def test_create_update_move_delete_are_scoped_and_audited(personas):
    actor = personas.wenchang_worker
    grid = Area.objects.filter(kind="grid", path__startswith=node("文昌花园社区").path).order_by("path").first()
    brand = SERVICE.create(actor=actor, name="邻里小厨", area=grid, start_date=dt.date(2023, 1, 1)).obj
    assert brand.scope_path == grid.path
    row = AuditLog.objects.latest("id")
    assert (row.action, row.object_type, row.username) == ("create", "brands.Brand", "wenchang_worker")

    org = PartyOrg.objects.get(area=node("文昌花园社区"), org_type__in=["community_committee", "community_general"])
    moved = SERVICE.update(actor=actor, obj=brand, area=None, org=org).obj
    assert moved.scope_path == org.scope_path
    assert AuditLog.objects.latest("id").detail["changes"]["scope_path"]["after"] == org.scope_path

    # Moving into the sibling community is refused (the new node is checked, not only the old one).
    with pytest.raises(OutOfScope):
        SERVICE.update(actor=actor, obj=moved, org=None, area=node("陡岗社区"))
    assert Brand.objects.get(pk=brand.pk).scope_path == org.scope_path

    SERVICE.delete(actor=actor, obj=moved)
    assert not Brand.objects.filter(pk=brand.pk).exists()
    row = AuditLog.objects.latest("id")
    assert (row.action, row.object_id, row.object_repr) == ("delete", str(brand.pk), "邻里小厨")


def test_service_rules(personas):
    actor = personas.qu_admin
    community = node("文昌花园社区")
    with pytest.raises(ValidationError) as exc:
        SERVICE.create(actor=actor, name="无主品牌")
    assert exc.value.message_dict == {"org": ["请选择所属党组织或所属辖区。"]}
    with pytest.raises(ValidationError) as exc:
        SERVICE.create(actor=actor, name="香樟树下", area=community)  # same node as the demo's (via its org)
    assert "该单位已有同名品牌。" in exc.value.messages
    with pytest.raises(ValidationError) as exc:
        SERVICE.create(actor=actor, name="明日品牌", area=community, start_date=dt.date.today() + dt.timedelta(1))
    assert exc.value.message_dict == {"start_date": ["创建日期不能晚于今天。"]}
    with pytest.raises(ValidationError) as exc:
        SERVICE.create(actor=actor, name="假图", area=community, logo=SimpleUploadedFile("a.png", b"<svg></svg>"))
    assert exc.value.message_dict == {"logo": ["只能上传 JPEG、PNG、GIF 或 WebP 图片。"]}
    with pytest.raises(ValidationError):
        SERVICE.create(actor=actor, name="x", area=community, code="1")  # unknown keys are refused
    # a grid worker may see brands but not write them
    with pytest.raises(OutOfScope):
        SERVICE.create(actor=personas.grid_wc01, name="格内品牌", area=community)


def test_pages_list_search_create_with_logo_detail_edit_delete(client, login, personas):
    login("wenchang_worker")
    page = client.get("/brands/", {"q": "香樟"})
    html = page.content.decode()
    assert page.status_code == 200 and "香樟树下" in html and "一格一姐" not in html and "红色陡岗" not in html
    assert "新建治理品牌" in html and 'href="/brands/"' in client.get("/").content.decode()  # nav entry

    grid = Area.objects.filter(kind="grid", path__startswith=node("文昌花园社区").path).order_by("path").first()
    form = {"name": "楼道微光", "area": grid.pk, "description": "楼道长制度", "start_date": "2024-05-01"}
    response = client.post("/brands/add/", {**form, "logo": SimpleUploadedFile("x.gif", PNG)})
    brand = Brand.objects.get(name="楼道微光")
    assert response.status_code == 302 and response["Location"] == f"/brands/{brand.pk}/"
    assert brand.logo.name.startswith("brands/") and brand.logo.name.endswith(".png")  # type from the bytes
    detail = client.get(f"/brands/{brand.pk}/").content.decode()
    assert "楼道长制度" in detail and f"/brands/{brand.pk}/logo/" in detail
    assert b"".join(client.get(f"/brands/{brand.pk}/logo/").streaming_content) == PNG
    api_logo = APIClient()
    api_logo.force_authenticate(personas.wenchang_worker)
    assert api_logo.get(f"/api/v1/brands/{brand.pk}/").json()["logo"] == f"http://testserver/brands/{brand.pk}/logo/"

    bad = client.post(f"/brands/{brand.pk}/edit/", {**form, "logo": SimpleUploadedFile("y.png", b"GIF")})
    assert bad.status_code == 400 and "只能上传 JPEG、PNG、GIF 或 WebP 图片。" in bad.content.decode()
    response = client.post(f"/brands/{brand.pk}/edit/", {**form, "name": "楼道微光2"})
    brand.refresh_from_db()
    assert response.status_code == 302 and brand.name == "楼道微光2" and brand.logo.name.endswith(".png")

    assert "确认删除" in client.get(f"/brands/{brand.pk}/delete/").content.decode()
    assert client.post(f"/brands/{brand.pk}/delete/").status_code == 302
    assert not Brand.objects.filter(pk=brand.pk).exists()


def test_sibling_user_neither_sees_nor_changes(client, login):
    login("wenchang_worker")
    sibling = Brand.objects.get(name="红色陡岗")
    assert "红色陡岗" not in client.get("/brands/").content.decode()
    for url in ("", "edit/", "delete/", "logo/"):
        assert client.get(f"/brands/{sibling.pk}/{url}").status_code == 404
    assert client.post(f"/brands/{sibling.pk}/delete/").status_code == 404
    response = client.post("/brands/add/", {"name": "越权", "area": node("陡岗社区").pk})
    assert response.status_code == 400 and not Brand.objects.filter(name="越权").exists()  # not a valid choice
    assert Brand.objects.filter(pk=sibling.pk).exists()


def test_grid_worker_reads_only_and_resident_not_at_all(client, login):
    login("grid_wc01")
    assert client.get("/brands/").status_code == 200
    assert client.get("/brands/add/").status_code == 403
    login("resident_demo")
    assert client.get("/brands/").status_code == 403


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_list_detail_create_update_delete(personas):
    client = api(personas.wenchang_worker)
    listed = client.get("/api/v1/brands/").json()
    names = {b["name"] for b in listed["results"]}
    assert "香樟树下" in names and "红色陡岗" not in names and "银花邻里" not in names
    own = Brand.objects.get(name="香樟树下")
    detail = client.get(f"/api/v1/brands/{own.pk}/").json()
    assert detail["org_name"] == own.org.name and detail["area"] is None and detail["logo"] is None
    assert client.get(f"/api/v1/brands/{Brand.objects.get(name='红色陡岗').pk}/").status_code == 404

    community = node("文昌花园社区")
    created = client.post("/api/v1/brands/", {"name": "接口品牌", "area": community.pk}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert Brand.objects.get(pk=pk).scope_path == community.path
    assert AuditLog.objects.latest("id").action == "create"  # written by the service
    patched = client.patch(f"/api/v1/brands/{pk}/", {"description": "改"}, format="json")
    assert patched.status_code == 200 and Brand.objects.get(pk=pk).description == "改"
    moved = client.patch(f"/api/v1/brands/{pk}/", {"area": node("陡岗社区").pk}, format="json")
    assert moved.status_code == 400 and Brand.objects.get(pk=pk).scope_path == community.path
    future = client.patch(f"/api/v1/brands/{pk}/", {"start_date": "2999-01-01"}, format="json")
    assert future.status_code == 400 and future.json()["start_date"] == ["创建日期不能晚于今天。"]
    assert client.delete(f"/api/v1/brands/{pk}/").status_code == 204
    assert not Brand.objects.filter(pk=pk).exists() and AuditLog.objects.latest("id").action == "delete"

    reader = api(personas.grid_wc01)
    assert reader.get("/api/v1/brands/").status_code == 200
    assert reader.post("/api/v1/brands/", {"name": "x", "area": community.pk}, format="json").status_code == 403
    assert reader.delete(f"/api/v1/brands/{own.pk}/").status_code in (403, 404)
    assert Brand.objects.filter(pk=own.pk).exists()


def test_import_creates_updates_and_refuses_out_of_scope(personas, client, login):
    rows = [
        ["品牌名称", "所属党组织", "所属辖区", "品牌简介", "创建日期"],
        ["夕阳红驿站", "", "文昌花园社区", "老年助餐", "2021-06-01"],
        ["香樟树下", "", "", "改写简介", ""],  # no owner
        ["越权品牌", "", "陡岗社区", "", ""],
        ["夕阳红驿站", "", "文昌花园社区", "重复行", ""],
    ]
    job = run(personas.wenchang_worker, "brands", "brands.xlsx", xlsx_bytes(rows), mode="valid_rows")
    assert (job.created_rows, job.rejected_rows) == (1, 3), job.errors
    created = Brand.objects.get(name="夕阳红驿站")
    assert created.scope_path == node("文昌花园社区").path and created.start_date == dt.date(2021, 6, 1)
    assert not Brand.objects.filter(name="越权品牌").exists()
    again = run(personas.wenchang_worker, "brands", "brands.xlsx", xlsx_bytes([rows[0], rows[1][:3] + ["新简介"]]))
    assert again.updated_rows == 1 and Brand.objects.get(pk=created.pk).description == "新简介"

    login("wenchang_worker")
    template = client.get("/imports/templates/brands.xlsx")
    ws = load_workbook(io.BytesIO(b"".join(template.streaming_content)), read_only=True).worksheets[0]
    assert [c.value for c in next(ws.iter_rows())][:3] == ["品牌名称*", "所属党组织", "所属辖区"]


def test_export_is_the_users_scope_and_filters(client, login):
    login("longpan_admin")
    response = client.post("/exports/new/", {"path": "/brands/", "query": "q=一格"})
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active]
    assert rows[0][:2] == ["品牌名称", "所属党组织"]
    assert [r[0] for r in rows[1:]] == ["一格一姐"]
    everything = client.post("/exports/new/", {"path": "/brands/", "query": ""})
    names = {r[0].value for r in load_workbook(io.BytesIO(b"".join(everything.streaming_content))).active.iter_rows()}
    assert "银花邻里" not in names and "红色陡岗" in names


def test_activity_photos_on_the_page_and_the_api_checked_by_their_bytes_and_scoped(client, login, personas):
    from jiceng.attachments.models import Attachment

    login("wenchang_worker")
    readable = Brand.objects.restrict(personas.grid_wc01, "view").values("pk")
    brand = Brand.objects.restrict(personas.wenchang_worker, "change").filter(pk__in=readable).order_by("pk").first()
    page = client.get(f"/brands/{brand.pk}/").content.decode()
    assert "活动照片" in page and f'action="/brands/{brand.pk}/attachments/"' in page
    response = client.post(f"/brands/{brand.pk}/attachments/", {"file": [SimpleUploadedFile("活动.png", PNG)]})
    assert response.status_code == 302
    photo = Attachment.objects.for_target(brand).get()
    assert (photo.original_name, photo.content_type, photo.scope_path) == ("活动.png", "image/png", brand.scope_path)
    assert f'src="/attachments/{photo.pk}/"' in client.get(f"/brands/{brand.pk}/").content.decode()

    bad = client.post(
        f"/brands/{brand.pk}/attachments/",
        {"file": [SimpleUploadedFile("b.png", PNG), SimpleUploadedFile("病毒.png", b"MZ\x90\x00 not an image")]},
        follow=True,
    )
    assert "“病毒.png”不是 JPEG、PNG、GIF、WebP 图片或 PDF 文件，不能上传。" in bad.content.decode()
    assert Attachment.objects.for_target(brand).count() == 1  # all or nothing

    login("grid_wc01")  # reads brands, changes none: sees the photos, no form, a 403 on upload
    page = client.get(f"/brands/{brand.pk}/").content.decode()
    assert f'src="/attachments/{photo.pk}/"' in page and 'action="/brands/' not in page
    assert (
        client.post(f"/brands/{brand.pk}/attachments/", {"file": [SimpleUploadedFile("x.png", PNG)]}).status_code == 403
    )
    login("dougang_worker")  # the sibling community: as if it did not exist
    for method in ("get", "post"):
        assert getattr(client, method)(f"/brands/{brand.pk}/attachments/").status_code == 404
    assert Attachment.objects.for_target(brand).count() == 1

    rest = api(personas.wenchang_worker)
    listed = rest.get(f"/api/v1/brands/{brand.pk}/attachments/").json()
    assert [(r["id"], r["name"], r["url"]) for r in listed] == [
        (photo.pk, "活动.png", f"http://testserver/attachments/{photo.pk}/")
    ]
    added = rest.post(
        f"/api/v1/brands/{brand.pk}/attachments/", {"file": SimpleUploadedFile("二.png", PNG)}, format="multipart"
    )
    assert added.status_code == 201 and added.json()[0]["name"] == "二.png"
    empty = rest.post(f"/api/v1/brands/{brand.pk}/attachments/", {}, format="multipart")
    assert empty.status_code == 400 and "请选择要上传的文件。" in str(empty.json())
    assert (
        api(personas.grid_wc01)
        .post(f"/api/v1/brands/{brand.pk}/attachments/", {"file": SimpleUploadedFile("x.png", PNG)}, format="multipart")
        .status_code
        == 403
    )
    assert api(personas.dougang_worker).get(f"/api/v1/brands/{brand.pk}/attachments/").status_code == 404
    assert Attachment.objects.for_target(brand).count() == 2
