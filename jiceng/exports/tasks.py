"""Background export task (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_export_task(job_id: int) -> dict:
    from .models import ExportJob
    from .services import run_export

    job = run_export(ExportJob.objects.get(pk=job_id))
    return {"id": job.pk, "status": job.status, "rows": job.written_rows}
