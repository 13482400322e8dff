"""Exports write exactly what the list shows (scope + filters), masked unless revealed with a reason."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from jiceng.audit.models import AuditLog, SensitiveAccessLog
from jiceng.exports.models import ExportJob
from jiceng.people.models import Resident
from jiceng.territory.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _rows(response) -> list[list]:
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [[c.value for c in row] for row in ws.iter_rows()]


def _export(client, path, query="", **extra):
    return client.post("/exports/new/", {"path": path, "query": query, **extra})


def test_export_is_the_users_scope_and_filters(personas, client):
    client.force_login(personas.longpan_admin)
    response = _export(client, "/people/residents/")
    assert response.status_code == 200 or response.status_code == 302
    if response.status_code == 302:  # larger than the in-request limit: finished by the (immediate) task
        job = ExportJob.objects.get(owner=personas.longpan_admin)
        response = client.get(f"/exports/{job.pk}/download/")
    rows = _rows(response)
    header, data = rows[0], rows[1:]
    assert header[:3] == ["姓名", "证件号码", "联系电话"]
    longpan = Area.objects.get(name="龙蟠街道").path
    expected = Resident.objects.filter(scope_path__startswith=longpan, deleted_at__isnull=True).count()
    assert len(data) == expected
    yinhua_names = set(
        Resident.objects.filter(scope_path__startswith=Area.objects.get(name="银花街道").path).values_list(
            "id_last4", flat=True
        )
    )
    longpan_last4 = {r[1][-4:] for r in data}
    # Every exported row lies in 龙蟠 (check by hashes of the visible digits against the scoped set).
    assert longpan_last4 <= set(
        Resident.objects.filter(scope_path__startswith=longpan).values_list("id_last4", flat=True)
    )
    assert yinhua_names  # the sibling street has residents, none of which was written
    assert AuditLog.objects.filter(action="export", username="longpan_admin").count() == 1


def test_export_follows_the_list_filters(personas, client, settings):
    settings.JICENG_EXPORT_SYNC_ROWS = 100000
    user = personas.wenchang_worker
    client.force_login(user)
    grid = Area.objects.get(code="34110300301201")
    response = _export(client, "/people/residents/", f"grid={grid.pk}")
    assert response.status_code == 200
    data = _rows(response)[1:]
    assert len(data) == Resident.objects.filter(grid=grid, deleted_at__isnull=True).count() > 0
    assert {r[5] for r in data} == {grid.name}


def test_personal_data_masked_unless_revealed_with_a_reason(personas, client, settings):
    settings.JICENG_EXPORT_SYNC_ROWS = 100000
    user = personas.wenchang_worker
    client.force_login(user)
    grid = Area.objects.get(code="34110300301201")
    residents = list(Resident.objects.filter(grid=grid, deleted_at__isnull=True))
    plain_ids = {r.id_number for r in residents}
    plain_phones = {r.phone for r in residents if r.phone}

    masked = _rows(_export(client, "/people/residents/", f"grid={grid.pk}"))
    flat = {str(v) for row in masked for v in row}
    assert not plain_ids & flat and not plain_phones & flat
    assert all("*" in row[1] for row in masked[1:])

    # reveal without a reason: refused, nothing logged as revealed
    response = _export(client, "/people/residents/", f"grid={grid.pk}", reveal="1", reason="")
    assert response.status_code == 302 and not SensitiveAccessLog.objects.filter(user=user).exists()

    revealed = _rows(_export(client, "/people/residents/", f"grid={grid.pk}", reveal="1", reason="核对低保名单"))
    flat = {str(v) for row in revealed for v in row}
    assert plain_ids <= flat and plain_phones <= flat
    log = SensitiveAccessLog.objects.get(user=user)
    assert (log.reason, log.field) == ("核对低保名单", "id_number,phone")
    job = ExportJob.objects.filter(owner=user, reveal=True).get()
    assert job.revealed_rows == len(residents)


def test_reveal_needs_the_permission(personas, client):
    client.force_login(personas.member_demo)  # no export and no reveal permission
    response = _export(client, "/people/residents/", "", reveal="1", reason="想看看全部")
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_large_export_runs_in_background_and_only_its_owner_downloads(
    personas, client, settings, django_capture_on_commit_callbacks
):
    settings.JICENG_EXPORT_SYNC_ROWS = 10
    client.force_login(personas.wenchang_worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = _export(client, "/territory/households/")
    assert response.status_code == 302
    job = ExportJob.objects.get(owner=personas.wenchang_worker)
    assert response["Location"] == f"/exports/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    assert client.get(f"/exports/{job.pk}/").status_code == 200
    download = client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert len(_rows(download)) - 1 == job.written_rows == job.total_rows > 10
    client.force_login(personas.dougang_worker)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert client.get(f"/exports/{job.pk}/").status_code == 404


def test_only_list_views_can_be_exported(personas, client):
    client.force_login(personas.qu_admin)
    assert _export(client, "/audit/").status_code in {403, 404}
    assert _export(client, "/no/such/list/").status_code == 404
    assert _export(client, "/imports/").status_code == 404


def test_list_page_shows_the_export_button(personas, client):
    client.force_login(personas.wenchang_worker)
    page = client.get("/territory/buildings/").content.decode()
    assert 'action="/exports/new/"' in page
    client.force_login(personas.grid_wc01)  # grid workers have no export permission
    assert 'action="/exports/new/"' not in client.get("/territory/buildings/").content.decode()


def _file_rows(job) -> list[list]:
    with job.file.open("rb") as fh:
        ws = load_workbook(io.BytesIO(fh.read()), read_only=True).worksheets[0]
        return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize(
    "username,query,reveal",
    [("wenchang_worker", "", True), ("wenchang_worker", "gender=2", False), ("longpan_admin", "q=王", False)],
)
def test_resident_export_values_match_the_generic_export(personas, monkeypatch, username, query, reveal):
    """The resident list exports its rows read as values (``ResidentTable.export_values``); the file is
    cell for cell the one the generic path (model instances, the columns' getters) writes."""
    from jiceng.exports import services
    from jiceng.people.tables import ResidentTable

    user = getattr(personas, username)
    reason = "核对名单" if reveal else ""

    def export():
        job = services.export_create(actor=user, path="/people/residents/", query=query, reveal=reveal, reason=reason)
        return services.run_export(job)

    served = []
    original = ResidentTable.export_values

    def spy(self, *args):
        rows = original(self, *args)
        served.append(rows is not None)
        return rows

    monkeypatch.setattr(ResidentTable, "export_values", spy)
    fast = export()
    assert served == [True]  # the values path wrote it
    monkeypatch.setattr(ResidentTable, "export_values", None)
    generic = export()
    assert fast.status == generic.status == "done"
    fast_rows, generic_rows = _file_rows(fast), _file_rows(generic)
    assert len(fast_rows) > 5 and fast_rows == generic_rows
    assert fast.revealed_rows == generic.revealed_rows == (len(fast_rows) - 1 if reveal else 0)


def test_an_export_longer_than_an_excel_sheet_is_refused_with_the_reason(personas, monkeypatch):
    """More rows than one worksheet holds: no file Excel would call damaged, a Chinese reason instead."""
    from jiceng.exports import services, xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 6)  # a header and 5 rows
    job = services.run_export(services.export_create(actor=personas.wenchang_worker, path="/people/residents/"))
    assert job.status == "failed" and not job.file
    assert f"共 {job.total_rows:,} 行" in job.message and "上限" in job.message and "筛选" in job.message


def test_an_export_too_large_for_one_sheets_zip_entry_is_refused_with_the_reason(personas, monkeypatch):
    """Long cells can make a sheet's XML pass 2 GiB (made small here) before the row limit."""
    from jiceng.exports import services, xlsx

    monkeypatch.setattr(xlsx, "MAX_SHEET_BYTES", 20_000)
    job = services.run_export(services.export_create(actor=personas.wenchang_worker, path="/people/residents/"))
    assert job.total_rows > 100
    assert job.status == "failed" and not job.file
    assert "超过 Excel 单个工作表可写入的大小" in job.message and "分批导出" in job.message
