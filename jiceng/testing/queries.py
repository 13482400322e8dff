"""Query-count assertions that print the SQL when the count is wrong (Zulip's habit)."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def assert_num_queries(expected: int):
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    actual = len(ctx.captured_queries)
    if actual != expected:
        sql = "\n".join(f"{i + 1}. {q['sql']}" for i, q in enumerate(ctx.captured_queries))
        raise AssertionError(f"期望 {expected} 条 SQL，实际 {actual} 条：\n{sql}")


@contextmanager
def count_queries():
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
