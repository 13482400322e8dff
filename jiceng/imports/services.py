"""Submitting and running imports. The UI, the API and ``import_roster`` all end in ``run_import``.

Transactions (docs/decisions/imports-and-exports.md):

* ``all_or_nothing`` and every dry run: the whole file runs in **one** transaction, each row inside
  its own savepoint (so one bad row does not poison the rest and every row is still reported); the
  transaction is rolled back at the end when it is a dry run or any row was rejected. A killed
  process leaves nothing behind: the database never commits a partial transaction.
* ``valid_rows``: rows are committed in batches (``JICENG_IMPORT_BATCH_SIZE``, 500). Each batch is one
  transaction that also writes the job's counters and ``committed_through_row``; each row is a
  savepoint inside it. After a kill, the rows up to ``committed_through_row`` are in (exactly those
  that the job counted as accepted) and nothing after it — never half a row, never half a batch.
  Batches keep the write lock short, which SQLite (one writer at a time) needs.

Progress of a single long transaction cannot be written through that transaction (nobody else would
see it), so it goes through a side channel: the ``progress`` cache, which every process shares (files
under ``var/`` on one host, Redis when ``REDIS_URL`` is set), and, on PostgreSQL, a second autocommit
connection that updates the job row. (SQLite has one writer: a second connection could not write the
row while the import's transaction holds the lock.)
"""

from __future__ import annotations

import json
import logging
import re
import time
from itertools import chain, islice
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.http import Http404
from django.utils import timezone

from jiceng.audit.services import audit_record
from jiceng.core import excel, validators
from jiceng.core.jobs import JobStatus

from . import sheets
from .choices import ImportMode, OnExisting
from .importers import IMPORTERS, ROW_BY_ROW, BatchFallback, Importer, Issue, RowRejected, get_importer
from .models import MAX_STORED_ISSUES, ImportJob

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class _Rollback(Exception):
    pass


def _top_path(user) -> str:
    paths = [g.area_path for g in user.scope.grants]
    return min(paths, key=len) if paths else ""


def can_import(user, kind: str) -> bool:
    """Whether the user may import ``kind`` at all: the kind's own permission (``Importer.permission``,
    e.g. ``tickets.import_ticket``), not the ``add_`` one a single record needs — a resident may file one
    request but never bulk-load them. Each row is still checked against the user's scope."""
    perm = IMPORTERS[kind].permission
    return bool(perm and user and user.is_authenticated and user.scope.has_perm(perm))


def importable_kinds(user) -> list[str]:
    """The kinds ``user`` may import (``can_import``), in the importers' order."""
    return [k for k in IMPORTERS if can_import(user, k)]


def import_job_create(
    *, actor, kind: str, upload, dry_run: bool = False, mode: str = ImportMode.ALL_OR_NOTHING,
    on_existing: str = OnExisting.UPDATE, enqueue: bool = True,
) -> ImportJob:  # fmt: skip
    """Store the upload and queue the import (as a django-tasks background task, after commit)."""
    errors = {}
    if kind not in IMPORTERS:
        errors["kind"] = f"未知的导入类型“{kind}”，可选：{'、'.join(IMPORTERS)}。"
    if mode not in ImportMode.values:
        errors["mode"] = "导入方式只能是 all_or_nothing 或 valid_rows。"
    if on_existing not in OnExisting.values:
        errors["on_existing"] = "已有记录的处理方式只能是 update 或 skip。"
    name = Path(getattr(upload, "name", "") or "").name
    if upload is None:
        errors["file"] = "请选择要上传的文件。"
    elif Path(name).suffix.lower() not in sheets.SUPPORTED_SUFFIXES:
        errors["file"] = "请上传 .xlsx、.xls、.xlsb、.ods 或 .csv 文件。"
    elif getattr(upload, "size", 0) > MAX_UPLOAD_BYTES:
        errors["file"] = "文件超过 200 MB，请拆分后上传。"
    if errors:
        raise ValidationError(errors)
    if not can_import(actor, kind):
        raise PermissionDenied("您没有导入该类数据的权限。")
    job = ImportJob(owner=actor, kind=kind, mode=mode, on_existing=on_existing, dry_run=dry_run, original_name=name)
    job.file.save(name, upload, save=False)
    job.save()
    audit_record(
        actor=actor, action="import_submit", obj=job, scope_path=_top_path(actor),
        detail={"kind": kind, "mode": mode, "dry_run": dry_run, "file": name},
    )  # fmt: skip
    if enqueue:
        transaction.on_commit(lambda: enqueue_import(job.pk))
    return job


