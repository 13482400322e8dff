"""Versions that invalidate cached numbers (``jiceng.dashboards.stats_cache``)."""

from django.db import models


class StatsVersion(models.Model):
    """One row per territory path that has had a write under it since the database was created.

    ``version`` is replaced by a fresh random number after every committed write under ``path`` (the
    node itself or any descendant), so a cached figure keyed by it is never read again once the data
    it was computed from has changed — including after a rollback, where a counter could come back to
    a value it already had.
    """

    path = models.CharField(max_length=255, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "统计版本"
        verbose_name_plural = "统计版本"
