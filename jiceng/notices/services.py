"""Writing notices: ``notify`` (queued, written after the commit) and ``notices_mark_read``."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from .choices import NotificationKind
from .models import Notice, url_of


def deliver(items) -> int:
    """Write the notices for ``items`` ``(user_ids, target, text, kind)`` in one insert. Returns how many.

    This is the deliverer of ``core.workflow.Outbox`` (registered in ``NoticesConfig.ready()``)."""
    rows = []
    for ids, target, text, kind in items:
        ctype = ContentType.objects.get_for_model(target) if target is not None else None  # cached
        url = url_of(target) if target is not None else ""
        rows += [
            Notice(
                user_id=uid,
                target_type=ctype,
                target_id=target.pk if target is not None else None,
                target_url=url,
                text=text[:300],
                kind=kind,
            )
            for uid in sorted(ids)
        ]
    Notice.objects.bulk_create(rows)
    return len(rows)


def notify(*, recipients, target, text: str, kind: str = NotificationKind.PROGRESS, exclude=None) -> None:
    """Queue one notice to each of ``recipients`` (users or user ids) about ``target``, written once the
    current transaction commits (nothing on a rollback). ``exclude``: a user (or id) not to notify — the
    one who acted."""
    ids = {getattr(r, "pk", r) for r in recipients} - {getattr(exclude, "pk", exclude)} - {None}
    if ids:
        items = [(ids, target, text, kind)]
        transaction.on_commit(lambda: deliver(items))


def notices_mark_read(*, actor, target=None, ids: list[int] | None = None) -> int:
    """Mark the actor's notices read: those about ``target`` (the user opened it or acted on it), the given
    ``ids``, or all unread ones when neither is given. Returns how many."""
    qs = Notice.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if target is not None:
        qs = qs.for_target(target)
    return qs.update(read_at=timezone.now())
