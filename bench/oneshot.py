"""One import or one export, in its own process (so its peak memory is its own), with SQL counted.

    python bench/oneshot.py import FILE USERNAME
    python bench/oneshot.py export PATH USERNAME

Prints one JSON object. Run by bench/run.py against the bench database (DATABASE_URL).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings.bench")


def main() -> None:
    import django

    django.setup()
    from django.core.files import File
    from django.db import connection

    from jiceng.accounts.models import User

    mode, target, username = sys.argv[1:4]
    user = User.objects.get(username=username)
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        t0 = time.perf_counter()
        if mode == "import":
            from jiceng.imports import services

            with open(target, "rb") as fh:
                job = services.import_job_create(
                    actor=user, kind="residents", upload=File(fh, name=Path(target).name), dry_run=True,
                    mode="all_or_nothing", enqueue=False,
                )  # fmt: skip
            t0 = time.perf_counter()
            job = services.run_import(job)
            seconds = time.perf_counter() - t0
            rows = job.total_rows
            extra = {"accepted": job.accepted_rows, "rejected": job.rejected_rows, "status": job.status,
                     "first_errors": job.errors[:3]}  # fmt: skip
        else:
            from jiceng.exports import services

            job = services.export_create(actor=user, path=target)
            t0 = time.perf_counter()
            job = services.run_export(job)
            seconds = time.perf_counter() - t0
            rows = job.written_rows
            extra = {"status": job.status, "file_mb": round(job.file.size / 1e6, 2) if job.file else 0}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The spreadsheet is read by a forked child (jiceng.imports.sheets.read_rows_bounded): its peak is its own.
    reader_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({
        "rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds, 1) if seconds else None,
        "queries": count[0], "queries_per_row": round(count[0] / rows, 2) if rows else None,
        "peak_rss_mb": round(peak_mb, 1), "reader_peak_rss_mb": round(reader_mb, 1), **extra,
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