def enqueue_import(job_id: int) -> None:
    from .tasks import run_import_task

    result = run_import_task.enqueue(job_id)
    ImportJob.objects.filter(pk=job_id, task_id="").update(task_id=str(result.id)[:64])


# --- progress side channel -------------------------------------------------------------------


def progress_cache():
    """The cache every process shares (settings ``CACHES["progress"]``): the worker writes, the web reads."""
    return caches["progress"]


def _progress_key(job_id: int) -> str:
    return f"jiceng:import:{job_id}:progress"


class Progress:
    """Publishes progress where others can see it while the import's own transaction is open."""

    def __init__(self, job: ImportJob, *, side_connection: bool = False):
        self.job = job
        self.side = None
        self.last = 0.0
        # Only for the single long transaction (batches commit their own progress): a second connection
        # must never wait on a row lock that this thread's own open transaction holds.
        if side_connection and connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def publish(self, processed: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 0.5:
            return
        self.last = now
        pct = min(99, int(processed * 100 / total)) if total else 0
        progress_cache().set(
            _progress_key(self.job.pk), {"progress": pct, "processed": processed, "at": time.time()}, 3600
        )
        if self.side is not None:
            try:
                with self.side.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {ImportJob._meta.db_table} SET progress = %s, processed_rows = %s, heartbeat_at = %s"
                        " WHERE id = %s",
                        [pct, processed, timezone.now(), self.job.pk],
                    )
            except Exception:
                logger.warning("import progress side channel failed", exc_info=True)
                self.close()

    def close(self) -> None:
        """Close the side connection. The published progress stays until ``forget``: until the job's row
        says it finished, a reader would otherwise fall back to the row's progress (0 on SQLite)."""
        if self.side is not None:
            self.side.close()
            self.side = None

    def forget(self) -> None:
        progress_cache().delete(_progress_key(self.job.pk))


def live_progress(job: ImportJob) -> tuple[int, bool]:
    """(progress, stale) for a job, merging the row with the side channel."""
    if job.is_finished:
        return (100 if job.status == JobStatus.DONE else job.progress), False
    data = progress_cache().get(_progress_key(job.pk)) or {}
    progress = max(job.progress, data.get("progress", 0))
    stale = job.is_stale and (time.time() - data.get("at", 0) > 600)
    return progress, stale


# --- running ---------------------------------------------------------------------------------


def issues_path(job: ImportJob) -> Path:
    return Path(job.file.path + ".issues.jsonl")


