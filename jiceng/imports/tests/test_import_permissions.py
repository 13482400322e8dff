"""Each import kind has its own permission (declared with its importer), granted only to the roles that
should bulk-load that kind. Residents and Party members import nothing: not on the page, not through the
API, not even a template."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiceng.accounts.roles import ROLES
from jiceng.audit.models import AuditLog
from jiceng.imports.importers import IMPORTERS
from jiceng.imports.models import ImportJob
from jiceng.imports.services import can_import
from jiceng.testing.personas import persona

pytestmark = pytest.mark.django_db

ALL = set(IMPORTERS)
TERRITORY_ROWS = {"buildings", "households", "residents"}
#: What each persona may import (rows are still checked one by one against their scope).
EXPECTED = {
    "qu_admin": ALL,
    "longpan_admin": ALL,
    # Not grids or quarters: 网格划分须经街道审定.
    "wenchang_worker": TERRITORY_ROWS
    | {
        "workers",
        "party_orgs",
        "party_members",
        "tickets_12345",
        "brands",
        "parttimemembers",  # 社区大党委
        "householdlinks",
        "servicerecords",
    },  # 党员联户, 服务登记卡
    # Their grid's roster; 12345 work orders come to the community and the street, not to a grid worker.
    "grid_wc01": TERRITORY_ROWS,
    "member_demo": set(),
    "resident_demo": set(),
    "dept_chengguan": set(),
    "sysadmin": set(),
    "secadmin": set(),
    "auditor": set(),
}
REFUSED = ["resident_demo", "member_demo"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_every_importer_declares_its_own_permission():
    perms = [cls.permission for cls in IMPORTERS.values()]
    assert len(set(perms)) == len(perms) == len(IMPORTERS)
    assert all(p.split(".")[1].startswith("import_") for p in perms)
    assert IMPORTERS["tickets_12345"].permission == "tickets.import_ticket"
    assert IMPORTERS["residents"].permission == "people.import_resident"


def test_no_personal_or_administrator_role_may_import():
    for role in ROLES.values():
        if role.personal or role.admin:
            assert [k for k, cls in IMPORTERS.items() if role.has_perm(cls.permission)] == [], role.code


@pytest.mark.parametrize("username", list(EXPECTED))
def test_who_may_import_which_kind(personas, username):
    user = persona(username)
    assert {k for k in IMPORTERS if can_import(user, k)} == EXPECTED[username]


@pytest.mark.parametrize("username", REFUSED)
def test_the_page_is_refused(personas, client, username):
    client.force_login(persona(username))
    response = client.get("/imports/")
    assert response.status_code == 403
    assert "您没有导入数据的权限" in response.content.decode()


@pytest.mark.parametrize("username", REFUSED)
@pytest.mark.parametrize("kind", list(IMPORTERS))
def test_the_api_and_the_template_are_refused_for_every_kind(personas, client, username, kind):
    client.force_login(persona(username))
    audit_before = AuditLog.objects.count()
    response = client.post(
        "/api/v1/imports/", {"kind": kind, "file": SimpleUploadedFile("批量.csv", "描述\n噪音扰民\n".encode())}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有导入该类数据的权限。"}
    assert not ImportJob.objects.exists() and AuditLog.objects.count() == audit_before
    assert client.get(f"/imports/templates/{kind}.xlsx").status_code == 404
    page = client.post("/imports/", {"kind": kind, "file": SimpleUploadedFile("批量.csv", b"x\n")})
    assert page.status_code == 403 and not ImportJob.objects.exists()


@pytest.mark.parametrize(("username", "kind"), [("wenchang_worker", "tickets_12345"), ("grid_wc01", "residents")])
def test_roles_that_should_still_can(personas, client, username, kind):
    client.force_login(persona(username))
    assert client.get("/imports/").status_code == 200
    assert client.get(f"/imports/templates/{kind}.xlsx").status_code == 200
    response = client.post(
        "/api/v1/imports/",
        {"kind": kind, "file": SimpleUploadedFile("a.csv", b"x\n"), "dry_run": "true"},
    )
    assert response.status_code == 201
    assert ImportJob.objects.get(pk=response.json()["id"]).owner.username == username


def test_grid_worker_no_longer_imports_12345_work_orders(personas, client):
    client.force_login(personas.grid_wc01)
    response = client.post("/api/v1/imports/", {"kind": "tickets_12345", "file": SimpleUploadedFile("a.csv", b"x\n")})
    assert response.status_code == 403 and not ImportJob.objects.exists()
