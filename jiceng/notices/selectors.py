"""Reading notices: a user's own, the unread count, and whether a notice's target may still be opened."""

from __future__ import annotations

from .models import Notice


def notices_for(user, *, unread: bool = False):
    qs = Notice.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread else qs


def unread_count(user) -> int:
    return notices_for(user, unread=True).count()


def target_visible(notice: Notice, user) -> bool:
    """Whether ``user`` may still view the notice's target (through its model's scoped ``restrict``; a
    target gone, or a model without one, counts as not visible)."""
    if notice.target_type_id is None or notice.target_id is None:
        return False
    model = notice.target_type.model_class()
    restrict = getattr(model._default_manager if model else None, "restrict", None)
    if restrict is None:
        return False
    return restrict(user, "view").filter(pk=notice.target_id).exists()