class ImportRun:
    def __init__(self, job: ImportJob, importer: Importer, *, batch_size: int | None = None):
        self.job = job
        self.importer = importer
        self.batch_size = batch_size or getattr(settings, "JICENG_IMPORT_BATCH_SIZE", 500)
        self.header: excel.Header | None = None
        self.seen: dict = {}
        self.counts = {"processed": 0, "created": 0, "updated": 0, "skipped": 0, "rejected": 0}
        self.errors: list[dict] = []
        self.warnings: list[dict] = []
        self.n_errors = 0
        self.n_warnings = 0
        self.total_estimate = 0
        self.progress = Progress(job, side_connection=job.dry_run or job.mode == ImportMode.ALL_OR_NOTHING)
        self.issues_file = None
        self.committed_through = 0
        self.buffer: list | None = None
        self.signature_keys: list[str] | None = None

    # -- file --

    def open_rows(self):
        path = Path(self.job.file.path)
        # Read by a child process with bounded memory and CPU (a hostile file cannot take this worker down),
        # while this one validates and writes (another core).
        sheet_rows = []  # the reader tells the sheet's last row (.xls, .xlsb, .ods: not cheaply readable here)
        rows = sheets.read_rows_bounded(path, self.job.original_name, on_size=sheet_rows.append)
        head = list(islice(rows, excel.HEADER_SCAN_ROWS + 1))
        self.header = excel.locate_header(head, self.importer.synonyms())
        if self.header is None:
            expected = "、".join(c.header for c in self.importer.columns[:6])
            raise excel.FileFormatError(
                f"未找到表头：表格前 {excel.HEADER_SCAN_ROWS} 行中没有可识别的列名（如：{expected}）。"
            )
        self.signature_keys = sorted(self.header.columns.values())  # an identical row: the same text in each
        found = set(self.header.columns.values())
        missing = [self.importer.column(k).header for k in self.importer.required_keys() if k not in found]
        if missing:
            for header in missing:
                self.issue(self.header.row, header, "", f"缺少必填列“{header}”。", error=True)
            raise excel.FileFormatError(f"缺少必填列：{'、'.join(missing)}。请使用导入模板。")
        last_row = estimate_rows(path, self.job.original_name) or (sheet_rows[0] if sheet_rows else 0)
        self.total_estimate = max(0, last_row - self.header.row)
        rest = (r for r in head if r[0] > self.header.row)
        return chain(rest, rows)

    # -- report --

    def issue(self, row: int, column: str, value, message: str, *, error: bool) -> None:
        item = Issue(row, column, excel.cell_text(value)[:200].replace("\x00", "␀"), message).as_dict()
        if self.buffer is not None:  # a batch in progress: reported in row order at its end
            self.buffer.append((row, item, error))
            return
        self.record(item, error)

    def record(self, item: dict, error: bool) -> None:
        if error:
            self.n_errors += 1
            if len(self.errors) < MAX_STORED_ISSUES:
                self.errors.append(item)
        else:
            self.n_warnings += 1
            if len(self.warnings) < MAX_STORED_ISSUES:
                self.warnings.append(item)
        if self.issues_file is not None:
            self.issues_file.write(json.dumps({**item, "level": "error" if error else "warning"}, ensure_ascii=False))
            self.issues_file.write("\n")

    def column_label(self, key: str) -> str:
        if not key:
            return ""
        for idx, k in self.header.columns.items():
            if k == key:
                return self.header.labels[idx]
        try:
            return self.importer.column(key).header
        except StopIteration:
            return key

    def reject(self, number: int, issues: list[tuple[str, str]], raw: dict) -> None:
        self.counts["rejected"] += 1
        for key, message in issues:
            self.issue(number, self.column_label(key), raw.get(key), message, error=True)

    def _nul_message(self, number: int, key: str) -> str:
        return (
            f"第 {number} 行“{self.column_label(key)}”列含有不可见的空字符（NUL），无法保存。"
            "请删除该单元格中的特殊字符后重新导入。"
        )

    # -- rows --

    def process(self, number: int, values: list) -> None:
        prepared = self.prepare_row(number, values)
        if prepared is not None:
            self.apply_one(*prepared)

    def prepare_row(self, number: int, values: list):
        """Read, clean and de-duplicate one row; (number, raw, cleaned, notes) when it is to be applied."""
        raw = {key: (values[idx] if idx < len(values) else None) for idx, key in self.header.columns.items()}
        if excel.is_blank_row(list(raw.values())):
            return None  # blank and trailing rows
        self.counts["processed"] += 1
        nul = [key for key, value in raw.items() if type(value) is str and "\x00" in value]
        if nul:  # PostgreSQL stores no NUL in text: refuse the row, not the whole import
            self.reject(number, [(key, self._nul_message(number, key)) for key in nul], raw)
            return None
        importer = self.importer
        importer.begin_row()
        cleaned, errors, notes = importer.clean(raw)
        if errors:
            self.reject(number, errors, raw)
            return None
        key = importer.row_key(cleaned)
        if key is not None:
            keys = self.signature_keys if self.signature_keys is not None else sorted(raw)
            signature = hash(tuple(map(excel.cell_text, map(raw.get, keys))))
            first = self.seen.get(key)
            if first is not None:
                if first[1] == signature:
                    self.counts["skipped"] += 1
                    self.issue(number, "", "", f"与第 {first[0]} 行完全相同，已忽略。", error=False)
                else:
                    column = importer.key_columns[-1] if importer.key_columns else ""
                    self.reject(number, [(column, f"与第 {first[0]} 行的{importer.key_label()}重复。")], raw)
                return None
            self.seen[key] = (number, signature)
        return number, raw, cleaned, notes

    def apply_one(self, number: int, raw: dict, cleaned: dict, notes: list[str]) -> None:
        """One row through the services, in its own savepoint."""
        importer = self.importer
        importer.begin_row()
        try:
            with transaction.atomic():  # a row applies entirely or not at all
                outcome = importer.apply(cleaned)
        except (RowRejected, ValidationError, PermissionDenied, Http404, IntegrityError) as exc:
            importer.row_failed()
            self.reject(number, self.issues_for(exc), raw)
            return
        self.accept(number, outcome, notes)

    def accept(self, number: int, outcome, notes: list[str]) -> None:
        self.counts[outcome.action] += 1
        for note in (*notes, *outcome.warnings):
            self.issue(number, "", "", note, error=False)

    def issues_for(self, exc: Exception) -> list[tuple[str, str]]:
        """The per-row report for a refused row (the same for the row and the batch paths)."""
        if isinstance(exc, RowRejected):
            return exc.issues
        if isinstance(exc, ValidationError):
            return self.map_validation(exc)
        if isinstance(exc, (PermissionDenied, Http404)):
            return [(self.importer.scope_column, str(exc) or "目标不在您的管辖范围内，操作被拒绝。")]
        return [("", "与已有数据冲突（违反唯一性约束），请检查是否重复。")]

    def process_batch(self, batch: list) -> None:
        """A batch of rows: the importer's ``apply_batch`` when it has one (the fast path: look-ups once
        per batch, validated by the same service checks, one insert and one audit row per batch), else
        row by row. A batch that fails as a whole (e.g. a concurrent write took an identity number) is
        rolled back alone and its rows are applied one by one, so the report stays per row."""
        importer = self.importer
        fast_min = getattr(settings, "JICENG_IMPORT_FAST_MIN_ROWS", 20)
        if not hasattr(importer, "apply_batch") or len(batch) < fast_min:
            for number, values in batch:
                self.process(number, values)
            return
        self.buffer = []
        try:
            self._fast_batch(batch)
        finally:
            buffered, self.buffer = self.buffer, None
            for _, item, error in sorted(buffered, key=lambda b: b[0]):
                self.record(item, error)

    def _fast_batch(self, batch: list) -> None:
        importer = self.importer
        prepared = [p for p in (self.prepare_row(n, v) for n, v in batch) if p is not None]
        if not prepared:
            return
        importer.begin_row()
        try:
            with transaction.atomic():
                results = importer.apply_batch([(n, cleaned) for n, _, cleaned, _ in prepared], job=self.job)
        except BatchFallback:
            importer.row_failed()
            results = [ROW_BY_ROW] * len(prepared)
        except IntegrityError:
            importer.row_failed()
            results = [ROW_BY_ROW] * len(prepared)
        for (number, raw, cleaned, notes), result in zip(prepared, results, strict=True):
            if result is ROW_BY_ROW:
                self.apply_one(number, raw, cleaned, notes)
            elif isinstance(result, Exception):
                self.reject(number, self.issues_for(result), raw)
            else:
                self.accept(number, result, notes)

    def map_validation(self, exc: ValidationError) -> list[tuple[str, str]]:
        if hasattr(exc, "error_dict"):
            out = []
            for field, messages in exc.message_dict.items():
                key = self.importer.column_for_field(field)
                for message in messages:
                    if not key and field != "__all__":
                        message = f"{_field_label(self.importer, field)}{message}"
                    out.append((key, message))
            return out
        return [("", m) for m in exc.messages]

    def tick(self) -> None:
        self.progress.publish(self.counts["processed"], self.total_estimate)

    # -- modes --

    def run(self) -> bool:
        """Process the file; returns whether the data was applied (committed)."""
        rows = self.open_rows()
        job = self.job
        ImportJob.objects.filter(pk=job.pk).update(
            header_row=self.header.row,
            columns={self.header.labels[i]: k for i, k in self.header.columns.items()},
            total_rows=self.total_estimate,
        )
        if job.dry_run or job.mode == ImportMode.ALL_OR_NOTHING:
            try:
                with transaction.atomic():
                    while batch := list(islice(rows, self.batch_size)):
                        self.process_batch(batch)
                        self.tick()
                    if job.dry_run or self.counts["rejected"]:
                        raise _Rollback
            except _Rollback:
                return False
            return True
        while True:
            batch = list(islice(rows, self.batch_size))
            if not batch:
                break
            with transaction.atomic():
                self.process_batch(batch)
                self.tick()
                self.committed_through = batch[-1][0]
                self.save_counts(committed_through_row=self.committed_through, heartbeat_at=timezone.now())
        return True

    def save_counts(self, **extra) -> None:
        c = self.counts
        accepted = c["created"] + c["updated"] + c["skipped"]
        progress = min(99, int(c["processed"] * 100 / self.total_estimate)) if self.total_estimate else 0
        ImportJob.objects.filter(pk=self.job.pk).update(
            processed_rows=c["processed"], accepted_rows=accepted, created_rows=c["created"],
            updated_rows=c["updated"], skipped_rows=c["skipped"], rejected_rows=c["rejected"],
            progress=progress, **extra,
        )  # fmt: skip


