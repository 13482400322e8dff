"""A job no worker has started a minute after it was submitted says so (page and API), instead of 0 %."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.exports.models import ExportJob
from jiceng.imports import services
from jiceng.imports.models import ImportJob
from jiceng.imports.tests.helpers import RESIDENT_HEADER, grid_and_building, new_id, xlsx_bytes

pytestmark = pytest.mark.django_db

NOTICE = (
    "已排队 {} 分钟，后台任务尚未开始处理。请联系管理员确认任务进程（worker）在运行；"
    "若任务进程正忙于其他任务，请稍候，轮到本任务时会自动开始。"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _queued_import(user, *, waited: dt.timedelta) -> ImportJob:
    grid, b = grid_and_building()
    content = xlsx_bytes([RESIDENT_HEADER, ["排队", new_id(981), "", grid.code, b.number, "1-181", "汉族", "户主"]])
    job = services.import_job_create(
        actor=user, kind="residents", upload=SimpleUploadedFile("q.xlsx", content), enqueue=False
    )  # nobody takes it: no worker
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - waited)
    return job


def test_import_queued_over_a_minute_says_no_worker_has_started_it(personas, client):
    user = personas.wenchang_worker
    job = _queued_import(user, waited=dt.timedelta(minutes=3, seconds=5))
    client.force_login(user)
    report = client.get(f"/api/v1/imports/{job.pk}/").json()
    assert (report["status"], report["progress"], report["message"]) == ("pending", 0, NOTICE.format(3))
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert f"状态：<strong>排队中</strong> — {NOTICE.format(3)}" in page
    assert 'id="jc-import-unclaimed"' in page and 'role="progressbar"' not in page  # no bar stuck at 0 %
    partial = client.get(f"/imports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert NOTICE.format(3) in partial and 'hx-trigger="every 1s"' in partial  # still polled: a worker may start it


def test_import_queued_under_a_minute_shows_the_bar(personas, client):
    user = personas.wenchang_worker
    job = _queued_import(user, waited=dt.timedelta(seconds=50))
    client.force_login(user)
    report = client.get(f"/api/v1/imports/{job.pk}/").json()
    assert (report["status"], report["progress"], report["message"]) == ("pending", 0, "")
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'role="progressbar"' in page and "后台任务尚未开始处理" not in page


def test_started_import_has_no_notice_however_old(personas, client):
    user = personas.wenchang_worker
    job = _queued_import(user, waited=dt.timedelta(minutes=5))
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now(), progress=40)
    client.force_login(user)
    report = client.get(f"/api/v1/imports/{job.pk}/").json()
    assert (report["status"], report["progress"], report["message"]) == ("running", 40, "")


def test_background_export_queued_over_a_minute_says_so(personas, client):
    user = personas.longpan_admin
    job = ExportJob.objects.create(owner=user, title="居民", model_label="people.Resident", path="/people/residents/")
    client.force_login(user)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(seconds=59))
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert 'role="progressbar"' in page and "后台任务尚未开始处理" not in page
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=1, seconds=2))
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert f"状态：<strong>排队中</strong> — {NOTICE.format(1)}" in page
    assert 'id="jc-export-unclaimed"' in page and 'role="progressbar"' not in page
    ExportJob.objects.filter(pk=job.pk).update(status="running")
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert 'role="progressbar"' in page and "后台任务尚未开始处理" not in page


def test_progress_stays_visible_until_the_row_says_the_import_finished(personas, monkeypatch):
    """An all-or-nothing import publishes its progress in the shared cache; once the file is processed,
    a reader must not see the bar fall back to the row's 0 % before the row says ``done``."""
    user = personas.wenchang_worker
    job = _queued_import(user, waited=dt.timedelta(seconds=1))
    seen_when_closed = []
    close = services.Progress.close

    def closing(self):
        close(self)
        row = ImportJob.objects.get(pk=job.pk)  # still "running": the final update comes next
        seen_when_closed.append((row.status, services.live_progress(row)[0]))

    def publish_then_close(run):
        run.progress.publish(1, 2, force=True)  # 50 %
        return True

    monkeypatch.setattr(services.Progress, "close", closing)
    monkeypatch.setattr(services.ImportRun, "run", publish_then_close)
    done = services.run_import(job)
    assert seen_when_closed == [("running", 50)]
    assert (done.status, services.live_progress(done)[0]) == ("done", 100)
    assert services.progress_cache().get(services._progress_key(job.pk)) is None  # forgotten once finished
