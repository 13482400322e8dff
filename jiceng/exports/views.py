"""Export pages: create (from a list's button), status with progress, owner-only download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jiceng.audit.services import audit_record
from jiceng.core.errors import join_messages
from jiceng.core.jobs import JobStatus

from . import services
from .models import ExportJob


def _own_job(request, pk) -> ExportJob:
    """Only the owner sees an export; for anyone else it does not exist (404)."""
    return get_object_or_404(ExportJob, pk=pk, owner=request.user)


def back_to_list(request, path: str, query: str) -> str:
    """Where a refused export sends the user: the list it was asked from, only if that is a path of
    this site (``/…``, no scheme, no host, no ``//`` or ``/\\``, no control characters), else ``/``."""
    target = f"{path}?{query}" if query else path
    if (
        not target.startswith("/")
        or any(ord(c) < 32 or ord(c) == 127 for c in target)
        or not url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=False)
    ):
        return "/"
    return target


@login_required
@require_POST
def export_create(request):
    path = request.POST.get("path", "")
    query = request.POST.get("query", "")
    try:
        job = services.export_create(
            actor=request.user, path=path, query=query,
            reveal=request.POST.get("reveal") in {"1", "on", "true"}, reason=request.POST.get("reason", ""),
            full_register=request.POST.get("full_register") in {"1", "on", "true"},
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, join_messages(exc.messages))
        return redirect(back_to_list(request, path, query))
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    if services.export_count(job) <= services.sync_limit():
        job = services.run_export(job)
        if job.status == JobStatus.DONE:
            return _file_response(job)
        return redirect(job)
    transaction.on_commit(lambda: services.enqueue_export(job.pk))
    messages.info(request, "数据量较大，已转入后台导出，完成后可在此页面下载。")
    return redirect(job)


@login_required
def job_list(request):
    jobs = ExportJob.objects.filter(owner=request.user)[:50]
    return render(request, "exports/job_list.html", {"jobs": jobs, "title": "我的导出"})


@login_required
def job_detail(request, pk):
    job = _own_job(request, pk)
    template = "exports/job_status.html" if getattr(request, "htmx", False) else "exports/job_detail.html"
    return render(request, template, {"job": job, "title": str(job)})


@login_required
def job_download(request, pk):
    job = _own_job(request, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404("文件尚未生成。")
    audit_record(actor=request.user, action="export_download", obj=job, scope_path=job.scope_path)
    return _file_response(job)


def _file_response(job: ExportJob) -> FileResponse:
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.download_name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
