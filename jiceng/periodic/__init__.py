"""Periodic jobs (定时任务): a registry that apps declare their jobs in, and a scheduler that runs each
job exactly once per period however many hosts run a scheduler (docs/decisions/processes.md)."""
