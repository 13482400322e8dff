"""Exporting a list to .xlsx: the same rows the list shows, streamed, masked unless revealed with a reason.

``export_create`` resolves the list URL to its ``ObjectListView`` and asks *that view* for its rows
(``get_export_table``: ``restrict`` + the filter set + the table's sort), so an export can only ever
contain what its owner sees on the page. Small exports are written in the request; large ones
(``JICENG_EXPORT_SYNC_ROWS``) by a background task, which rebuilds the view from the stored path and
query as the owner. Rows are read with ``iterator()`` and streamed into the file by our own writer
(``jiceng.exports.xlsx.XlsxWriter``: inline strings, one deflated zip entry), so memory stays flat; text
that could start a formula is prefixed with ``'`` (``_cell_value``). Every export is audited; revealing
full ID numbers and phones needs the reveal permission and a reason, and is written to the
sensitive-access log.
"""

from __future__ import annotations

import inspect
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import models, transaction
from django.http import Http404, QueryDict
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString
from django_tables2.columns import BooleanColumn

from jiceng.audit.services import audit_record, sensitive_access_record
from jiceng.core.jobs import JobStatus
from jiceng.core.masking import mask_id_number, mask_name, mask_phone
from jiceng.core.views import ObjectListView

from . import xlsx
from .models import ExportJob
from .xlsx import XlsxWriter

logger = logging.getLogger(__name__)

#: Plain attributes that are personal data, and how each is masked when not revealed.
SENSITIVE = {"id_number": mask_id_number, "phone": mask_phone}
MASKED_SUFFIX = "_masked"
#: A ticket reporter's contact is masked in every export, revealing or not: it is revealed one ticket at
#: a time by who must call back (``tickets.services.ticket_reveal_contact``), never in bulk.
NEVER_REVEALED = {"reporter_phone": mask_phone, "reporter_name": mask_name}
PROGRESS_EVERY = 2000


def sync_limit() -> int:
    return getattr(settings, "JICENG_EXPORT_SYNC_ROWS", 2000)


def _top_path(user) -> str:
    paths = [g.area_path for g in user.scope.grants]
    return min(paths, key=len) if paths else ""


def list_view_for(user, path: str, query: str) -> ObjectListView:
    """The list view at ``path`` set up for ``user`` with ``query`` — 404 for anything else."""
    path = urlsplit(path).path
    try:
        match = resolve(path)
    except Resolver404:
        raise Http404("没有这个列表。") from None
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, ObjectListView):
        raise Http404("该页面不支持导出。")
    request = RequestFactory().get(path, QueryDict(query or "", mutable=False))
    request.user = user
    view = view_class(**getattr(match.func, "view_initkwargs", {}))
    view.setup(request, *match.args, **match.kwargs)
    return view


def reveal_permission(model: type[models.Model]) -> str:
    return f"people.reveal_{model._meta.model_name}"


@dataclass
class Column:
    header: str
    getter: Any
    sensitive: bool = False
    name: str = ""


def export_columns(table, *, reveal: bool) -> list[Column]:
    """The table's visible columns as value getters (choices shown by label, booleans as 是/否).

    A ``*_masked`` column becomes its plain attribute when revealing; a plain ``id_number`` / ``phone``
    column is masked when not. Which rows are revealed is decided per row by scope (``write_rows``).
    """
    model = table.data.model if hasattr(table.data, "model") else None
    columns = []
    for bound in table.columns:
        column = bound.column
        if getattr(column, "exclude_from_export", False):
            continue
        accessor = str(bound.accessor)
        header = str(bound.header)
        last = accessor.split("__")[-1].split(".")[-1]
        plain = last.removesuffix(MASKED_SUFFIX) if last.endswith(MASKED_SUFFIX) else None
        contact = NEVER_REVEALED.get(plain or last)
        if contact is not None:
            columns.append(
                Column(header, _contact_getter(accessor.removesuffix(MASKED_SUFFIX), contact), False, bound.name)
            )
            continue
        sensitive = plain in SENSITIVE or plain == "name" or last in SENSITIVE
        method = getattr(table, f"value_{bound.name}", None) or getattr(table, f"render_{bound.name}", None)
        if method is not None and plain is None and last not in SENSITIVE:
            columns.append(Column(header, _method_getter(method, accessor, bound, table), name=bound.name))
            continue
        display = _display_map(model, accessor)
        if isinstance(column, BooleanColumn):
            yes, no = (column.yesno + ["", ""])[:2] if isinstance(column.yesno, list) else ("是", "否")
            display = {True: yes, False: no}
        columns.append(Column(header, _getter(accessor, last, plain, display), sensitive, name=bound.name))
    return columns


