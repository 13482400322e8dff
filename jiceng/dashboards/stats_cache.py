"""Cached home / area / ``/api/v1/stats/`` numbers and coverage gaps, invalidated by every committed write
under a node.

The 13 counts of :func:`jiceng.dashboards.selectors.node_stats` scan the subtree (at district level,
every resident). They are cached per (what the user may see, node) under a key that includes the
*versions* of the territory paths the figures depend on. Any write to a counted model —
``save()``/``delete()`` of Area, Building, Household, Resident, PartyOrg, PartyGroup, CentralHousehold,
PartyMember, Worker, or a change of a worker's grids or of a Party group's buildings — replaces the version of the written row's path
and of every ancestor (old and new path, for a move) when its transaction commits. The next request
reads the versions (one indexed query) and, finding a new one, recomputes.

Staleness bound:
- writes through the models (every service, form, API and the import fast path, which calls
  :func:`bump_paths` itself): **none** — the numbers change with the commit that changed the data;
- writes that bypass ``save()``/``delete()`` (raw SQL, ``QuerySet.update()`` outside the services,
  another program writing to the database): at most ``JICENG_STATS_CACHE_SECONDS`` (default 300 s),
  the entries' time-to-live. ``manage.py seed_demo`` and the territory services' bulk moves bump
  explicitly.
- Inside a transaction (a service, a test case) nothing is read from or written to the cache: the
  caller may be looking at its own uncommitted writes.

The versions live in the database (``dashboards_statsversion``), not in the cache, so several app
processes — each with its own local-memory cache, or sharing Redis — see the same versions. Cached
figures are per process without ``REDIS_URL`` (each process computes once per version).
"""

from __future__ import annotations

import hashlib
import random
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from jiceng.core import counting

STEPLEN = 4
_ATTR = "_jiceng_stats_pending"


def ancestors(path: str) -> set[str]:
    """``path`` and every ancestor path (steplen 4), e.g. 0001000A → {0001, 0001000A}."""
    return {path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)} if path else set()


def enabled() -> bool:
    return getattr(settings, "JICENG_STATS_CACHE_SECONDS", 300) > 0


def bump_paths(paths, using: str = DEFAULT_DB_ALIAS) -> None:
    """Invalidate cached figures of every node at or above ``paths``, when the current transaction commits.

    Collapsed per transaction: an import of 10,000 rows under one street bumps that street's few
    ancestor paths once, at commit.
    """
    wanted = set()
    for p in paths:
        if p:
            wanted |= ancestors(p)
    if not wanted:
        return
    conn = connections[using]
    if not conn.in_atomic_block:
        _write(wanted, using)
        return
    pending = getattr(conn, _ATTR, None)
    # Still queued? (A rolled-back savepoint or transaction drops its callbacks; start a new set then.)
    if pending is None or not any(cb is pending["cb"] for _, cb, _ in conn.run_on_commit):
        pending = {"paths": set()}

        def flush(pending=pending):
            if getattr(conn, _ATTR, None) is pending:
                setattr(conn, _ATTR, None)
            _write(pending["paths"], using)

        pending["cb"] = flush
        setattr(conn, _ATTR, pending)
        transaction.on_commit(flush, using=using)
    pending["paths"] |= wanted


def _write(paths: set[str], using: str) -> None:
    if not paths:
        return
    from .models import StatsVersion

    table = StatsVersion._meta.db_table
    rows = sorted(paths)  # a fixed order: two writers never wait on each other's rows in opposite order
    values = ", ".join(["(%s, %s)"] * len(rows))
    params = [x for p in rows for x in (p, random.getrandbits(62) + 1)]
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (path, version) VALUES {values} "
            f"ON CONFLICT (path) DO UPDATE SET version = excluded.version",
            params,
        )


@lru_cache(maxsize=1)
def versioned_tables() -> frozenset[str]:
    """Tables whose every write through the models bumps the versions (the models and many-to-many
    relations the apps declared with ``core.counting.register_counted``)."""
    tables = set()
    for entry in counting.counted():
        tables.add(entry.model._meta.db_table)
        tables |= {entry.model._meta.get_field(n).remote_field.through._meta.db_table for n in entry.m2m}
    return frozenset(tables)


def in_transaction(conn) -> bool:
    """Inside a transaction the caller may be reading its own uncommitted writes: never cache then."""
    return conn.in_atomic_block


def versions(paths: list[str], using: str = DEFAULT_DB_ALIAS) -> tuple:
    """The version of each path (0 if never bumped). Read on every cached page and stats call, so one SQL
    string rather than a query the ORM builds each time (``test_stats_cache`` compares it with the ORM)."""
    from .models import StatsVersion

    if not paths:
        return ()
    conn = connections[using]
    qn = conn.ops.quote_name
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn('path')}, {qn('version')} FROM {qn(StatsVersion._meta.db_table)}"
            f" WHERE {qn('path')} IN ({', '.join(['%s'] * len(paths))})",
            list(paths),
        )
        found = dict(cursor.fetchall())
    return tuple(found.get(p, 0) for p in paths)


def cached(
    kind: str,
    user,
    version_paths: list[str],
    extra: str,
    compute,
    using: str = DEFAULT_DB_ALIAS,
    known_versions: dict[str, int] | None = None,
):
    """``compute()`` cached under (kind, what the user may see, ``extra``, versions of ``version_paths``).

    ``known_versions``: path → version (0 when never bumped) that the caller read in this request with
    another query (``area_chain_with_versions``); the versions are read here only if it lacks a path."""
    conn = connections[using]
    scope = getattr(user, "scope", None)
    if not enabled() or in_transaction(conn) or scope is None or scope.resident_id or scope.party_member_id:
        return compute()
    paths = sorted(set(version_paths))
    if known_versions is not None and all(p in known_versions for p in paths):
        current = tuple(known_versions[p] for p in paths)
    else:
        current = versions(paths, using)
    grants = ";".join(sorted(f"{g.role}@{g.area_path}" for g in scope.grants))
    raw = f"{conn.settings_dict['NAME']}|{kind}|{grants}|{extra}|{paths}|{current}"
    key = "jiceng:stats:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, getattr(settings, "JICENG_STATS_CACHE_SECONDS", 300))
    return value
