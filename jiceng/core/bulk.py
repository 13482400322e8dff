"""Bulk inserts at COPY speed (PostgreSQL), for the demo builder and the import fast path."""

from __future__ import annotations

from django.db import connections
from django.db.models import DateTimeField
from django.utils import timezone

from .crypto import EncryptedCharField, encrypt


def _bulk_create_preencrypted(model, rows, using):
    """bulk_create rows whose encrypted fields already hold ciphertext (skips double encryption)."""
    fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
    original = {f: f.get_prep_value for f in fields}
    try:
        for f in fields:
            f.get_prep_value = lambda value, _f=f: value  # type: ignore[method-assign]
        model.objects.using(using).bulk_create(rows, batch_size=2000)
    finally:
        for f, fn in original.items():
            f.get_prep_value = fn  # type: ignore[method-assign]


def reserve_ids(model, n: int, using: str = "default") -> list[int] | None:
    """``n`` fresh ids from the table's sequence (PostgreSQL; ``None`` elsewhere): rows inserted later
    in the transaction can be referenced before they exist (the FK constraints are deferred)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or n <= 0:
        return None
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, n])
        return [row[0] for row in cursor.fetchall()]


def fast_insert(model, rows, *, preencrypted: bool = False, using: str = "default") -> None:
    """Insert model instances and set their ``pk`` — PostgreSQL ``COPY`` (docs/decisions/scale.md, "Bulk writes"), else
    ``bulk_create``.

    Rows without a pk get ids drawn from the table's sequence up front (safe with concurrent
    writers; or use :func:`reserve_ids` before building the rows), so foreign keys
    between rows inserted in the same transaction can be set before the referenced rows exist (the
    constraints are DEFERRABLE INITIALLY DEFERRED). Values are written as the instances hold them (encrypted fields: ciphertext
    already when ``preencrypted``); ``auto_now``/``auto_now_add`` columns get the current time. No
    signals are sent — the caller bumps what must be bumped (``build`` bumps every figure at the end).
    """
    if not rows:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        if preencrypted:
            _bulk_create_preencrypted(model, rows, using)
        else:
            model.objects.using(using).bulk_create(rows, batch_size=2000)
        return
    table = model._meta.db_table
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields]
    now = timezone.now()
    if any(getattr(obj, pk.attname) is None for obj in rows):
        # Each value is ours alone, contiguous or not (other sessions may draw ids at the same time).
        for obj, value in zip(rows, reserve_ids(model, len(rows), using), strict=True):
            setattr(obj, pk.attname, value)
    with connection.cursor() as cursor:
        getters = []
        for f in fields:
            if isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add):
                getters.append(lambda obj, _now=now: _now)
            elif isinstance(f, EncryptedCharField) and not preencrypted:
                getters.append(lambda obj, _a=f.attname: encrypt(v) if (v := getattr(obj, _a)) else v)
            elif f.get_internal_type() == "JSONField":
                from psycopg.types.json import Jsonb

                getters.append(lambda obj, _a=f.attname: None if getattr(obj, _a) is None else Jsonb(getattr(obj, _a)))
            else:
                getters.append(lambda obj, _a=f.attname: getattr(obj, _a))
        cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        # The raw psycopg cursor: its errors are translated as Django's own (a unique violation is an
        # ``IntegrityError`` the callers catch).
        with connection.wrap_database_errors:
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN") as copy:
                for obj in rows:
                    copy.write_row([g(obj) for g in getters])
    for obj in rows:
        obj._state.adding = False
        obj._state.db = using


def is_unique_violation(exc: Exception) -> bool:
    """Whether an ``IntegrityError`` is a unique index refusing a row (not a foreign key or a check)."""
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return sqlstate == "23505"
    return "UNIQUE constraint failed" in str(exc)  # sqlite3