def _contact_getter(accessor: str, mask):
    """A reporter's contact, masked whatever ``reveal_row`` says (a name hidden by the reporter: 匿名)."""
    hidden_name = accessor.endswith("reporter_name")

    def get(record, reveal_row: bool):
        if hidden_name and getattr(record, "anonymous", False):
            return "匿名"
        return mask(_resolve(record, accessor) or "")

    return get


def _method_getter(method, accessor: str, bound, table):
    """The table's own ``value_<col>`` / ``render_<col>`` (so 年龄, 楼栋房号 … read as on screen), as text.

    The method's parameters are looked up once, not per row (django-tables2 inspects on every call).
    """
    params = inspect.signature(method).parameters
    wants = {name for name in ("value", "record", "bound_column", "column", "table") if name in params}
    fixed = {k: v for k, v in {"bound_column": bound, "column": bound.column, "table": table}.items() if k in wants}

    def get(record, reveal_row: bool):
        kwargs = dict(fixed)
        if "value" in wants:
            kwargs["value"] = _resolve(record, accessor)
        if "record" in wants:
            kwargs["record"] = record
        value = method(**kwargs)
        return strip_tags(str(value)) if isinstance(value, SafeString) else value

    return get


def _display_map(model, accessor: str) -> dict | None:
    if model is None:
        return None
    field = None
    current = model
    for part in accessor.split("__"):
        try:
            field = current._meta.get_field(part)
        except Exception:  # noqa: BLE001 - a property, not a field
            return None
        current = getattr(field, "related_model", None) or current
    if field is not None and getattr(field, "choices", None):
        return {k: str(v) for k, v in field.flatchoices}
    return None


def _resolve(record, accessor: str):
    value = record
    for part in accessor.replace(".", "__").split("__"):
        if value is None:
            return None
        value = getattr(value, part, None)
        if callable(value) and not isinstance(value, models.Model):
            value = value()
    return value


def _getter(accessor: str, last: str, plain: str | None, display: dict | None):
    def get(record, reveal_row: bool):
        if plain is not None and reveal_row:  # *_masked → the real value
            value = _resolve(record, accessor[: -len(MASKED_SUFFIX)])
        elif last in SENSITIVE and not reveal_row:
            value = SENSITIVE[last](_resolve(record, accessor))
        else:
            value = _resolve(record, accessor)
        if display is not None:
            return display.get(value, value)
        return value

    return get


_no_formula = xlsx.no_formula


def _cell_value(value):
    """A value as it goes into the sheet: local naive time, text never a formula (``_no_formula``)."""
    if isinstance(value, str):
        return _no_formula(value)
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value)
    if getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _rows(table, queryset, columns: list[Column], reveal_paths: tuple[str, ...]):
    """(revealed, values) per row. A table may read its rows as values itself (``export_values``, the
    resident list: no model instances — most of the export's time); the same cells either way."""
    fast = getattr(table, "export_values", None)
    rows = fast(queryset, [c.name for c in columns], reveal_paths) if fast is not None else None
    if rows is not None:
        yield from rows
        return
    getters = [c.getter for c in columns]
    for record in queryset.iterator(chunk_size=2000):
        reveal_row = bool(reveal_paths) and (getattr(record, "scope_path", "") or "").startswith(reveal_paths)
        yield reveal_row, [get(record, reveal_row) for get in getters]


