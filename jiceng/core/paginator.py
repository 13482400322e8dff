"""Pagination that never counts more than it must (list pages and the API).

A list of a district's million residents must not run ``SELECT COUNT(*)`` over a million rows on every
page view. :class:`CappedPaginator` counts exactly up to ``JICENG_LIST_COUNT_CAP`` (10,000) rows —
``SELECT COUNT(*) FROM (SELECT 1 … LIMIT 10001)``, an index-only range scan on PostgreSQL — and
beyond that says so: the page shows "约 N 条" with PostgreSQL's planner estimate (one ``EXPLAIN``,
no scan), or "超过 10,000 条" where no estimate is available, and lets the user page through the
first 10,000 rows (deep ``OFFSET`` pages are slow too; filters narrow the list).
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


def count_cap() -> int:
    return getattr(settings, "JICENG_LIST_COUNT_CAP", 10_000)


def capped_count(qs: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): the exact count when it is at most ``cap``, else (``cap``, True)."""
    cap = count_cap() if cap is None else cap
    n = qs.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


def estimated_count(qs: QuerySet) -> int | None:
    """PostgreSQL's estimate of the number of rows (no scan), or None elsewhere."""
    from django.db import connections

    if connections[qs.db].vendor != "postgresql":
        return None
    try:
        # Only the table itself: planning the list's joins would cost more than the estimate is worth.
        plan = json.loads(qs.order_by().select_related(None).only("pk").explain(format="json"))
        return int(plan[0]["Plan"]["Plan Rows"])
    except Exception:  # noqa: BLE001 - an estimate is optional
        return None


def _queryset_of(object_list):
    """The queryset behind a list, a django-tables2 ``BoundRows`` or its ``TableQuerysetData``."""
    seen = 0
    obj = object_list
    while not isinstance(obj, QuerySet) and seen < 3:
        obj = getattr(obj, "data", None)
        seen += 1
    return obj if isinstance(obj, QuerySet) else None


def _count_and_estimate(qs: QuerySet) -> tuple[int, bool, int | None]:
    n, capped = capped_count(qs)
    estimate = None
    if capped:
        est = estimated_count(qs)
        estimate = est if est and est > n else None
    return n, capped, estimate


class CappedPage(Page):
    """A page is there whether or not it was read: ``{% if table.page %}`` must not fetch the rows again
    (a list that renders its rows from values, like the resident list, never builds the model rows)."""

    def __bool__(self) -> bool:
        return True


class CappedPaginator(Paginator):
    """``count_cache``, when given, is ``f(queryset, compute) -> value``: the view's way of caching the
    (count, capped, estimate) triple (``ObjectListView.count_cache``); without it every page counts."""

    capped = False
    estimate: int | None = None

    def __init__(self, *args, count_cache=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_cache = count_cache

    @cached_property
    def count(self) -> int:
        qs = _queryset_of(self.object_list)
        if qs is None:
            return super().count
        if self.count_cache is not None:
            n, self.capped, self.estimate = self.count_cache(qs, lambda: _count_and_estimate(qs))
        else:
            n, self.capped, self.estimate = _count_and_estimate(qs)
        data = getattr(self.object_list, "data", None)
        if data is not None and getattr(data, "data", None) is qs:
            data._length = n  # django-tables2 would otherwise count again for len()
        return n

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)

    @property
    def count_text(self) -> str:
        n = self.count
        if not self.capped:
            return f"共 {n} 条"
        if self.estimate:
            return f"约 {_round(self.estimate):,} 条（可翻阅前 {n:,} 条，请用筛选缩小范围）"
        return f"超过 {n:,} 条（可翻阅前 {n:,} 条，请用筛选缩小范围）"


def _round(n: int) -> int:
    """Two significant figures: an estimate must not look exact."""
    if n < 100:
        return n
    digits = int(math.log10(n)) - 1
    return round(n, -digits)
