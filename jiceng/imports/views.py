"""Import pages: upload, templates, a job's progress (htmx polling) and its report."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from . import services, workbooks
from .forms import ImportForm
from .importers import IMPORTERS
from .models import ImportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def own_job(user, pk) -> ImportJob:
    """Only the owner sees an import job; for anyone else it does not exist (404)."""
    return get_object_or_404(ImportJob, pk=pk, owner=user)


def _kinds(user) -> list[str]:
    return services.importable_kinds(user)


@login_required
def import_home(request):
    kinds = _kinds(request.user)
    if not kinds:
        raise PermissionDenied("您没有导入数据的权限。")
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.import_job_create(
                actor=request.user, kind=data["kind"], upload=data["file"], dry_run=data["dry_run"],
                mode=data["mode"], on_existing=data["on_existing"],
            )  # fmt: skip
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for e in errors:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(request, "文件已上传，正在后台校验与导入。")
            return redirect(job)
    jobs = ImportJob.objects.filter(owner=request.user)[:20]
    templates = [(k, IMPORTERS[k].label) for k in kinds]
    return render(
        request, "imports/home.html", {"form": form, "jobs": jobs, "templates": templates, "title": "数据导入"}
    )


@login_required
def template_download(request, kind):
    if kind not in IMPORTERS or not services.can_import(request.user, kind):
        raise Http404("没有这个导入模板。")
    importer = IMPORTERS[kind]
    out = tempfile.TemporaryFile()
    workbooks.template_workbook(importer, out)
    out.seek(0)
    name = f"{importer.label.replace('/', '、').replace(' ', '')}导入模板.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)


@login_required
def job_detail(request, pk):
    job = own_job(request.user, pk)
    report = services.job_report(job)
    context = {"job": job, "report": report, "title": str(job), "errors": report["errors"][:500],
               "warnings": report["warnings"][:200]}  # fmt: skip
    template = "imports/job_status.html" if getattr(request, "htmx", False) else "imports/job_detail.html"
    return render(request, template, context)


@login_required
def report_download(request, pk):
    job = own_job(request.user, pk)
    if not job.is_finished:
        raise Http404("导入尚未完成。")
    out = tempfile.TemporaryFile()
    workbooks.report_workbook(job, out)
    out.seek(0)
    name = f"导入结果-{Path(job.original_name).stem}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)