def write_rows(job: ExportJob, view: ObjectListView, path: Path) -> int:
    user = job.owner
    table = view.get_export_table(full_register=job.full_register)
    queryset = table.data.data
    model = queryset.model
    perm = reveal_permission(model)
    columns = export_columns(table, reveal=job.reveal)
    total = queryset.count()
    ExportJob.objects.filter(pk=job.pk).update(total_rows=total)
    if total + 1 > xlsx.MAX_ROWS:  # the header takes a row
        raise xlsx.TooManyRows(
            f"共 {total:,} 行，超过 Excel 单个工作表 {xlsx.MAX_ROWS - 1:,} 行数据的上限，未生成文件。"
            "请先按街道、社区或网格筛选，分批导出。"
        )
    written = revealed = 0
    grant_paths = [g.area_path for g in user.scope.grants_with(perm)] if job.reveal else []
    with XlsxWriter(path, sheet_name=job.title or "导出", header=[c.header for c in columns]) as sheet:
        append = sheet.append
        for reveal_row, values in _rows(table, queryset, columns, tuple(grant_paths)):
            append([_cell_value(v) for v in values])
            written += 1
            revealed += reveal_row
            if written % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job.pk).update(
                    written_rows=written, progress=min(99, written * 100 // max(total, 1))
                )
    ExportJob.objects.filter(pk=job.pk).update(revealed_rows=revealed)
    return written


def export_create(
    *, actor, path: str, query: str = "", reveal: bool = False, reason: str = "", full_register: bool = False
) -> ExportJob:
    """Check the request, record the job (and, when revealing, the reason), and return it pending.
    ``full_register``: the register's full columns (``export_register_table_class``), masked as usual."""
    view = list_view_for(actor, path, query)
    model = view.model
    if full_register and view.export_register_table_class is None:
        raise ValidationError({"full_register": "该列表没有完整台账格式，请导出当前列表的列。"})
    if not (actor.is_authenticated and view.can("view") and view.can("export")):
        audit_record(actor=actor, action="export_denied", success=False, detail={"path": path, "query": query})
        raise PermissionDenied("您没有导出该列表的权限。")
    reason = (reason or "").strip()
    if reveal:
        if not actor.scope.has_perm(reveal_permission(model)):
            audit_record(
                actor=actor, action="reveal_denied", success=False, scope_path=_top_path(actor),
                detail={"path": path, "query": query, "reason": reason[:200], "export": True},
            )  # fmt: skip
            raise PermissionDenied("您没有查看完整个人信息的权限，请取消“显示完整信息”后导出。")
        if len(reason) < 4:
            raise ValidationError({"reason": "显示完整个人信息须填写查看理由（至少 4 个字）。"})
    title = str(getattr(view, "title", "") or model._meta.verbose_name_plural)
    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=actor, title=title[:100], model_label=model._meta.label, path=urlsplit(path).path, query=query,
            reveal=reveal, reason=reason[:200], scope_path=_top_path(actor), full_register=full_register,
        )  # fmt: skip
        audit_record(
            actor=actor, action="export", obj=job, scope_path=job.scope_path,
            detail={"list": title, "path": job.path, "query": query, "reveal": reveal, "reason": reason[:200],
                    "full_register": full_register},
        )  # fmt: skip
        if reveal:
            sensitive_access_record(actor=actor, obj=job, field="id_number,phone", reason=reason[:200])
    return job


def export_count(job: ExportJob) -> int:
    view = list_view_for(job.owner, job.path, job.query)
    return view.get_filtered()[1].count()


def run_export(job: ExportJob) -> ExportJob:
    """Write the file for ``job`` now, in this process (the request for small lists, the task otherwise)."""
    job = ExportJob.objects.select_related("owner").get(pk=job.pk)
    if job.is_finished:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    try:
        view = list_view_for(job.owner, job.path, job.query)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "export.xlsx"
            written = write_rows(job, view, out)
            with open(out, "rb") as fh:
                job.file.save(f"export-{job.pk}.xlsx", File(fh), save=False)
        ExportJob.objects.filter(pk=job.pk).update(
            file=job.file.name, status=JobStatus.DONE, progress=100, written_rows=written,
            finished_at=timezone.now(), message=f"已导出 {written} 行。",
        )  # fmt: skip
    except xlsx.TooManyRows as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), message=str(exc)
        )
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), message=f"导出失败（{type(exc).__name__}）。"
        )
    job.refresh_from_db()
    return job


def enqueue_export(job_id: int) -> None:
    from .tasks import run_export_task

    run_export_task.enqueue(job_id)