def _field_label(importer: Importer, field: str) -> str:
    model = importer.model
    try:
        return f"{model._meta.get_field(field).verbose_name}："
    except Exception:  # noqa: BLE001 - not a model field
        return ""


def estimate_rows(path: Path, name: str) -> int:
    """Rows in the file, cheaply: the worksheet's dimension, the .xls row count or the csv's newlines."""
    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".csv":
            with open(path, "rb") as fh:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) + 1
        if suffix not in (".xlsx", ".xlsm"):
            return 0  # .xls, .xlsb, .ods: known only once read (the reader child reads it; not this process)
        return _xlsx_rows(path)
    except Exception:  # noqa: BLE001 - only an estimate for the progress bar
        return 0


_XLSX_HEAD_BYTES = 1 << 20
_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"\$?[A-Za-z]*\$?(\d+)(?::\$?[A-Za-z]*\$?(\d+))?\"")
_ROW_TAG_RE = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _xlsx_rows(path: Path) -> int:
    """The first worksheet's last row from its ``<dimension>`` (what openpyxl's ``max_row`` reads), found
    in the first bytes of the sheet. openpyxl looks for that element by parsing the **whole** sheet when
    it is missing (files written by ``write_only`` workbooks and some exporters): a second full parse
    of the file before the import starts. Without it, the rows are counted in the first megabyte and
    scaled by the sheet's size."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(path, read_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
        target = next(
            rel.target
            for _, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        )  # the sheet ``load_workbook(...).worksheets[0]`` is, and the importer reads
        size = reader.archive.getinfo(target).file_size
        with reader.archive.open(target) as fh:
            head = fh.read(_XLSX_HEAD_BYTES)
    finally:
        reader.archive.close()
    start = head.find(b"sheetData")
    match = _DIMENSION_RE.search(head, 0, start if start >= 0 else len(head))
    if match:
        return int(match.group(2) or match.group(1))
    rows = len(_ROW_TAG_RE.findall(head))
    if len(head) >= size or not rows:
        return rows
    return round(rows * size / len(head))


def run_import(job: ImportJob, *, batch_size: int | None = None) -> ImportJob:
    """Run ``job`` now, in this process (the task, the command and the tests call this)."""
    job = ImportJob.objects.select_related("owner").get(pk=job.pk)
    if job.is_finished:
        return job
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
    importer = get_importer(job.kind)(job.owner, on_existing=job.on_existing)
    run = ImportRun(job, importer, batch_size=batch_size)
    path = issues_path(job)
    status, applied, message = JobStatus.DONE, False, ""
    try:
        # Each ID and phone is validated by the importer and again by the service: the second time is a look-up.
        with open(path, "w", encoding="utf-8") as issues_file, validators.remembering_accepted_values():
            run.issues_file = issues_file
            applied = run.run()
    except excel.FileFormatError as exc:
        status, message = JobStatus.FAILED, str(exc)
    except Exception as exc:
        logger.exception("import job %s failed", job.pk)
        status = JobStatus.FAILED
        message = f"导入过程中发生内部错误（{type(exc).__name__}）"
        if job.mode == ImportMode.VALID_ROWS and not job.dry_run:
            message += f"，第 {run.committed_through} 行及之前的批次已提交，之后的行均未写入。"
        else:
            message += "，已全部回滚，未写入任何数据。"
    finally:
        run.progress.close()
    c = run.counts
    if status == JobStatus.DONE:
        message = _summary(job, c, applied)
    fields = {
        "status": status, "applied": applied and status == JobStatus.DONE, "message": message[:500],
        "errors": run.errors, "warnings": run.warnings, "finished_at": timezone.now(), "heartbeat_at": timezone.now(),
    }  # fmt: skip
    if status == JobStatus.DONE or job.mode == ImportMode.ALL_OR_NOTHING or job.dry_run:
        accepted = c["created"] + c["updated"] + c["skipped"]
        # Rolled back (all-or-nothing with a bad row, or failed): the rows that passed created nothing.
        # A dry run keeps what it would have done, which is what it is for.
        written = applied or job.dry_run
        fields.update(
            progress=100 if status == JobStatus.DONE else 0, total_rows=accepted + c["rejected"],
            processed_rows=c["processed"], accepted_rows=accepted, created_rows=c["created"] if written else 0,
            updated_rows=c["updated"] if written else 0, skipped_rows=c["skipped"], rejected_rows=c["rejected"],
        )  # fmt: skip
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    run.progress.forget()  # only now: the row says the job finished
    job.refresh_from_db()
    audit_record(
        actor=job.owner, action="import", obj=job, success=status == JobStatus.DONE, scope_path=_top_path(job.owner),
        detail={
            "kind": job.kind, "mode": job.mode, "dry_run": job.dry_run, "applied": job.applied,
            "created": job.created_rows, "updated": job.updated_rows, "skipped": job.skipped_rows,
            "rejected": job.rejected_rows, "message": job.message,
        },
    )  # fmt: skip
    return job


def _summary(job: ImportJob, c: dict, applied: bool) -> str:
    counts = f"新增 {c['created']} 行，更新 {c['updated']} 行，跳过 {c['skipped']} 行，未通过 {c['rejected']} 行"
    if job.dry_run:
        return f"校验完成（未写入数据库）：{counts}。"
    if not applied:
        passed = c["created"] + c["updated"] + c["skipped"]
        return (
            f"有 {c['rejected']} 行未通过校验，按“全部通过才导入”方式已全部回滚，未新增、未更新任何数据"
            f"（通过校验 {passed} 行，未通过 {c['rejected']} 行）。修正未通过的行后请重新导入整个文件。"
        )
    return f"导入完成：{counts}。"


def job_report(job: ImportJob) -> dict:
    """The report the API answers and ``import_roster`` prints."""
    progress, stale = live_progress(job)
    status = JobStatus.FAILED if stale else job.status
    return {
        "id": job.pk,
        "kind": job.kind,
        "mode": job.mode,
        "dry_run": job.dry_run,
        "status": status,
        "progress": progress,
        "total_rows": job.total_rows,
        "accepted_rows": job.accepted_rows,
        "rejected_rows": job.rejected_rows,
        "created_rows": job.created_rows,
        "updated_rows": job.updated_rows,
        "skipped_rows": job.skipped_rows,
        "applied": job.applied,
        "committed_through_row": job.committed_through_row,
        "message": "任务进程已中断（长时间无心跳）。" if stale else (job.unclaimed_notice or job.message),
        "warnings": job.warnings,
        "errors": job.errors,
    }
