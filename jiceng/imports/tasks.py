"""Background tasks (django-tasks): ``manage.py db_worker`` runs them; tests run them immediately."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_task(job_id: int) -> dict:
    from .models import ImportJob
    from .services import job_report, run_import

    job = run_import(ImportJob.objects.get(pk=job_id))
    report = job_report(job)
    return {k: report[k] for k in ("id", "status", "accepted_rows", "rejected_rows")}
